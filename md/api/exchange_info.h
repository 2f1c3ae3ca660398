// ExchangeInfo JSON: Binance's /api/v3/exchangeInfo body, the trading rules
// of each instrument as the engine applies them. Filter values come from
// the `instruments` table (written from config/instruments.toml by the
// history sink): PRICE_FILTER from tick_size, LOT_SIZE and MARKET_LOT_SIZE
// from lot_size, min_quantity and max_quantity; NOTIONAL is unlimited (the
// engine checks no notional). md/README.md ("exchangeInfo") has the table.
//
// Pure functions; any thread.
#pragma once

#include <vector>

#include "md/api/json_writer.h"
#include "md/api/rate_limits.h"
#include "md/api/symbol_selection.h"

namespace exchange::md {

// The whole body: timezone, serverTime (ms), rateLimits, exchangeFilters
// and one entry per symbol of `symbols`, named as given.
void WriteExchangeInfo(JsonWriter& json, const std::vector<NamedInstrument>& symbols,
                       const RateLimits& limits, std::int64_t server_time_ms);

// BTC-USD's "BTC" and "USD": the instrument's assets, or its name split at
// the first '-', '/' or '_' when it names none (all base without one).
std::pair<std::string, std::string> AssetsOf(const persistence::InstrumentRow& row);

}  // namespace exchange::md
