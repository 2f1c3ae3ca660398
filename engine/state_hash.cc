// Engine::StateHash: a 64-bit FNV-1a digest of everything that decides future
// events, walked in a fixed order (symbols by id; bids then asks, best level
// first, orders in queue order; buy stops then sell stops in trigger order).
#include <algorithm>

#include "engine/engine.h"

namespace exchange {

namespace {

class Fnv1a {
 public:
  void Add(std::uint64_t v) {
    for (int i = 0; i < 8; ++i) {
      h_ ^= (v >> (8 * i)) & 0xFF;
      h_ *= 0x100000001B3ull;
    }
  }
  void Add(std::string_view s) {
    Add(s.size());
    for (unsigned char c : s) {
      h_ ^= c;
      h_ *= 0x100000001B3ull;
    }
  }
  std::uint64_t value() const { return h_; }

 private:
  std::uint64_t h_ = 0xCBF29CE484222325ull;
};

void AddOrder(Fnv1a& h, const Order& o) {
  for (std::uint64_t v : {std::uint64_t{o.exchange_id},
                          std::uint64_t{o.client_id},
                          std::uint64_t{o.account},
                          std::uint64_t{o.symbol},
                          std::uint64_t(o.side),
                          std::uint64_t(o.type),
                          std::uint64_t(o.tif),
                          std::uint64_t(o.stp),
                          std::uint64_t(o.price),
                          std::uint64_t(o.stop_price),
                          std::uint64_t(o.quantity),
                          std::uint64_t(o.filled),
                          std::uint64_t(o.leaves),
                          std::uint64_t(o.display),
                          std::uint64_t(o.peak),
                          std::uint64_t{o.priority},
                          std::uint64_t(o.timestamp),
                          std::uint64_t(o.held),
                          std::uint64_t(o.hold_price),
                          static_cast<std::uint64_t>(o.traded_notional),
                          static_cast<std::uint64_t>(o.traded_notional >> 64)}) {
    h.Add(v);
  }
}

void AddSide(Fnv1a& h, const BookSide& side) {
  h.Add(side.level_count());
  side.ForEachLevel([&h](const PriceLevel& level) {
    h.Add(static_cast<std::uint64_t>(level.price));
    h.Add(static_cast<std::uint64_t>(level.displayed));
    h.Add(level.order_count);
    for (const Order* o = level.head; o; o = o->next)
      AddOrder(h, *o);
    return true;
  });
}

}  // namespace

std::uint64_t Engine::StateHash() const {
  Fnv1a h;
  h.Add(next_sequence_);
  h.Add(next_exchange_id_);
  h.Add(assets_.size());
  for (const AssetSpec& a : assets_) {
    h.Add(a.name.view());
    h.Add(static_cast<std::uint64_t>(a.decimals));
  }
  h.Add(books_.size());
  for (const auto& book : books_) {
    const InstrumentSpec& spec = book->instrument;
    h.Add(spec.symbol.view());
    for (std::int64_t v : std::initializer_list<std::int64_t>{
             spec.tick_size, spec.lot_size, spec.min_quantity, spec.max_quantity,
             spec.price_band_bps, spec.reference_price, spec.market_protection_ticks,
             static_cast<std::int64_t>(spec.default_stp), static_cast<std::int64_t>(spec.risk),
             spec.base_asset, spec.quote_asset, spec.base_multiplier, spec.quote_exponent,
             spec.fees.maker_ppm, spec.fees.taker_ppm}) {
      h.Add(static_cast<std::uint64_t>(v));
    }
    h.Add(static_cast<std::uint64_t>(book->last_trade_price));
    h.Add(book->halted ? 1u : 0u);
    AddSide(h, book->bids);
    AddSide(h, book->asks);
    for (const auto* stops : {&book->stops.buys(), &book->stops.sells()}) {
      h.Add(stops->size());
      for (auto it = stops->rbegin(); it != stops->rend(); ++it)
        AddOrder(h, **it);
    }
  }
  std::vector<std::pair<std::uint64_t, FeeRates>> overrides(fee_overrides_.begin(),
                                                            fee_overrides_.end());
  std::sort(overrides.begin(), overrides.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  h.Add(overrides.size());
  for (const auto& [key, rates] : overrides) {
    h.Add(key);
    h.Add(static_cast<std::uint64_t>(static_cast<std::int64_t>(rates.maker_ppm)));
    h.Add(static_cast<std::uint64_t>(static_cast<std::int64_t>(rates.taker_ppm)));
  }
  h.Add(ledger_.Digest());
  return h.value();
}

}  // namespace exchange
