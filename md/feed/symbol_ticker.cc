#include "md/feed/symbol_ticker.h"

#include <algorithm>

namespace exchange::md {

void SymbolTicker::Start(const Seed& seed) {
  buckets_.assign(seed.minutes.begin(), seed.minutes.end());
  trimmed_before_ = seed.from;
  prev_close_ = seed.before ? seed.before->close : 0;
  folded_up_to_ = 0;
  for (const candles::Candle& c : buckets_)
    folded_up_to_ = std::max(folded_up_to_, c.last_trade_id);
  if (seed.before) folded_up_to_ = std::max(folded_up_to_, seed.before->last_trade_id);
  last_ = seed.last;
}

void SymbolTicker::OnTrade(const bookstate::TradePrint& trade) {
  if (!last_ || trade.sequence >= last_->sequence) {
    last_ = bookstate::LastTrade{trade.price, trade.quantity, trade.time, trade.sequence};
  }
  if (trade.sequence <= folded_up_to_) return;
  folded_up_to_ = trade.sequence;
  const candles::Candle single = candles::CandleOf(
      candles::CandleTrade{symbol_, trade.sequence, trade.time, trade.price, trade.quantity},
      candles::CandleInterval::k1m);
  if (single.open_time < trimmed_before_) return;  // before every window
  const auto at = std::lower_bound(
      buckets_.begin(), buckets_.end(), single.open_time,
      [](const candles::Candle& c, Timestamp open_time) { return c.open_time < open_time; });
  if (at != buckets_.end() && at->open_time == single.open_time) {
    candles::Merge(*at, single);
  } else {
    buckets_.insert(at, single);
  }
}

void SymbolTicker::Trim(Timestamp from) {
  while (!buckets_.empty() && buckets_.front().open_time < from) {
    prev_close_ = buckets_.front().close;
    buckets_.pop_front();
  }
  trimmed_before_ = std::max(trimmed_before_, from);
}

WindowStats SymbolTicker::Stats(Timestamp from) const {
  WindowStats s;
  const auto at = std::lower_bound(
      buckets_.begin(), buckets_.end(), from,
      [](const candles::Candle& c, Timestamp open_time) { return c.open_time < open_time; });
  for (auto it = at; it != buckets_.end(); ++it)
    AddCandle(s, *it);
  return s;
}

}  // namespace exchange::md
