// The JSON of exchange-md's WebSocket stream messages, in the shape of
// Binance's spot streams so that Binance clients read them unchanged:
//   trade        {"e":"trade","E","s","t","p","q","T","m","M"}
//   aggTrade     {"e":"aggTrade","E","s","a","p","q","f","l","T","m","M"}
//   kline {"e":"kline","E","s","k":{"t","T","s","i","f","L","o","c","h","l","v","n","x","q"}}
//   depthUpdate  {"e":"depthUpdate","E","s","U","u","pu","b":[[p,q]...],"a":[...]}
//   partial book {"lastUpdateId","bids":[[p,q]...],"asks":[...]}
//   bookTicker   {"u","s","b","B","a","A"}
//   24hrMiniTicker {"e","E","s","c","o","h","l","v","q"}
//   24hrTicker   {"e","E","s","p","P","w","x","c","Q","b","B","a","A","o","h","l","v","q",
//                 "O","C","F","L","n"}
//   1hTicker, 4hTicker, 1dTicker {"e","E","s","p","P","o","h","l","c","w","v","q","O","C",
//                 "F","L","n"}
//   avgPrice     {"e","E","s","i","w","T"}
// (the tickers' decimal rules are the REST tickers', md/api/rolling_window.h)
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
#include "md/api/rolling_window.h"  // WindowStats
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

// What a ticker message shows, its times aside (the feed sends a ticker
// stream's message only when this changed). Each kind uses its part:
// 24hrMiniTicker and the window tickers `stats`; 24hrTicker `stats`, the
// previous close, the last quantity and the top of the book; avgPrice
// `stats` (its window) and the last trade.
struct TickerContent {
  WindowStats stats;
  Price prev_close = 0;
  Quantity last_qty = 0;
  BookTop top;
  Price last_price = 0;     // avgPrice without a trade in its window
  Timestamp last_time = 0;  // avgPrice's T; 0 before the first trade
  bool operator==(const TickerContent&) const = default;
};
// Times in ns (written in ms).
void AppendMiniTickerMessage(std::string& out, const persistence::InstrumentRow& row,
                             const TickerContent& t, Timestamp event_time);
void AppendTickerMessage(std::string& out, const persistence::InstrumentRow& row,
                         const TickerContent& t, Timestamp event_time, Timestamp open_time,
                         Timestamp close_time);
// `window`: "1h", "4h", "1d" (the event is "1hTicker" ...).
void AppendWindowTickerMessage(std::string& out, const persistence::InstrumentRow& row,
                               std::string_view window, const TickerContent& t,
                               Timestamp event_time, Timestamp open_time, Timestamp close_time);
void AppendAvgPriceMessage(std::string& out, const persistence::InstrumentRow& row,
                           const TickerContent& t, int minutes, Timestamp event_time);

// {"stream":"<stream>","data":<message>}
void AppendCombined(std::string& out, std::string_view stream, std::string_view message);

}  // namespace exchange::md
