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

void AppendCombined(std::string& out, std::string_view stream, std::string_view message) {
  out += "{\"stream\":\"";
  AppendJsonEscaped(out, stream);
  out += "\",\"data\":";
  out += message;
  out += '}';
}

}  // namespace exchange::md
