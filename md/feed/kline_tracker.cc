#include "md/feed/kline_tracker.h"

namespace exchange::md {

void KlineTracker::Seed(const std::optional<candles::Candle>& live) {
  open_ = live;
  closed_ = false;
  last_trade_id_ = live ? live->last_trade_id : 0;
}

void KlineTracker::OnTrade(const bookstate::TradePrint& trade, std::vector<Update>& out) {
  if (trade.sequence <= last_trade_id_) return;
  last_trade_id_ = trade.sequence;
  const candles::Candle single = candles::CandleOf(
      candles::CandleTrade{symbol_, trade.sequence, trade.time, trade.price, trade.quantity},
      interval_);
  if (open_ && single.open_time < open_->open_time) return;  // a bucket already past
  if (open_ && single.open_time == open_->open_time) {
    if (closed_) return;
    candles::Merge(*open_, single);
    out.push_back(Update{*open_, false});
    return;
  }
  if (open_ && !closed_) out.push_back(Update{*open_, true});
  open_ = single;
  closed_ = false;
  out.push_back(Update{*open_, false});
}

void KlineTracker::OnClock(Timestamp now, Timestamp grace, std::vector<Update>& out) {
  if (!open_ || closed_ || now < open_->close_time + grace) return;
  closed_ = true;
  out.push_back(Update{*open_, true});
}

}  // namespace exchange::md
