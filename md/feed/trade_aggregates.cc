#include "md/feed/trade_aggregates.h"

namespace exchange::md {

void AggregateTradePrints(std::span<const bookstate::TradePrint> trades,
                          std::vector<TradeAggregate>& out) {
  const bookstate::TradePrint* previous = nullptr;
  for (const bookstate::TradePrint& t : trades) {
    const bool joins = previous != nullptr && t.taker_order != 0 &&
                       t.taker_order == previous->taker_order && t.price == previous->price &&
                       t.time == previous->time && t.taker_side == previous->taker_side;
    if (joins) {
      out.back().last = t.sequence;
      out.back().quantity += t.quantity;
    } else {
      out.push_back(TradeAggregate{t.sequence, t.sequence, t.sequence, t.price, t.quantity, t.time,
                                   t.taker_side});
    }
    previous = &t;
  }
}

}  // namespace exchange::md
