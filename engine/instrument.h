// Instrument: the trading rules of one symbol (tick, lot, quantity limits,
// price band, market-order protection, default self-trade prevention).
//
// A plain value. The engine keeps one per symbol, owned by that symbol's
// OrderBook; only the engine thread touches the engine's copies.
#pragma once

#include <array>
#include <cstring>
#include <string>
#include <string_view>

#include "engine/types.h"

namespace exchange {

// A symbol name stored inline (no heap), at most kMaxLength characters.
class SymbolName {
 public:
  static constexpr std::size_t kMaxLength = 15;

  SymbolName() { chars_.fill('\0'); }
  // Truncates nothing: callers check Fits() first; a longer name is cut.
  explicit SymbolName(std::string_view s) {
    chars_.fill('\0');
    std::memcpy(chars_.data(), s.data(), s.size() < kMaxLength ? s.size() : kMaxLength);
  }
  static bool Fits(std::string_view s) { return !s.empty() && s.size() <= kMaxLength; }

  std::string_view view() const { return std::string_view(chars_.data()); }
  std::string str() const { return std::string(view()); }
  bool operator==(const SymbolName& o) const { return chars_ == o.chars_; }

 private:
  std::array<char, kMaxLength + 1> chars_;
};

struct InstrumentSpec {
  SymbolName symbol;
  Price tick_size = 1;                    // every price is a multiple of this
  Quantity lot_size = 1;                  // every quantity is a multiple of this
  Quantity min_quantity = 1;              // inclusive
  Quantity max_quantity = INT64_MAX / 4;  // inclusive
  // Price band (collar): a limit price may be at most this many basis points
  // away from the reference price (the last trade, or reference_price before
  // the first trade). 0 disables the band.
  std::int64_t price_band_bps = 0;
  Price reference_price = 0;  // 0: no band until the first trade
  // A MARKET order trades no further than best opposite price ± this many ticks.
  std::int64_t market_protection_ticks = 100;
  StpMode default_stp = StpMode::kCancelResting;
};

// Checks the spec's own consistency; kNone when it is usable.
inline RejectReason Validate(const InstrumentSpec& s) {
  if (s.symbol.view().empty()) return RejectReason::kInvalidInstrument;
  if (s.tick_size <= 0 || s.lot_size <= 0) return RejectReason::kInvalidInstrument;
  if (s.min_quantity <= 0 || s.max_quantity < s.min_quantity)
    return RejectReason::kInvalidInstrument;
  if (s.price_band_bps < 0 || s.reference_price < 0 || s.market_protection_ticks < 0) {
    return RejectReason::kInvalidInstrument;
  }
  if (s.reference_price % s.tick_size != 0) return RejectReason::kInvalidInstrument;
  if (s.default_stp == StpMode::kInstrumentDefault || static_cast<int>(s.default_stp) > 3) {
    return RejectReason::kInvalidInstrument;
  }
  return RejectReason::kNone;
}

}  // namespace exchange
