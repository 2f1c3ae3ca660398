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

void AppendCombined(std::string& out, std::string_view stream, std::string_view message) {
  out += "{\"stream\":\"";
  AppendJsonEscaped(out, stream);
  out += "\",\"data\":";
  out += message;
  out += '}';
}

}  // namespace exchange::md
