// BinanceEndpoints: market data in the shape of Binance's spot REST API
// (/api/v3/ping, time, exchangeInfo, klines and uiKlines, depth; the trade
// lists are trade_endpoints.h's, the tickers ticker_endpoints.h's), so clients
// written for Binance work unchanged. Prices and quantities are decimal
// strings with the instrument's decimals; times are Unix milliseconds.
// Bad requests throw RequestError with Binance's error codes.
//
// Owned by one serving thread's RequestHandler; one thread.
#pragma once

#include "md/api/rate_limits.h"
#include "md/api/symbol_selection.h"
#include "md/data/market_data_source.h"
#include "md/http/endpoint.h"
#include "md/http/query_params.h"

namespace exchange::md {

class BinanceEndpoints {
 public:
  static constexpr std::int64_t kDefaultKlines = 500;
  static constexpr std::int64_t kMaxKlines = 1000;
  static constexpr std::int64_t kDefaultDepth = 100;
  static constexpr std::int64_t kMaxDepth = 5000;

  explicit BinanceEndpoints(MarketDataSource& source, const RateLimits& limits = RateLimits{})
      : source_(source), limits_(limits) {}

  Reply Ping();
  Reply Time();
  // /sapi/v1/system/status: {"status":0,"msg":"normal"} while serving.
  Reply SystemStatus();

  Reply Klines(const QueryParams& params);
  Reply Depth(const QueryParams& params);
  Reply ExchangeInfo(const QueryParams& params);

 private:
  MarketDataSource& source_;
  RateLimits limits_;
};

}  // namespace exchange::md
