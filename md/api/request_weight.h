// RequestWeight: what a request to a Binance-style endpoint costs, Binance's
// weight table (rest-api.md): ping, time, system/status 1, exchangeInfo 20, depth 5 to
// 250 by limit, trades and historicalTrades 25, aggTrades 4, klines,
// uiKlines and avgPrice 2, ticker/24hr 2 to 80 by symbols, tradingDay and
// ticker 4 a symbol (at most 200), ticker/price and bookTicker 2 or 4. UDF,
// /metrics and the chart page's files cost nothing.
//
// Pure function; any thread.
#pragma once

#include <cstdint>

#include "md/http/endpoint.h"
#include "md/http/query_params.h"

namespace exchange::md {

// The weight of a request to `endpoint` with `params` (read leniently: a
// malformed parameter costs what its absence would; the endpoint refuses it).
std::int64_t RequestWeight(Endpoint endpoint, const QueryParams& params);

}  // namespace exchange::md
