#include "md/api/binance_endpoints.h"

#include <charconv>
#include <chrono>
#include <limits>
#include <nlohmann/json.hpp>

#include "base/fixed_point_text.h"
#include "candles/candle_interval.h"
#include "md/api/json_writer.h"

namespace exchange::md {
namespace {

using persistence::InstrumentRow;

constexpr Timestamp kNanosPerMilli = 1'000'000;
constexpr Timestamp kDay = 86'400'000'000'000;
// Times a request may name: 1970 to the end of 9999, in milliseconds.
constexpr std::int64_t kMaxMillis = 253'402'300'799'999;

Timestamp Now() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Milliseconds as nanoseconds, saturating past 2262.
Timestamp MillisToNs(std::int64_t millis) {
  constexpr std::int64_t kLimit = std::numeric_limits<Timestamp>::max() / kNanosPerMilli;
  return millis >= kLimit ? std::numeric_limits<Timestamp>::max() : millis * kNanosPerMilli;
}

candles::CandleInterval IntervalParam(const QueryParams& params) {
  const std::string_view name = params.Required("interval");
  if (const auto interval = candles::ParseInterval(name)) return *interval;
  std::string message = "Invalid interval '";
  message += name;
  message += "': use one of 1s 1m 3m 5m 15m 30m 1h 2h 4h 6h 8h 12h 1d 3d 1w 1M";
  throw RequestError(400, binance_code::kBadInterval, message);
}

// [["price","qty"],...], as JsonWriter would write it (the texts need no
// escaping), with AppendFixedPoint: a depth of 100 levels a side is 400
// numbers a request.
void AppendLevels(std::string& out, const std::vector<bookstate::DecodedLevel>& levels,
                  const InstrumentRow& row) {
  out += '[';
  for (std::size_t i = 0; i < levels.size(); ++i) {
    out += i == 0 ? "[\"" : ",[\"";
    AppendFixedPoint(out, levels[i].price, row.price_decimals);
    out += "\",\"";
    AppendFixedPoint(out, levels[i].value.quantity, row.quantity_decimals);
    out += "\"]";
  }
  out += ']';
}

// "BTC-USD" → {"BTC", "USD"}; a name without a separator is all base.
std::pair<std::string_view, std::string_view> AssetsOf(std::string_view symbol) {
  const auto cut = symbol.find_first_of("-/_");
  if (cut == std::string_view::npos) return {symbol, ""};
  return {symbol.substr(0, cut), symbol.substr(cut + 1)};
}

void SymbolInfo(JsonWriter& json, const InstrumentRow& row) {
  const auto [base, quote] = AssetsOf(row.symbol);
  json.BeginObject()
      .Member("symbol", row.symbol)
      .Member("status", "TRADING")
      .Member("baseAsset", base)
      .Member("quoteAsset", quote);
  json.Key("baseAssetPrecision").Int(row.quantity_decimals);
  json.Key("quotePrecision").Int(row.price_decimals);
  json.Key("quoteAssetPrecision").Int(row.price_decimals);
  json.Key("orderTypes").BeginArray();
  for (std::string_view type : {"LIMIT", "LIMIT_MAKER", "MARKET", "STOP_LOSS", "STOP_LOSS_LIMIT"})
    json.String(type);
  json.EndArray();
  json.Key("icebergAllowed").Bool(true);
  json.Key("isSpotTradingAllowed").Bool(true);
  json.Key("filters").BeginArray();
  const std::string tick = FixedPoint(row.tick_size, row.price_decimals);
  const std::string lot = FixedPoint(row.lot_size, row.quantity_decimals);
  json.BeginObject()
      .Member("filterType", "PRICE_FILTER")
      .Member("minPrice", tick)
      .Member("maxPrice", "0")
      .Member("tickSize", tick)
      .EndObject();
  json.BeginObject()
      .Member("filterType", "LOT_SIZE")
      .Member("minQty", lot)
      .Member("maxQty", "0")
      .Member("stepSize", lot)
      .EndObject();
  json.EndArray().EndObject();
}

// The sums of a run of candles.
struct Totals {
  Price open = 0, high = 0, low = 0, close = 0;
  Quantity volume = 0;
  __int128 quote_volume = 0;
  std::uint64_t trades = 0;
  std::int64_t first_id = -1, last_id = -1;
};

Totals TotalsOf(const std::vector<candles::Candle>& run) {
  Totals t;
  for (const candles::Candle& c : run) {
    if (t.trades == 0) {
      t.open = c.open;
      t.high = c.high;
      t.low = c.low;
      t.first_id = static_cast<std::int64_t>(c.first_trade_id);
    }
    t.high = std::max(t.high, c.high);
    t.low = std::min(t.low, c.low);
    t.close = c.close;
    t.volume += c.volume;
    t.quote_volume += c.quote_volume;
    t.trades += c.trade_count;
    t.last_id = static_cast<std::int64_t>(c.last_trade_id);
  }
  return t;
}

}  // namespace

Reply BinanceEndpoints::Klines(const QueryParams& params) {
  const std::string_view symbol = params.Required("symbol");
  const candles::CandleInterval interval = IntervalParam(params);
  const auto start = params.Int("startTime", 0, kMaxMillis);
  const auto end = params.Int("endTime", 0, kMaxMillis);
  const std::int64_t limit = params.IntOr("limit", kDefaultKlines, 1, kMaxKlines);
  if (start && end && *start > *end) {
    throw RequestError(400, binance_code::kStartAfterEnd,
                       "Start time is greater than end time: startTime " + std::to_string(*start) +
                           " > endTime " + std::to_string(*end));
  }
  const InstrumentRow& row = source_.Instrument(symbol);

  // Klines opening in [startTime, endTime], both inclusive (Binance): the
  // oldest `limit` from startTime, or the newest up to endTime without one.
  CandleWindow window;
  window.from = start ? MillisToNs(*start) : std::numeric_limits<Timestamp>::min();
  window.to = end ? MillisToNs(*end + 1) : std::numeric_limits<Timestamp>::max();
  window.limit = limit;
  window.newest = !start;
  Reply reply;
  source_.AppendKlines(reply.body, row, interval, window);
  return reply;
}

Reply BinanceEndpoints::Depth(const QueryParams& params) {
  const std::string_view symbol = params.Required("symbol");
  const std::int64_t limit = params.IntOr("limit", kDefaultDepth, 1, kMaxDepth);
  const InstrumentRow& row = source_.Instrument(symbol);
  const auto levels = static_cast<std::size_t>(limit);
  Reply reply;
  // The body sent last, while the view's sequence has not moved (one HGET).
  DepthCache& cache = source_.depth_cache();
  const int pd = row.price_decimals, qd = row.quantity_decimals;
  if (const auto sequence = source_.BookSequence(row.symbol)) {
    if (const std::string* body = cache.Find(row.symbol, levels, *sequence, pd, qd)) {
      reply.body = *body;
      return reply;
    }
  }
  const bookstate::BookSnapshot book = source_.Book(row.symbol, levels);
  std::string& out = reply.body;
  out.reserve(64 + (book.bids.size() + book.asks.size()) * 40);
  out += "{\"lastUpdateId\":";
  char sequence[24];
  out.append(sequence, std::to_chars(sequence, sequence + sizeof(sequence), book.sequence).ptr);
  out += ",\"bids\":";
  AppendLevels(out, book.bids, row);
  out += ",\"asks\":";
  AppendLevels(out, book.asks, row);
  out += '}';
  if (book.sequence != 0) cache.Store(row.symbol, levels, book.sequence, pd, qd, out);
  return reply;
}

Reply BinanceEndpoints::Trades(const QueryParams& params) {
  const std::string_view symbol = params.Required("symbol");
  const std::int64_t limit = params.IntOr("limit", kDefaultTrades, 1, kMaxTrades);
  const InstrumentRow& row = source_.Instrument(symbol);
  const std::vector<TradeRecord> trades = source_.RecentTrades(row.symbol, limit);
  const int pd = row.price_decimals, qd = row.quantity_decimals;
  Reply reply;
  JsonWriter json(reply.body);
  json.BeginArray();
  for (const TradeRecord& t : trades) {
    const __int128 quote = static_cast<__int128>(t.price) * t.quantity;
    json.BeginObject()
        .Key("id")
        .Int(t.id)
        .Member("price", FixedPoint(t.price, pd))
        .Member("qty", FixedPoint(t.quantity, qd))
        .Member("quoteQty", FixedPoint(quote, pd + qd))
        .Key("time")
        .Int(t.time / kNanosPerMilli)
        .Key("isBuyerMaker")
        .Bool(t.aggressor == Side::kSell)
        .Key("isBestMatch")
        .Bool(true)
        .EndObject();
  }
  json.EndArray();
  return reply;
}

void BinanceEndpoints::WriteTicker(JsonWriter& json, const InstrumentRow& row, Timestamp now) {
  // The 1m candles of the last 24 hours (the live one merged), and the
  // close before them.
  CandleWindow window;
  window.from = candles::BucketStart(now - kDay, candles::CandleInterval::k1m);
  window.to = std::numeric_limits<Timestamp>::max();
  window.limit = 24 * 60 + 2;
  const auto minutes = source_.Candles(row.symbol, candles::CandleInterval::k1m, window);
  const Totals t = TotalsOf(minutes);
  const bookstate::BookSnapshot book = source_.Book(row.symbol, 1);
  const int pd = row.price_decimals, qd = row.quantity_decimals;

  Price last = t.close;
  Quantity last_qty = 0;
  if (book.last_trade) {
    last = book.last_trade->price;
    last_qty = book.last_trade->quantity;
  }
  Price prev_close = 0;
  if (const auto before = source_.Candles(
          row.symbol, candles::CandleInterval::k1m,
          CandleWindow{std::numeric_limits<Timestamp>::min(), window.from, 1, true});
      !before.empty()) {
    prev_close = before.back().close;
  }
  const Price change = t.trades > 0 ? last - t.open : 0;
  const auto quote = [&](const std::optional<bookstate::Quote>& q, bool price) {
    if (!q) return std::string(price ? FixedPoint(0, pd) : FixedPoint(0, qd));
    return price ? FixedPoint(q->price, pd) : FixedPoint(q->quantity, qd);
  };
  json.BeginObject()
      .Member("symbol", row.symbol)
      .Member("priceChange", FixedPoint(change, pd))
      .Member("priceChangePercent",
              t.trades > 0 && t.open != 0
                  ? DecimalRatio(static_cast<__int128>(change) * 100, t.open, 0, 3)
                  : std::string("0.000"))
      .Member("weightedAvgPrice",
              t.volume > 0 ? DecimalRatio(t.quote_volume, t.volume, pd, pd) : FixedPoint(0, pd))
      .Member("prevClosePrice", FixedPoint(prev_close, pd))
      .Member("lastPrice", FixedPoint(last, pd))
      .Member("lastQty", FixedPoint(last_qty, qd))
      .Member("bidPrice", quote(book.best_bid, true))
      .Member("bidQty", quote(book.best_bid, false))
      .Member("askPrice", quote(book.best_ask, true))
      .Member("askQty", quote(book.best_ask, false))
      .Member("openPrice", FixedPoint(t.open, pd))
      .Member("highPrice", FixedPoint(t.high, pd))
      .Member("lowPrice", FixedPoint(t.low, pd))
      .Member("volume", FixedPoint(t.volume, qd))
      .Member("quoteVolume", FixedPoint(t.quote_volume, pd + qd))
      .Key("openTime")
      .Int((now - kDay) / kNanosPerMilli)
      .Key("closeTime")
      .Int(now / kNanosPerMilli)
      .Key("firstId")
      .Int(t.first_id)
      .Key("lastId")
      .Int(t.last_id)
      .Key("count")
      .Int(t.trades)
      .EndObject();
}

BinanceEndpoints::Selection BinanceEndpoints::SelectInstruments(const QueryParams& params) {
  Selection selection;
  const auto symbol = params.Find("symbol");
  const auto symbols = params.Find("symbols");
  if (symbol && symbols) {
    throw RequestError(400, binance_code::kBadParameterCombination,
                       "Combination of optional parameters invalid: 'symbol' and 'symbols' "
                       "together; send one");
  }
  if (symbol) {
    selection.single = true;
    selection.rows.push_back(&source_.Instrument(*symbol));
    return selection;
  }
  if (!symbols) {
    for (const InstrumentRow& row : source_.Instruments())
      selection.rows.push_back(&row);
    return selection;
  }
  const nlohmann::json list = nlohmann::json::parse(*symbols, nullptr, /*allow_exceptions=*/false);
  const auto malformed = [&] {
    return RequestError(400, binance_code::kInvalidParameter,
                        "'symbols' must be a non-empty JSON array of symbol names, e.g. "
                        "[\"AAPL\",\"MSFT\"], not '" +
                            std::string(*symbols) + "'");
  };
  if (!list.is_array() || list.empty() || list.size() > source_.Instruments().size() + 100) {
    throw malformed();
  }
  for (const nlohmann::json& name : list) {
    if (!name.is_string()) throw malformed();
    selection.rows.push_back(&source_.Instrument(name.get<std::string>()));
  }
  return selection;
}

Reply BinanceEndpoints::Ticker24h(const QueryParams& params) {
  const Selection selection = SelectInstruments(params);
  const Timestamp now = Now();
  Reply reply;
  JsonWriter json(reply.body);
  if (selection.single) {
    WriteTicker(json, *selection.rows.front(), now);
    return reply;
  }
  json.BeginArray();
  for (const InstrumentRow* row : selection.rows)
    WriteTicker(json, *row, now);
  json.EndArray();
  return reply;
}

Reply BinanceEndpoints::ExchangeInfo(const QueryParams& params) {
  const Selection selection = SelectInstruments(params);
  Reply reply;
  JsonWriter json(reply.body);
  json.BeginObject().Member("timezone", "UTC").Key("serverTime").Int(Now() / kNanosPerMilli);
  json.Key("rateLimits").BeginArray().EndArray();
  json.Key("exchangeFilters").BeginArray().EndArray();
  json.Key("symbols").BeginArray();
  for (const InstrumentRow* row : selection.rows)
    SymbolInfo(json, *row);
  json.EndArray().EndObject();
  return reply;
}

}  // namespace exchange::md
