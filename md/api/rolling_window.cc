#include "md/api/rolling_window.h"

#include <algorithm>
#include <limits>

#include "base/fixed_point_text.h"

namespace exchange::md {

namespace {

constexpr Timestamp kHour = 3'600'000'000'000;

void Add(WindowStats& s, const std::vector<candles::Candle>& run) {
  for (const candles::Candle& c : run)
    AddCandle(s, c);
}

}  // namespace

void AddCandle(WindowStats& s, const candles::Candle& c) {
  if (s.trades == 0) {
    s.open = c.open;
    s.high = c.high;
    s.low = c.low;
    s.first_id = static_cast<std::int64_t>(c.first_trade_id);
  }
  s.high = std::max(s.high, c.high);
  s.low = std::min(s.low, c.low);
  s.close = c.close;
  s.volume += c.volume;
  s.quote_volume += c.quote_volume;
  s.trades += c.trade_count;
  s.last_id = static_cast<std::int64_t>(c.last_trade_id);
}

StatsText FormatStats(const persistence::InstrumentRow& row, const WindowStats& s) {
  const int pd = row.price_decimals, qd = row.quantity_decimals;
  const Price change = s.trades > 0 ? s.close - s.open : 0;
  StatsText t;
  t.change = FixedPoint(change, pd);
  t.change_percent = s.trades > 0 && s.open != 0
                         ? DecimalRatio(static_cast<__int128>(change) * 100, s.open, 0, 3)
                         : std::string("0.000");
  t.weighted_avg =
      s.volume > 0 ? DecimalRatio(s.quote_volume, s.volume, pd, pd) : FixedPoint(0, pd);
  t.open = FixedPoint(s.open, pd);
  t.high = FixedPoint(s.high, pd);
  t.low = FixedPoint(s.low, pd);
  t.close = FixedPoint(s.close, pd);
  t.volume = FixedPoint(s.volume, qd);
  t.quote_volume = FixedPoint(s.quote_volume, pd + qd);
  return t;
}

std::string AveragePrice(const persistence::InstrumentRow& row, const WindowStats& s, Price last) {
  const int pd = row.price_decimals;
  return s.volume > 0 ? DecimalRatio(s.quote_volume, s.volume, pd, pd) : FixedPoint(last, pd);
}

WindowStats RollingStats(MarketDataSource& source, std::string_view symbol, Timestamp from) {
  // The minutes up to the first whole hour, then the hours (the live one
  // merged): at most 59 + 7 × 24 + 1 candles for the longest window.
  const Timestamp hours_from = candles::BucketStart(from + kHour - 1, candles::CandleInterval::k1h);
  WindowStats s;
  if (from < hours_from) {
    Add(s,
        source.Candles(symbol, candles::CandleInterval::k1m, CandleWindow{from, hours_from, 60}));
  }
  Add(s,
      source.Candles(symbol, candles::CandleInterval::k1h,
                     CandleWindow{hours_from, std::numeric_limits<Timestamp>::max(), 7 * 24 + 2}));
  return s;
}

void WriteStats(JsonWriter& json, std::string_view name, const persistence::InstrumentRow& row,
                const WindowStats& s, std::int64_t open_ms, std::int64_t close_ms, bool full,
                const TickerExtras* extras) {
  const int pd = row.price_decimals, qd = row.quantity_decimals;
  const StatsText t = FormatStats(row, s);
  json.BeginObject().Member("symbol", name);
  if (full) {
    json.Member("priceChange", t.change)
        .Member("priceChangePercent", t.change_percent)
        .Member("weightedAvgPrice", t.weighted_avg);
  }
  if (extras != nullptr) {
    const auto quote = [&](const std::optional<bookstate::Quote>& q, bool price) {
      if (!q) return price ? FixedPoint(0, pd) : FixedPoint(0, qd);
      return price ? FixedPoint(q->price, pd) : FixedPoint(q->quantity, qd);
    };
    json.Member("prevClosePrice", FixedPoint(extras->prev_close, pd))
        .Member("lastPrice", t.close)
        .Member("lastQty", FixedPoint(extras->last_qty, qd))
        .Member("bidPrice", quote(extras->bid, true))
        .Member("bidQty", quote(extras->bid, false))
        .Member("askPrice", quote(extras->ask, true))
        .Member("askQty", quote(extras->ask, false));
  }
  json.Member("openPrice", t.open).Member("highPrice", t.high).Member("lowPrice", t.low);
  if (extras == nullptr) json.Member("lastPrice", t.close);
  json.Member("volume", t.volume)
      .Member("quoteVolume", t.quote_volume)
      .Key("openTime")
      .Int(open_ms)
      .Key("closeTime")
      .Int(close_ms)
      .Key("firstId")
      .Int(s.first_id)
      .Key("lastId")
      .Int(s.last_id)
      .Key("count")
      .Int(s.trades)
      .EndObject();
}

}  // namespace exchange::md
