// AggTrade: Binance's aggregate trade. Consecutive trades (by trade id) of
// the same taker order at the same price and time form one aggregate; its
// id is its first trade's id, so an aggregate id is also a trade id, the
// same in /api/v3/aggTrades (fromId) and the WebSocket `@aggTrade` stream.
//
// Pure functions; any thread.
#pragma once

#include <span>
#include <vector>

#include "md/history/history_source.h"  // TradeRecord

namespace exchange::md {

struct AggTrade {
  Sequence id = 0;        // `a`: the first trade's id
  Sequence first_id = 0;  // `f`
  Sequence last_id = 0;   // `l`
  Timestamp time = 0;     // `T`
  Price price = 0;
  Quantity quantity = 0;  // the sum of the trades'
  bool buyer_maker = false;
  bool operator==(const AggTrade&) const = default;
};

// Whether `next` continues the aggregate `previous` belongs to (the trade
// just before it): the same taker order, price and time.
bool SameAggregate(const TradeRecord& previous, const TradeRecord& next);

// `trades` (consecutive, oldest first) as aggregates, oldest first. The
// first and last aggregate may be parts of longer ones when `trades` cuts
// through them.
std::vector<AggTrade> Aggregate(std::span<const TradeRecord> trades);

}  // namespace exchange::md
