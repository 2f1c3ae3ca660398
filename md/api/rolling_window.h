// RollingWindow: the price change statistics of one symbol over a window
// ending now, as Binance's ticker/24hr, ticker/tradingDay and ticker
// (windowSize) give them, and their JSON. The window opens at the start of
// a minute (Binance's rolling windows are minute-aligned too); its trades
// are summed from candles, never read one by one: the 1m candles up to the
// first whole hour, then the 1h ones (the live one merged), so 7 days are
// at most 228 candles.
//
// The statistics' rules (an empty window's change, the percentage's and
// the weighted average's decimals, avgPrice's fallback) live here once:
// StatsText and AveragePrice are shared with the WebSocket ticker streams
// (md/feed/symbol_ticker.h, ws_messages.h), AddCandle with their windows.
//
// RollingStats: one serving thread's TickerEndpoints; the rest: any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "md/api/json_writer.h"
#include "md/data/market_data_source.h"

namespace exchange::md {

struct WindowStats {
  Price open = 0, high = 0, low = 0, close = 0;
  Quantity volume = 0;
  __int128 quote_volume = 0;
  std::uint64_t trades = 0;
  std::int64_t first_id = -1, last_id = -1;  // -1 without trades
  bool operator==(const WindowStats&) const = default;
};

// Folds `c` into `s`; candles are folded oldest first.
void AddCandle(WindowStats& s, const candles::Candle& c);

// The trades from `from` (a minute's start) on.
WindowStats RollingStats(MarketDataSource& source, std::string_view symbol, Timestamp from);

// The 24-hour ticker's extra fields (type FULL): the close before the
// window, the last trade's quantity, the best bid and ask.
struct TickerExtras {
  Price prev_close = 0;
  Quantity last_qty = 0;
  std::optional<bookstate::Quote> bid, ask;
};

// A window's statistics as decimal text, with the instrument's decimals:
// the change (0 without trades), its percentage of the open (3 decimals,
// "0.000" without trades), the volume-weighted average price.
struct StatsText {
  std::string change, change_percent, weighted_avg;
  std::string open, high, low, close, volume, quote_volume;
};
StatsText FormatStats(const persistence::InstrumentRow& row, const WindowStats& s);

// avgPrice's price: the window's quote volume / volume; without a trade in
// it, `last` (the last trade's price, 0 before the first).
std::string AveragePrice(const persistence::InstrumentRow& row, const WindowStats& s, Price last);

// One ticker object: `full` adds priceChange, priceChangePercent and
// weightedAvgPrice to the MINI fields, and `extras` (ticker/24hr) their
// fields. Times in ms.
void WriteStats(JsonWriter& json, std::string_view name, const persistence::InstrumentRow& row,
                const WindowStats& stats, std::int64_t open_ms, std::int64_t close_ms, bool full,
                const TickerExtras* extras = nullptr);

}  // namespace exchange::md
