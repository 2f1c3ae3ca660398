// Instrument: the trading rules of one symbol (tick, lot, quantity limits,
// price band, market-order protection, default self-trade prevention), its
// risk mode and, under cash risk, the assets it exchanges and its fees.
// AssetSpec: one asset (a currency, a coin, a share) that balances are kept in.
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

struct AssetSpec {
  SymbolName name;
  int decimals = 0;  // fixed-point scale of amounts: 12345 with 2 decimals is 123.45
};

// A name of printable characters without '@' (the Redis view writes a
// shard's balance as the field "asset@shard"), and 0 to 18 decimals.
inline bool ValidAssetName(std::string_view name) {
  if (name.empty()) return false;
  for (const char c : name) {
    if (c <= ' ' || c > '~' || c == '@') return false;
  }
  return true;
}
inline bool ValidAsset(const AssetSpec& a) {
  return ValidAssetName(a.name.view()) && a.decimals >= 0 && a.decimals <= 18;
}

// Maker and taker fee rates in parts per million of what each side
// receives; a negative maker rate is a rebate.
struct FeeRates {
  std::int32_t maker_ppm = 0;
  std::int32_t taker_ppm = 0;
  bool operator==(const FeeRates&) const = default;
};

inline constexpr std::int32_t kMaxFeePpm = 100'000;  // 10%

inline bool ValidFees(const FeeRates& f) {
  return f.taker_ppm >= 0 && f.taker_ppm <= kMaxFeePpm && f.maker_ppm >= -kMaxFeePpm &&
         f.maker_ppm <= kMaxFeePpm;
}

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

  // Cash risk (RiskMode::kCash) only. The buyer of `quantity` receives
  // quantity × base_multiplier units of base_asset and pays price × quantity ×
  // 10^quote_exponent units of quote_asset (rounded as engine/risk.cc says).
  // The instruments file derives both from the decimals.
  RiskMode risk = RiskMode::kNone;
  AssetId base_asset = kUnknownAsset;
  AssetId quote_asset = kUnknownAsset;
  std::int64_t base_multiplier = 1;  // >= 1
  std::int32_t quote_exponent = 0;   // -18..18
  FeeRates fees;                     // for accounts without an override
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
  if (static_cast<int>(s.risk) > 1) return RejectReason::kInvalidInstrument;
  if (s.risk == RiskMode::kCash) {
    if (s.base_asset == s.quote_asset || s.base_multiplier < 1 || s.quote_exponent < -18 ||
        s.quote_exponent > 18) {
      return RejectReason::kInvalidInstrument;
    }
    if (!ValidFees(s.fees)) return RejectReason::kInvalidFeeSchedule;
  }
  return RejectReason::kNone;
}

}  // namespace exchange
