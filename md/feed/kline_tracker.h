// KlineTracker: the open candle of one symbol in one interval as the
// WebSocket kline stream shows it, kept from the trade stream, and when it
// closes. It starts from the live candle the history sink keeps in Redis
// (candle:{S}:I), so a stream opened mid-bucket shows the whole bucket;
// trades it already holds (trade id ≤ its last) are skipped.
//
// A candle closes when a trade of a later bucket arrives, or when the wall
// clock is `grace` past its end with no such trade (a quiet market). A
// trade of a bucket already closed (the producer's clock went back) is not
// shown on the stream; the REST klines, built from storage, include it.
//
// Owned by the market feed thread; one thread.
#pragma once

#include <optional>
#include <vector>

#include "bookstate/book_view.h"
#include "candles/candle.h"

namespace exchange::md {

class KlineTracker {
 public:
  struct Update {
    candles::Candle candle;
    bool closed = false;
  };

  KlineTracker(SymbolName symbol, candles::CandleInterval interval)
      : symbol_(symbol), interval_(interval) {}

  // Starts from the live candle (none: from the next trade).
  void Seed(const std::optional<candles::Candle>& live);
  // Folds a trade in; appends what subscribers should now see: the closed
  // candle when the trade opens a new bucket, then the open one.
  void OnTrade(const bookstate::TradePrint& trade, std::vector<Update>& out);
  // Closes the open candle once `now` is `grace` past its end.
  void OnClock(Timestamp now, Timestamp grace, std::vector<Update>& out);

  const std::optional<candles::Candle>& open() const { return open_; }

 private:
  SymbolName symbol_;
  candles::CandleInterval interval_;
  std::optional<candles::Candle> open_;  // the newest candle, open until closed_
  bool closed_ = false;
  Sequence last_trade_id_ = 0;  // the newest trade folded in or skipped
};

}  // namespace exchange::md
