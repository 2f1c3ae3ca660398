// DepthChange and DepthCollector: which price levels a batch of commands
// changed, with each level's displayed quantity and order count once the
// batch is applied. This is what a depth view (the Redis book state) needs
// and what events alone cannot say: an iceberg shows less than its leaves,
// and a replace that moves an order names only its new price.
//
// The collector notes the levels each event touched (and, before a replace,
// the level the order leaves), then reads their values from the engine at
// the end of the batch. A level may be reported unchanged or as removed when
// it never existed (a held stop's cancel, say): consumers compare with what
// they hold. Owned by the EngineCore; engine thread only.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/engine.h"

namespace exchange {

struct DepthChange {
  SymbolName symbol;
  SymbolId symbol_id = kUnknownSymbol;
  Side side = Side::kBuy;
  Price price = 0;
  Quantity quantity = 0;     // displayed quantity at the level after the batch; 0: no level
  std::uint32_t orders = 0;  // orders at the level after the batch
};

class DepthCollector {
 public:
  // Before the engine applies `command`: a replace moves its order away
  // from a level the events will not name.
  void BeforeCommand(const Engine& engine, const Command& command);
  // After: the levels the events touched.
  void AfterEvents(std::span<const Event> events);
  // Appends each touched level once, with its value now, sorted by symbol,
  // side and price; clears what was noted.
  void Finish(const Engine& engine, std::vector<DepthChange>* out);

 private:
  struct Touched {
    SymbolId symbol;
    Side side;
    Price price;
    auto operator<=>(const Touched&) const = default;
  };
  void Note(SymbolId symbol, Side side, Price price) {
    if (price != 0) touched_.push_back(Touched{symbol, side, price});
  }

  std::vector<Touched> touched_;
};

}  // namespace exchange
