// SymbolTicker: one symbol's statistics for the WebSocket ticker streams
// (@miniTicker, @ticker, @ticker_<1h|4h|1d>, @avgPrice and their !…@arr
// forms), kept in memory so that they go out every second without a
// query: the 1m buckets of the last 24 hours, seeded from the stored
// candles (the live one in Redis merged) when the feed starts computing
// the symbol's tickers, then updated by every trade of the trade stream
// (trades the seed holds, trade id ≤ the newest it folded, are skipped).
// The buckets sum as the REST tickers' candles do (AddCandle, from a
// minute's start), so a stream and the REST answer of the same moment
// agree. The last trade (price, quantity, time) comes from the Redis view
// at the seed, then from the trades.
//
// Owned by the market feed thread (MarketFeed keeps one per symbol while
// someone follows one of its tickers); one thread.
#pragma once

#include <deque>
#include <optional>
#include <vector>

#include "bookstate/book_view.h"
#include "candles/candle.h"
#include "md/api/rolling_window.h"

namespace exchange::md {

class SymbolTicker {
 public:
  struct Seed {
    // The 1m candles from `from` (the minute of now − 24 h) on, oldest
    // first (the live one merged), and the newest one before them.
    Timestamp from = 0;
    std::vector<candles::Candle> minutes;
    std::optional<candles::Candle> before;
    std::optional<bookstate::LastTrade> last;  // the view's last trade
  };

  explicit SymbolTicker(SymbolName symbol) : symbol_(symbol) {}

  void Start(const Seed& seed);
  // Folds a trade in (the trade stream's order); one the buckets hold
  // already is skipped.
  void OnTrade(const bookstate::TradePrint& trade);
  // Drops the buckets opening before `from` (a minute's start): the close
  // of the newest dropped is the previous close.
  void Trim(Timestamp from);
  // The statistics of the buckets opening at `from` (a minute's start) or
  // later.
  WindowStats Stats(Timestamp from) const;

  Price prev_close() const { return prev_close_; }
  // The last trade; nullopt before the first.
  const std::optional<bookstate::LastTrade>& last() const { return last_; }

 private:
  SymbolName symbol_;
  std::deque<candles::Candle> buckets_;  // by open time
  Timestamp trimmed_before_ = 0;         // buckets before this are gone
  Price prev_close_ = 0;
  Sequence folded_up_to_ = 0;  // the newest trade id the buckets hold
  std::optional<bookstate::LastTrade> last_;
};

}  // namespace exchange::md
