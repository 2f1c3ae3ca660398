// BinanceEndpoints: market data in the shape of Binance's spot REST API
// (/api/v3/klines, depth, trades, ticker/24hr, exchangeInfo), so clients
// written for Binance work unchanged. Prices and quantities are decimal
// strings with the instrument's decimals; times are Unix milliseconds.
// Bad requests throw RequestError with Binance's error codes.
//
// Owned by one serving thread's RequestHandler; one thread.
#pragma once

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
  static constexpr std::int64_t kDefaultTrades = 500;
  static constexpr std::int64_t kMaxTrades = 1000;

  explicit BinanceEndpoints(MarketDataSource& source) : source_(source) {}

  Reply Klines(const QueryParams& params);
  Reply Depth(const QueryParams& params);
  Reply Trades(const QueryParams& params);
  Reply Ticker24h(const QueryParams& params);
  Reply ExchangeInfo(const QueryParams& params);

 private:
  // The instruments a request names: `symbol=S` (one), `symbols=["S",…]`
  // (a JSON array, in its order), or neither (all). nullopt for `symbol`
  // (the answer is one object, not an array). RequestError for an unknown
  // symbol, a malformed or empty list, or both parameters.
  struct Selection {
    bool single = false;
    std::vector<const persistence::InstrumentRow*> rows;
  };
  Selection SelectInstruments(const QueryParams& params);
  // One symbol's 24-hour statistics object, ending now.
  void WriteTicker(class JsonWriter& json, const persistence::InstrumentRow& row, Timestamp now);

  MarketDataSource& source_;
};

}  // namespace exchange::md
