// Endpoint: every path exchange-md answers, named for its metrics, and the
// API style of its errors (Binance's {"code","msg"} or UDF's
// {"s":"error","errmsg"}). EndpointOf maps a request path to one. Reply is
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
  kMetrics,
  kUnknown,  // no such path (404)
};
inline constexpr std::size_t kEndpointCount = 12;

// The path ("/udf/history", "/api/v3/klines", ...); "unknown" for kUnknown.
std::string_view EndpointName(Endpoint endpoint);

// The endpoint serving `path` (exactly; a trailing '/' is not ignored).
Endpoint EndpointOf(std::string_view path);

// UDF endpoints answer errors UDF's way.
bool IsUdf(Endpoint endpoint);

struct Reply {
  std::string body;
  std::string_view content_type = "application/json";
};

}  // namespace exchange::md
