// UdfEndpoints: TradingView's UDF datafeed (the charting library's
// "Universal Data Feed" over HTTP): /udf/config, /udf/symbols,
// /udf/search, /udf/time and /udf/history. Resolutions 1S 1 3 5 15 30 60
// 120 240 360 480 720 1D 3D 1W 1M (and D, W, M) are the candle intervals 1s
// .. 1M; times are Unix seconds; prices are JSON numbers with the
// instrument's decimals. Bad requests throw RequestError (UDF-style bodies
// are made by the caller).
//
// Owned by one serving thread's RequestHandler; one thread.
#pragma once

#include <optional>
#include <string_view>

#include "candles/candle_interval.h"
#include "md/data/market_data_source.h"
#include "md/http/endpoint.h"
#include "md/http/query_params.h"

namespace exchange::md {

// The interval of a UDF resolution ("60" is 1h, "1D" 1d); nullopt when
// there is none.
std::optional<candles::CandleInterval> IntervalOfResolution(std::string_view resolution);

class UdfEndpoints {
 public:
  // Bars of one /udf/history answer, at most (and the largest countback).
  static constexpr std::int64_t kMaxBars = 10'000;

  explicit UdfEndpoints(MarketDataSource& source) : source_(source) {}

  Reply Config();
  Reply Symbols(const QueryParams& params);
  Reply Search(const QueryParams& params);
  Reply Time();
  Reply History(const QueryParams& params);

 private:
  MarketDataSource& source_;
};

}  // namespace exchange::md
