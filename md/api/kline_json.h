// A candle as one Binance kline, the element of /api/v3/klines' array:
//   [open time, "open", "high", "low", "close", "volume", close time,
//    "quote volume", trades, "0", "0", "0"]
// times in ms (the close time is the bucket's end less 1 ms), prices and
// quantities the engine's integers written with the instrument's decimals
// (base/fixed_point_text.h's text, written by AppendFixedPoint); taker-buy
// volumes are not recorded: "0". The same text JsonWriter would make.
//
// Pure function; any thread.
#pragma once

#include <string>

#include "candles/candle.h"

namespace exchange::md {

// Appends the kline of `c` to `out` (a JSON array, no separator before it).
void AppendKline(std::string& out, const candles::Candle& c, int price_decimals,
                 int quantity_decimals);

}  // namespace exchange::md
