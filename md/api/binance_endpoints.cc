#include "md/api/binance_endpoints.h"

#include <charconv>
#include <chrono>
#include <limits>

#include "base/fixed_point_text.h"
#include "candles/candle_interval.h"
#include "md/api/exchange_info.h"
#include "md/api/json_writer.h"
#include "md/api/window_params.h"

namespace exchange::md {
namespace {

using persistence::InstrumentRow;

constexpr Timestamp kNanosPerMilli = 1'000'000;
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

}  // namespace

Reply BinanceEndpoints::Klines(const QueryParams& params) {
  const candles::CandleInterval interval = IntervalParam(params);
  // Intervals are UTC's: `timeZone` (klines, uiKlines) may only say so.
  if (const auto zone = params.Find("timeZone"); zone && ParseTimeZone(*zone) != 0) {
    throw RequestError(400, binance_code::kInvalidParameter,
                       "Invalid 'timeZone' '" + std::string(*zone) +
                           "': klines here are in UTC only; send 0 or leave it out");
  }
  const auto start = params.Int("startTime", 0, kMaxMillis);
  const auto end = params.Int("endTime", 0, kMaxMillis);
  const std::int64_t limit = params.IntOr("limit", kDefaultKlines, 1, kMaxKlines);
  if (start && end && *start > *end) {
    throw RequestError(400, binance_code::kStartAfterEnd,
                       "Start time is greater than end time: startTime " + std::to_string(*start) +
                           " > endTime " + std::to_string(*end));
  }
  const InstrumentRow row = RequiredSymbol(source_, params).row;

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
  const InstrumentRow row = RequiredSymbol(source_, params).row;
  const std::int64_t limit = params.IntOr("limit", kDefaultDepth, 1, kMaxDepth);
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

Reply BinanceEndpoints::ExchangeInfo(const QueryParams& params) {
  const SymbolSelection selection = SelectSymbols(source_, params);
  Reply reply;
  JsonWriter json(reply.body);
  WriteExchangeInfo(json, selection.symbols, limits_, Now() / kNanosPerMilli);
  return reply;
}

Reply BinanceEndpoints::Ping() {
  return Reply{"{}"};
}

Reply BinanceEndpoints::SystemStatus() {
  return Reply{"{\"status\":0,\"msg\":\"normal\"}"};
}

Reply BinanceEndpoints::Time() {
  Reply reply;
  JsonWriter json(reply.body);
  json.BeginObject().Key("serverTime").Int(Now() / kNanosPerMilli).EndObject();
  return reply;
}

}  // namespace exchange::md
