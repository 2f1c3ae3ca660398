#include "md/api/agg_trades.h"

namespace exchange::md {

bool SameAggregate(const TradeRecord& previous, const TradeRecord& next) {
  return previous.taker_account == next.taker_account &&
         previous.taker_order_id == next.taker_order_id && previous.price == next.price &&
         previous.time == next.time && previous.aggressor == next.aggressor;
}

std::vector<AggTrade> Aggregate(std::span<const TradeRecord> trades) {
  std::vector<AggTrade> out;
  for (std::size_t i = 0; i < trades.size(); ++i) {
    const TradeRecord& t = trades[i];
    if (i > 0 && SameAggregate(trades[i - 1], t)) {
      out.back().last_id = t.id;
      out.back().quantity += t.quantity;
      continue;
    }
    out.push_back(
        AggTrade{t.id, t.id, t.id, t.time, t.price, t.quantity, t.aggressor == Side::kSell});
  }
  return out;
}

}  // namespace exchange::md
