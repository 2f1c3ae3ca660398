// TickerEndpoints: Binance's tickers: /api/v3/ticker/24hr, ticker/tradingDay
// and ticker (a rolling windowSize), all three from one statistics function
// (rolling_window.h) over the 1m candles; ticker/price (the last trade) and
// ticker/bookTicker (the best bid and ask) from the Redis view; avgPrice
// (volume-weighted over the last 5 minutes' candles). Bad parameters throw
// RequestError with Binance's codes.
//
// Owned by one serving thread's RequestHandler; one thread.
#pragma once

#include "md/api/symbol_selection.h"
#include "md/data/market_data_source.h"
#include "md/http/endpoint.h"
#include "md/http/query_params.h"

namespace exchange::md {

class TickerEndpoints {
 public:
  // avgPrice's window, in minutes.
  static constexpr int kAvgPriceMinutes = 5;
  // tradingDay and ticker take at most this many symbols.
  static constexpr std::size_t kMaxWindowSymbols = 100;

  explicit TickerEndpoints(MarketDataSource& source) : source_(source) {}

  Reply Ticker24h(const QueryParams& params);
  Reply TradingDay(const QueryParams& params);
  Reply Rolling(const QueryParams& params);
  Reply Price(const QueryParams& params);
  Reply BookTicker(const QueryParams& params);
  Reply AvgPrice(const QueryParams& params);

 private:
  MarketDataSource& source_;
};

}  // namespace exchange::md
