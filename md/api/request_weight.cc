#include "md/api/request_weight.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace exchange::md {
namespace {

// How many symbols the request names: 1 for `symbol`, the length of the
// `symbols` array, 0 for neither (every symbol).
std::size_t SymbolCount(const QueryParams& params) {
  if (params.Find("symbol")) return 1;
  const auto symbols = params.Find("symbols");
  if (!symbols) return 0;
  const nlohmann::json list = nlohmann::json::parse(*symbols, nullptr, false);
  return list.is_array() ? std::max<std::size_t>(list.size(), 1) : 1;
}

std::int64_t DepthWeight(const QueryParams& params) {
  std::int64_t limit = 100;
  try {
    limit = params.IntOr("limit", 100, 1, 5000);
  } catch (const std::exception&) {
  }
  if (limit <= 100) return 5;
  if (limit <= 500) return 25;
  if (limit <= 1000) return 50;
  return 250;
}

}  // namespace

std::int64_t RequestWeight(Endpoint endpoint, const QueryParams& params) {
  switch (endpoint) {
    case Endpoint::kPing:
    case Endpoint::kTime:
    case Endpoint::kSystemStatus: return 1;
    case Endpoint::kExchangeInfo: return 20;
    case Endpoint::kDepth: return DepthWeight(params);
    case Endpoint::kTrades:
    case Endpoint::kHistoricalTrades: return 25;
    case Endpoint::kAggTrades: return 4;
    case Endpoint::kKlines:
    case Endpoint::kUiKlines:
    case Endpoint::kAvgPrice: return 2;
    case Endpoint::kTicker24h: {
      const std::size_t n = SymbolCount(params);
      if (n == 0 || n > 100) return 80;
      return n <= 20 ? 2 : 40;
    }
    case Endpoint::kTickerTradingDay:
    case Endpoint::kTicker:
      return std::min<std::int64_t>(4 * static_cast<std::int64_t>(SymbolCount(params)), 200);
    case Endpoint::kTickerPrice:
    case Endpoint::kBookTicker: return params.Find("symbol") ? 2 : 4;
    case Endpoint::kUdfConfig:
    case Endpoint::kUdfSymbols:
    case Endpoint::kUdfSearch:
    case Endpoint::kUdfTime:
    case Endpoint::kUdfHistory:
    case Endpoint::kMetrics:
    case Endpoint::kStatic:
    case Endpoint::kUnknown: break;
  }
  return 0;
}

}  // namespace exchange::md
