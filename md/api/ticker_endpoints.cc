#include "md/api/ticker_endpoints.h"

#include <chrono>
#include <limits>

#include "base/fixed_point_text.h"
#include "md/api/json_writer.h"
#include "md/api/rolling_window.h"
#include "md/api/window_params.h"

namespace exchange::md {
namespace {

using persistence::InstrumentRow;

constexpr Timestamp kNanosPerMilli = 1'000'000;
constexpr Timestamp kMinute = 60'000'000'000;
constexpr Timestamp kHour = 60 * kMinute;
constexpr Timestamp kDay = 24 * kHour;

Timestamp Now() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// `type`: FULL (the default) or MINI; -1139 otherwise.
bool FullType(const QueryParams& params) {
  const auto type = params.Find("type");
  if (!type || *type == "FULL") return true;
  if (*type == "MINI") return false;
  throw RequestError(400, binance_code::kInvalidTickerType,
                     "Invalid ticker type '" + std::string(*type) + "': use FULL or MINI");
}

// tradingDay's and ticker's symbols: `symbol` or `symbols` (at most 100),
// one of them mandatory.
SymbolSelection WindowSymbols(MarketDataSource& source, const QueryParams& params) {
  if (!params.Find("symbol") && !params.Find("symbols")) {
    throw RequestError(400, binance_code::kMissingParameter,
                       "Param 'symbol' or 'symbols' must be sent, but both were empty/null!");
  }
  return SelectSymbols(source, params, TickerEndpoints::kMaxWindowSymbols);
}

// The selection's objects: one, or an array.
template <typename Write>
Reply Each(const SymbolSelection& selection, Write write) {
  Reply reply;
  JsonWriter json(reply.body);
  if (!selection.single) json.BeginArray();
  for (const NamedInstrument& s : selection.symbols)
    write(json, s);
  if (!selection.single) json.EndArray();
  return reply;
}

std::string PriceText(const std::optional<bookstate::Quote>& q, const InstrumentRow& row,
                      bool price) {
  if (!q) return price ? FixedPoint(0, row.price_decimals) : FixedPoint(0, row.quantity_decimals);
  return price ? FixedPoint(q->price, row.price_decimals)
               : FixedPoint(q->quantity, row.quantity_decimals);
}

}  // namespace

Reply TickerEndpoints::Ticker24h(const QueryParams& params) {
  const SymbolSelection selection = SelectSymbols(source_, params);
  const bool full = FullType(params);
  const Timestamp now = Now();
  const Timestamp from = candles::BucketStart(now - kDay, candles::CandleInterval::k1m);
  return Each(selection, [&](JsonWriter& json, const NamedInstrument& s) {
    WindowStats stats = RollingStats(source_, s.row.symbol, from);
    const bookstate::BookSnapshot book = source_.Book(s.row.symbol, 1);
    TickerExtras extras;
    if (book.last_trade) {
      stats.close = book.last_trade->price;  // the last trade, even before the window
      extras.last_qty = book.last_trade->quantity;
    }
    extras.bid = book.best_bid;
    extras.ask = book.best_ask;
    const auto before =
        source_.Candles(s.row.symbol, candles::CandleInterval::k1m,
                        CandleWindow{std::numeric_limits<Timestamp>::min(), from, 1, true});
    if (!before.empty()) extras.prev_close = before.back().close;
    WriteStats(json, s.name, s.row, stats, (now - kDay) / kNanosPerMilli, now / kNanosPerMilli,
               full, full ? &extras : nullptr);
  });
}

Reply TickerEndpoints::TradingDay(const QueryParams& params) {
  const SymbolSelection selection = WindowSymbols(source_, params);
  const bool full = FullType(params);
  const auto zone_text = params.Find("timeZone");
  const auto zone = zone_text ? ParseTimeZone(*zone_text) : std::optional<int>(0);
  if (!zone) {
    throw RequestError(400, binance_code::kInvalidParameter,
                       "Invalid 'timeZone' '" + std::string(*zone_text) +
                           "': hours, or hours:minutes, from -12:00 to +14:00 (e.g. 8, -1:00)");
  }
  const Timestamp now = Now();
  const Timestamp offset = *zone * kMinute;
  const Timestamp day_start = (now + offset) / kDay * kDay - offset;
  return Each(selection, [&](JsonWriter& json, const NamedInstrument& s) {
    const WindowStats stats = RollingStats(source_, s.row.symbol, day_start);
    WriteStats(json, s.name, s.row, stats, day_start / kNanosPerMilli,
               (day_start + kDay) / kNanosPerMilli - 1, full);
  });
}

Reply TickerEndpoints::Rolling(const QueryParams& params) {
  const SymbolSelection selection = WindowSymbols(source_, params);
  const bool full = FullType(params);
  const auto size_text = params.Find("windowSize");
  const auto size = size_text ? ParseWindowSize(*size_text) : std::optional<Timestamp>(kDay);
  if (!size) {
    throw RequestError(
        400, binance_code::kInvalidParameter,
        "Invalid 'windowSize' '" + std::string(*size_text) + "': 1m to 59m, 1h to 23h or 1d to 7d");
  }
  const Timestamp now = Now();
  const Timestamp from = candles::BucketStart(now - *size, candles::CandleInterval::k1m);
  return Each(selection, [&](JsonWriter& json, const NamedInstrument& s) {
    const WindowStats stats = RollingStats(source_, s.row.symbol, from);
    WriteStats(json, s.name, s.row, stats, from / kNanosPerMilli, now / kNanosPerMilli, full);
  });
}

Reply TickerEndpoints::Price(const QueryParams& params) {
  const SymbolSelection selection = SelectSymbols(source_, params);
  return Each(selection, [&](JsonWriter& json, const NamedInstrument& s) {
    const bookstate::BookSnapshot book = source_.Book(s.row.symbol, 1);
    const ::exchange::Price last = book.last_trade ? book.last_trade->price : 0;
    json.BeginObject()
        .Member("symbol", s.name)
        .Member("price", FixedPoint(last, s.row.price_decimals))
        .EndObject();
  });
}

Reply TickerEndpoints::BookTicker(const QueryParams& params) {
  const SymbolSelection selection = SelectSymbols(source_, params);
  return Each(selection, [&](JsonWriter& json, const NamedInstrument& s) {
    const bookstate::BookSnapshot book = source_.Book(s.row.symbol, 1);
    json.BeginObject()
        .Member("symbol", s.name)
        .Member("bidPrice", PriceText(book.best_bid, s.row, true))
        .Member("bidQty", PriceText(book.best_bid, s.row, false))
        .Member("askPrice", PriceText(book.best_ask, s.row, true))
        .Member("askQty", PriceText(book.best_ask, s.row, false))
        .EndObject();
  });
}

Reply TickerEndpoints::AvgPrice(const QueryParams& params) {
  const NamedInstrument s = RequiredSymbol(source_, params);
  const Timestamp now = Now();
  // The 1m candles of the last 5 minutes (the live one merged): up to 59.999 s
  // more than 5 minutes, as Binance's rolling windows.
  const Timestamp from =
      candles::BucketStart(now - kAvgPriceMinutes * kMinute, candles::CandleInterval::k1m);
  const WindowStats stats = RollingStats(source_, s.row.symbol, from);
  const bookstate::BookSnapshot book = source_.Book(s.row.symbol, 1);
  // No trade in the window: the last trade's price (0 without one).
  const ::exchange::Price last = book.last_trade ? book.last_trade->price : 0;
  Reply reply;
  JsonWriter json(reply.body);
  json.BeginObject().Key("mins").Number(std::to_string(kAvgPriceMinutes));
  json.Member("price", AveragePrice(s.row, stats, last));
  json.Key("closeTime").Int(book.last_trade ? book.last_trade->time / kNanosPerMilli : 0);
  json.EndObject();
  return reply;
}

}  // namespace exchange::md
