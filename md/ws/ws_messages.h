// The JSON of exchange-md's WebSocket stream messages, in the shape of
// Binance's spot streams so that Binance clients read them unchanged:
//   trade        {"e":"trade","E","s","t","p","q","T","m","M"}
//   aggTrade     {"e":"aggTrade","E","s","a","p","q","f","l","T","m","M"}
//   kline {"e":"kline","E","s","k":{"t","T","s","i","f","L","o","c","h","l","v","n","x","q"}}
//   depthUpdate  {"e":"depthUpdate","E","s","U","u","pu","b":[[p,q]...],"a":[...]}
//   partial book {"lastUpdateId","bids":[[p,q]...],"asks":[...]}
//   bookTicker   {"u","s","b","B","a","A"}
// Prices and quantities are decimal strings with the instrument's decimals;
// times are Unix milliseconds of engine time. A combined-stream connection
// gets each wrapped as {"stream":"<name>","data":<message>}.
//
// Plain functions; any thread.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "bookstate/book_view.h"
#include "bookstate/view_keys.h"  // DecodedLevel
#include "candles/candle.h"
#include "md/feed/trade_aggregates.h"
#include "persistence/history_writer.h"  // InstrumentRow

namespace exchange::md {

void AppendTradeMessage(std::string& out, const persistence::InstrumentRow& row,
                        const bookstate::TradePrint& trade);

void AppendAggTradeMessage(std::string& out, const persistence::InstrumentRow& row,
                           const TradeAggregate& trade);

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

// The best `levels` of each side.
void AppendPartialDepthMessage(std::string& out, const persistence::InstrumentRow& row,
                               Sequence last_update_id,
                               const std::map<Price, bookstate::LevelValue, std::greater<>>& bids,
                               const std::map<Price, bookstate::LevelValue>& asks,
                               std::size_t levels);

// The best bid and ask (price 0, quantity 0 for an empty side).
struct BookTop {
  Price bid = 0, ask = 0;
  Quantity bid_quantity = 0, ask_quantity = 0;
  bool operator==(const BookTop&) const = default;
};
void AppendBookTickerMessage(std::string& out, const persistence::InstrumentRow& row,
                             Sequence update_id, const BookTop& top);

// {"stream":"<stream>","data":<message>}
void AppendCombined(std::string& out, std::string_view stream, std::string_view message);

}  // namespace exchange::md
