#include "md/http/endpoint.h"

namespace exchange::md {
namespace {

constexpr std::array<std::string_view, kEndpointCount> kNames = {
    "/udf/config",
    "/udf/symbols",
    "/udf/search",
    "/udf/time",
    "/udf/history",
    "/api/v3/klines",
    "/api/v3/depth",
    "/api/v3/trades",
    "/api/v3/ticker/24hr",
    "/api/v3/exchangeInfo",
    "/api/v3/ping",
    "/api/v3/time",
    "/api/v3/historicalTrades",
    "/api/v3/aggTrades",
    "/api/v3/uiKlines",
    "/api/v3/avgPrice",
    "/api/v3/ticker/tradingDay",
    "/api/v3/ticker/price",
    "/api/v3/ticker/bookTicker",
    "/api/v3/ticker",
    "/sapi/v1/system/status",
    "/metrics",
    "static",
    "unknown",
};

}  // namespace

std::string_view EndpointName(Endpoint endpoint) {
  return kNames[static_cast<std::size_t>(endpoint)];
}

Endpoint EndpointOf(std::string_view path) {
  for (std::size_t i = 0; i < static_cast<std::size_t>(Endpoint::kStatic); ++i) {
    if (kNames[i] == path) return static_cast<Endpoint>(i);
  }
  return Endpoint::kUnknown;
}

bool IsApiPath(std::string_view path) {
  return path.starts_with("/api/") || path.starts_with("/sapi/") || path.starts_with("/udf/") ||
         path == "/metrics" || path == "/api" || path == "/udf";
}

bool IsUdf(Endpoint endpoint) {
  return endpoint <= Endpoint::kUdfHistory;
}

}  // namespace exchange::md
