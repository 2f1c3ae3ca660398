// Endpoint: every path exchange-md answers, named for its metrics, and the
// API style of its errors (Binance's {"code","msg"} or UDF's
// {"s":"error","errmsg"}). EndpointOf maps a request path to one; the
// chart page's files are all one endpoint, kStatic. Reply is
// what an endpoint answers when it succeeds (status 200); a failure is an
// exception (json_errors.h).
//
// Plain values and pure functions; any thread.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace exchange::md {

enum class Endpoint : std::uint8_t {
  kUdfConfig,
  kUdfSymbols,
  kUdfSearch,
  kUdfTime,
  kUdfHistory,
  kKlines,
  kDepth,
  kTrades,
  kTicker24h,
  kExchangeInfo,
  kPing,
  kTime,
  kHistoricalTrades,
  kAggTrades,
  kUiKlines,
  kAvgPrice,
  kTickerTradingDay,
  kTickerPrice,
  kBookTicker,
  kTicker,
  kSystemStatus,
  kMetrics,
  kStatic,   // a file of the chart page (static_site.h); never returned by EndpointOf
  kUnknown,  // no such path (404)
};
inline constexpr std::size_t kEndpointCount = 24;

// The path ("/udf/history", "/api/v3/klines", ...); "static" for kStatic,
// "unknown" for kUnknown.
std::string_view EndpointName(Endpoint endpoint);

// The API endpoint serving `path` (exactly; a trailing '/' is not ignored);
// kUnknown for any other path (the request handler then looks for a file).
Endpoint EndpointOf(std::string_view path);

// Paths of the APIs (/api/..., /sapi/..., /udf/..., /metrics): never a file, even when
// unknown (a 404 in the API's error style).
bool IsApiPath(std::string_view path);

// UDF endpoints answer errors UDF's way.
bool IsUdf(Endpoint endpoint);

struct Reply {
  std::string body;
  std::string_view content_type = "application/json";
};

}  // namespace exchange::md
