// The live candle of a symbol and interval in Redis (candle:{S}:I, a hash:
// open_time close_time (ns) open high low close volume quote_volume trades
// first_trade_id last_trade_id), as the engine's history sink writes it and
// exchange-md reads it: the one HSET that stores a candle.
//
// Plain functions; any thread.
#pragma once

#include <string>
#include <vector>

#include "candles/candle.h"

namespace exchange::bookstate {

// "HSET" key field value ... for `candle`; pass each element as an argument.
std::vector<std::string> LiveCandleCommand(const candles::Candle& candle);

}  // namespace exchange::bookstate
