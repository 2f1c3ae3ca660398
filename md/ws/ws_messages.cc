#include "md/ws/ws_messages.h"

#include "base/fixed_point_text.h"
#include "md/api/json_writer.h"

namespace exchange::md {
namespace {

constexpr Timestamp kNanosPerMilli = 1'000'000;

void Levels(JsonWriter& json, const std::vector<bookstate::DecodedLevel>& levels,
            const persistence::InstrumentRow& row) {
  json.BeginArray();
  for (const bookstate::DecodedLevel& level : levels) {
    json.BeginArray()
        .String(FixedPoint(level.price, row.price_decimals))
        .String(FixedPoint(level.value.quantity, row.quantity_decimals))
        .EndArray();
  }
  json.EndArray();
}

}  // namespace

void AppendTradeMessage(std::string& out, const persistence::InstrumentRow& row,
                        const bookstate::TradePrint& trade) {
  JsonWriter json(out);
  const Timestamp ms = trade.time / kNanosPerMilli;
  json.BeginObject().Member("e", "trade");
  json.Key("E").Int(ms);
  json.Member("s", row.symbol);
  json.Key("t").Int(trade.sequence);
  json.Member("p", FixedPoint(trade.price, row.price_decimals));
  json.Member("q", FixedPoint(trade.quantity, row.quantity_decimals));
  json.Key("T").Int(ms);
  // The buyer made the market when the taker sold.
  json.Key("m").Bool(trade.taker_side == Side::kSell);
  json.Key("M").Bool(true);  // Binance: "ignore"
  json.EndObject();
}

void AppendAggTradeMessage(std::string& out, const persistence::InstrumentRow& row,
                           const TradeAggregate& trade) {
  JsonWriter json(out);
  const Timestamp ms = trade.time / kNanosPerMilli;
  json.BeginObject().Member("e", "aggTrade");
  json.Key("E").Int(ms);
  json.Member("s", row.symbol);
  json.Key("a").Int(trade.id);
  json.Member("p", FixedPoint(trade.price, row.price_decimals));
  json.Member("q", FixedPoint(trade.quantity, row.quantity_decimals));
  json.Key("f").Int(trade.first);
  json.Key("l").Int(trade.last);
  json.Key("T").Int(ms);
  json.Key("m").Bool(trade.taker_side == Side::kSell);
  json.Key("M").Bool(true);
  json.EndObject();
}

void AppendKlineMessage(std::string& out, const persistence::InstrumentRow& row,
                        const candles::Candle& c, bool closed, Timestamp event_time) {
  const int pd = row.price_decimals, qd = row.quantity_decimals;
  JsonWriter json(out);
  json.BeginObject().Member("e", "kline");
  json.Key("E").Int(event_time / kNanosPerMilli);
  json.Member("s", row.symbol);
  json.Key("k").BeginObject();
  json.Key("t").Int(c.open_time / kNanosPerMilli);
  json.Key("T").Int(c.close_time / kNanosPerMilli - 1);
  json.Member("s", row.symbol);
  json.Member("i", candles::IntervalName(c.interval));
  json.Key("f").Int(c.first_trade_id);
  json.Key("L").Int(c.last_trade_id);
  json.Member("o", FixedPoint(c.open, pd));
  json.Member("c", FixedPoint(c.close, pd));
  json.Member("h", FixedPoint(c.high, pd));
  json.Member("l", FixedPoint(c.low, pd));
  json.Member("v", FixedPoint(c.volume, qd));
  json.Key("n").Int(c.trade_count);
  json.Key("x").Bool(closed);
  json.Member("q", FixedPoint(c.quote_volume, pd + qd));
  json.EndObject().EndObject();
}

void AppendDepthMessage(std::string& out, const persistence::InstrumentRow& row,
                        const DepthUpdate& update) {
  JsonWriter json(out);
  json.BeginObject().Member("e", "depthUpdate");
  json.Key("E").Int(update.time / kNanosPerMilli);
  json.Member("s", row.symbol);
  json.Key("U").Int(update.first);
  json.Key("u").Int(update.last);
  json.Key("pu").Int(update.prev);
  json.Key("b");
  Levels(json, update.bids, row);
  json.Key("a");
  Levels(json, update.asks, row);
  json.EndObject();
}

namespace {

template <typename Side>
void TopLevels(JsonWriter& json, const Side& side, std::size_t levels,
               const persistence::InstrumentRow& row) {
  json.BeginArray();
  std::size_t n = 0;
  for (auto it = side.begin(); it != side.end() && n < levels; ++it, ++n) {
    json.BeginArray()
        .String(FixedPoint(it->first, row.price_decimals))
        .String(FixedPoint(it->second.quantity, row.quantity_decimals))
        .EndArray();
  }
  json.EndArray();
}

}  // namespace

void AppendPartialDepthMessage(std::string& out, const persistence::InstrumentRow& row,
                               Sequence last_update_id,
                               const std::map<Price, bookstate::LevelValue, std::greater<>>& bids,
                               const std::map<Price, bookstate::LevelValue>& asks,
                               std::size_t levels) {
  JsonWriter json(out);
  json.BeginObject();
  json.Key("lastUpdateId").Int(last_update_id);
  json.Key("bids");
  TopLevels(json, bids, levels, row);
  json.Key("asks");
  TopLevels(json, asks, levels, row);
  json.EndObject();
}

void AppendBookTickerMessage(std::string& out, const persistence::InstrumentRow& row,
                             Sequence update_id, const BookTop& top) {
  JsonWriter json(out);
  json.BeginObject();
  json.Key("u").Int(update_id);
  json.Member("s", row.symbol);
  json.Member("b", FixedPoint(top.bid, row.price_decimals));
  json.Member("B", FixedPoint(top.bid_quantity, row.quantity_decimals));
  json.Member("a", FixedPoint(top.ask, row.price_decimals));
  json.Member("A", FixedPoint(top.ask_quantity, row.quantity_decimals));
  json.EndObject();
}

void AppendMiniTickerMessage(std::string& out, const persistence::InstrumentRow& row,
                             const TickerContent& t, Timestamp event_time) {
  const StatsText text = FormatStats(row, t.stats);
  JsonWriter json(out);
  json.BeginObject().Member("e", "24hrMiniTicker");
  json.Key("E").Int(event_time / kNanosPerMilli);
  json.Member("s", row.symbol);
  json.Member("c", text.close).Member("o", text.open).Member("h", text.high);
  json.Member("l", text.low).Member("v", text.volume).Member("q", text.quote_volume);
  json.EndObject();
}

namespace {

// The trades' range and count, the tickers' last fields.
void TickerRange(JsonWriter& json, const WindowStats& s, Timestamp open_time,
                 Timestamp close_time) {
  json.Key("O").Int(open_time / kNanosPerMilli);
  json.Key("C").Int(close_time / kNanosPerMilli);
  json.Key("F").Int(s.first_id);
  json.Key("L").Int(s.last_id);
  json.Key("n").Int(s.trades);
}

}  // namespace

void AppendTickerMessage(std::string& out, const persistence::InstrumentRow& row,
                         const TickerContent& t, Timestamp event_time, Timestamp open_time,
                         Timestamp close_time) {
  const int pd = row.price_decimals, qd = row.quantity_decimals;
  const StatsText text = FormatStats(row, t.stats);
  JsonWriter json(out);
  json.BeginObject().Member("e", "24hrTicker");
  json.Key("E").Int(event_time / kNanosPerMilli);
  json.Member("s", row.symbol);
  json.Member("p", text.change).Member("P", text.change_percent).Member("w", text.weighted_avg);
  json.Member("x", FixedPoint(t.prev_close, pd)).Member("c", text.close);
  json.Member("Q", FixedPoint(t.last_qty, qd));
  json.Member("b", FixedPoint(t.top.bid, pd)).Member("B", FixedPoint(t.top.bid_quantity, qd));
  json.Member("a", FixedPoint(t.top.ask, pd)).Member("A", FixedPoint(t.top.ask_quantity, qd));
  json.Member("o", text.open).Member("h", text.high).Member("l", text.low);
  json.Member("v", text.volume).Member("q", text.quote_volume);
  TickerRange(json, t.stats, open_time, close_time);
  json.EndObject();
}

void AppendWindowTickerMessage(std::string& out, const persistence::InstrumentRow& row,
                               std::string_view window, const TickerContent& t,
                               Timestamp event_time, Timestamp open_time, Timestamp close_time) {
  const StatsText text = FormatStats(row, t.stats);
  JsonWriter json(out);
  json.BeginObject().Member("e", std::string(window) + "Ticker");
  json.Key("E").Int(event_time / kNanosPerMilli);
  json.Member("s", row.symbol);
  json.Member("p", text.change).Member("P", text.change_percent);
  json.Member("o", text.open).Member("h", text.high).Member("l", text.low);
  json.Member("c", text.close).Member("w", text.weighted_avg);
  json.Member("v", text.volume).Member("q", text.quote_volume);
  TickerRange(json, t.stats, open_time, close_time);
  json.EndObject();
}

void AppendAvgPriceMessage(std::string& out, const persistence::InstrumentRow& row,
                           const TickerContent& t, int minutes, Timestamp event_time) {
  JsonWriter json(out);
  json.BeginObject().Member("e", "avgPrice");
  json.Key("E").Int(event_time / kNanosPerMilli);
  json.Member("s", row.symbol);
  json.Member("i", std::to_string(minutes) + "m");
  json.Member("w", AveragePrice(row, t.stats, t.last_price));
  json.Key("T").Int(t.last_time / kNanosPerMilli);
  json.EndObject();
}

void AppendCombined(std::string& out, std::string_view stream, std::string_view message) {
  out += "{\"stream\":\"";
  AppendJsonEscaped(out, stream);
  out += "\",\"data\":";
  out += message;
  out += '}';
}

}  // namespace exchange::md
