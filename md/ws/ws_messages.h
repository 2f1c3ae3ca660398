// The JSON of exchange-md's WebSocket stream messages, in the shape of
// Binance's spot streams so that Binance clients read them unchanged:
//   trade        {"e":"trade","E","s","t","p","q","T","m"}
//   kline {"e":"kline","E","s","k":{"t","T","s","i","f","L","o","c","h","l","v","n","x","q"}}
//   depthUpdate  {"e":"depthUpdate","E","s","U","u","pu","b":[[p,q]...],"a":[...]}
// Prices and quantities are decimal strings with the instrument's decimals;
// times are Unix milliseconds of engine time. A combined-stream connection
// gets each wrapped as {"stream":"<name>","data":<message>}.
//
// Plain functions; any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "bookstate/book_view.h"
#include "bookstate/view_keys.h"  // DecodedLevel
#include "candles/candle.h"
#include "persistence/history_writer.h"  // InstrumentRow

namespace exchange::md {

void AppendTradeMessage(std::string& out, const persistence::InstrumentRow& row,
                        const bookstate::TradePrint& trade);

void AppendKlineMessage(std::string& out, const persistence::InstrumentRow& row,
                        const candles::Candle& candle, bool closed, Timestamp event_time);

// One side's changed levels: price → value now (quantity 0: gone).
struct DepthUpdate {
  Sequence first = 0, last = 0, prev = 0;
  Timestamp time = 0;
  std::vector<bookstate::DecodedLevel> bids, asks;  // best first
};
void AppendDepthMessage(std::string& out, const persistence::InstrumentRow& row,
                        const DepthUpdate& update);

// {"stream":"<stream>","data":<message>}
void AppendCombined(std::string& out, std::string_view stream, std::string_view message);

}  // namespace exchange::md
