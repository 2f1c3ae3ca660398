// TradeEndpoints: Binance's trade lists, from the `trades` table:
// /api/v3/trades (the newest), /api/v3/historicalTrades (from a trade id,
// or the newest) and /api/v3/aggTrades (aggregates, agg_trades.h: from an
// aggregate id, a time window, or the newest). Bad parameters throw
// RequestError with Binance's codes.
//
// Owned by one serving thread's RequestHandler; one thread.
#pragma once

#include "md/data/market_data_source.h"
#include "md/http/endpoint.h"
#include "md/http/query_params.h"

namespace exchange::md {

class TradeEndpoints {
 public:
  static constexpr std::int64_t kDefaultTrades = 500;
  static constexpr std::int64_t kMaxTrades = 1000;

  explicit TradeEndpoints(MarketDataSource& source) : source_(source) {}

  Reply Trades(const QueryParams& params);
  Reply HistoricalTrades(const QueryParams& params);
  Reply AggTrades(const QueryParams& params);

 private:
  MarketDataSource& source_;
};

}  // namespace exchange::md
