// TradeAggregate: Binance's aggregate trades as the @aggTrade stream sends
// them: consecutive trades of one taker order at one price (and time: one
// engine command) are one aggregate, named by its first trade's id (the
// `a` of the stream; /api/v3/aggTrades, api/agg_trades.h, groups the
// stored trades by the same rule and so uses the same ids). Trades whose
// taker order is unknown (0: a trade-stream entry of an older writer) are
// each an aggregate of their own.
//
// An engine command's fills are in one engine batch and a trade-stream
// entry holds whole batches, so the feed aggregates each entry's trades
// on their own.
//
// Plain values and functions; any thread.
#pragma once

#include <span>
#include <vector>

#include "bookstate/book_view.h"

namespace exchange::md {

struct TradeAggregate {
  Sequence id = 0;  // the first trade's id
  Sequence first = 0, last = 0;
  Price price = 0;
  Quantity quantity = 0;  // the trades' sum
  Timestamp time = 0;     // the first trade's engine time
  Side taker_side = Side::kBuy;
  bool operator==(const TradeAggregate&) const = default;
};

// Appends `trades` (in engine order) as aggregates.
void AggregateTradePrints(std::span<const bookstate::TradePrint> trades,
                          std::vector<TradeAggregate>& out);

}  // namespace exchange::md
