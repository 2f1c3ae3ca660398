#include "candles/candle.h"

#include <algorithm>
#include <stdexcept>

#include "base/fixed_point_text.h"

namespace exchange::candles {

namespace {

bool SameBucket(const Candle& a, const Candle& b) {
  return a.symbol == b.symbol && a.interval == b.interval && a.open_time == b.open_time;
}

std::string BucketDescription(const Candle& c) {
  return c.symbol.str() + " " + std::string(IntervalName(c.interval)) + " " +
         std::to_string(c.open_time);
}

}  // namespace

Candle CandleOf(const CandleTrade& trade, CandleInterval interval) {
  Candle candle;
  candle.symbol = trade.symbol;
  candle.interval = interval;
  candle.open_time = BucketStart(trade.time, interval);
  candle.close_time = BucketEnd(candle.open_time, interval);
  candle.open = trade.price;
  candle.high = trade.price;
  candle.low = trade.price;
  candle.close = trade.price;
  candle.volume = trade.quantity;
  candle.quote_volume = static_cast<__int128>(trade.price) * trade.quantity;
  candle.trade_count = 1;
  candle.first_trade_id = trade.trade_id;
  candle.last_trade_id = trade.trade_id;
  return candle;
}

void Merge(Candle& into, const Candle& other) {
  if (other.trade_count == 0) return;
  if (into.trade_count == 0) {
    into = other;
    return;
  }
  if (!SameBucket(into, other)) {
    throw std::invalid_argument("candles: Merge of different buckets: " + BucketDescription(into) +
                                " and " + BucketDescription(other));
  }
  if (other.first_trade_id < into.first_trade_id) {
    into.open = other.open;
    into.first_trade_id = other.first_trade_id;
  }
  if (other.last_trade_id > into.last_trade_id) {
    into.close = other.close;
    into.last_trade_id = other.last_trade_id;
  }
  into.high = std::max(into.high, other.high);
  into.low = std::min(into.low, other.low);
  into.volume += other.volume;
  into.quote_volume += other.quote_volume;
  into.trade_count += other.trade_count;
}

std::string QuoteVolumeString(__int128 value) {
  std::string text;
  AppendFixedPoint(text, value, 0);
  return text;
}

}  // namespace exchange::candles
