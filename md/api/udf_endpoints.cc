#include "md/api/udf_endpoints.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <limits>
#include <utility>

#include "base/fixed_point_text.h"
#include "md/api/json_writer.h"

namespace exchange::md {
namespace {

using candles::CandleInterval;

constexpr std::string_view kExchangeName = "exchange-core";
constexpr Timestamp kNanosPerSecond = 1'000'000'000;
// Times a request may name: 1970 to the end of 9999, in seconds.
constexpr std::int64_t kMaxSeconds = 253'402'300'799;

constexpr std::array<std::pair<std::string_view, CandleInterval>, 19> kResolutions = {{
    {"1S", CandleInterval::k1s},  {"1", CandleInterval::k1m},   {"3", CandleInterval::k3m},
    {"5", CandleInterval::k5m},   {"15", CandleInterval::k15m}, {"30", CandleInterval::k30m},
    {"60", CandleInterval::k1h},  {"120", CandleInterval::k2h}, {"240", CandleInterval::k4h},
    {"360", CandleInterval::k6h}, {"480", CandleInterval::k8h}, {"720", CandleInterval::k12h},
    {"1D", CandleInterval::k1d},  {"3D", CandleInterval::k3d},  {"1W", CandleInterval::k1w},
    {"1M", CandleInterval::k1M},  {"D", CandleInterval::k1d},   {"W", CandleInterval::k1w},
    {"M", CandleInterval::k1M},
}};
constexpr std::size_t kAdvertisedResolutions = 16;  // the aliases D W M are not advertised

void SupportedResolutions(JsonWriter& json) {
  json.BeginArray();
  for (std::size_t i = 0; i < kAdvertisedResolutions; ++i)
    json.String(kResolutions[i].first);
  json.EndArray();
}

void StringArray(JsonWriter& json, std::initializer_list<std::string_view> items) {
  json.BeginArray();
  for (std::string_view s : items)
    json.String(s);
  json.EndArray();
}

// "EXCHANGE:BTC-USD" names BTC-USD too.
std::string_view WithoutExchangePrefix(std::string_view symbol) {
  const auto colon = symbol.find(':');
  return colon == std::string_view::npos ? symbol : symbol.substr(colon + 1);
}

std::int64_t PowerOfTen(int exponent) {
  std::int64_t v = 1;
  for (int i = 0; i < exponent; ++i)
    v *= 10;
  return v;
}

bool ContainsIgnoringCase(std::string_view haystack, std::string_view needle) {
  const auto it = std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(),
                              [](char a, char b) {
                                return std::toupper(static_cast<unsigned char>(a)) ==
                                       std::toupper(static_cast<unsigned char>(b));
                              });
  return it != haystack.end();
}

void SearchResult(JsonWriter& json, const persistence::InstrumentRow& row) {
  json.BeginObject()
      .Member("symbol", row.symbol)
      .Member("full_name", row.symbol)
      .Member("description", row.symbol)
      .Member("exchange", kExchangeName)
      .Member("ticker", row.symbol)
      .Member("type", "crypto")
      .EndObject();
}

// One array of the bars' values ("o", "h", ...), as JSON numbers.
template <typename Value>
void BarColumn(JsonWriter& json, std::string_view name, const std::vector<candles::Candle>& bars,
               Value value) {
  json.Key(name).BeginArray();
  for (const candles::Candle& c : bars)
    json.Number(value(c));
  json.EndArray();
}

// Seconds as nanoseconds, saturating past 2262.
Timestamp SecondsToNs(std::int64_t seconds) {
  constexpr std::int64_t kLimit = std::numeric_limits<Timestamp>::max() / kNanosPerSecond;
  return seconds >= kLimit ? std::numeric_limits<Timestamp>::max() : seconds * kNanosPerSecond;
}

std::string NoData(std::optional<Timestamp> next_time) {
  std::string body;
  JsonWriter json(body);
  json.BeginObject().Member("s", "no_data");
  if (next_time) json.Key("nextTime").Int(*next_time / kNanosPerSecond);
  json.EndObject();
  return body;
}

}  // namespace

std::optional<CandleInterval> IntervalOfResolution(std::string_view resolution) {
  for (const auto& [name, interval] : kResolutions) {
    if (name == resolution) return interval;
  }
  return std::nullopt;
}

Reply UdfEndpoints::Config() {
  Reply reply;
  JsonWriter json(reply.body);
  json.BeginObject().Key("supported_resolutions");
  SupportedResolutions(json);
  json.Key("supports_group_request").Bool(false);
  json.Key("supports_marks").Bool(false);
  json.Key("supports_search").Bool(true);
  json.Key("supports_timescale_marks").Bool(false);
  json.Key("supports_time").Bool(true);
  json.Key("exchanges").BeginArray();
  json.BeginObject().Member("value", "").Member("name", "All Exchanges").Member("desc", "");
  json.EndObject();
  json.BeginObject()
      .Member("value", kExchangeName)
      .Member("name", kExchangeName)
      .Member("desc", kExchangeName)
      .EndObject();
  json.EndArray();
  json.Key("symbols_types").BeginArray();
  json.BeginObject().Member("name", "All types").Member("value", "").EndObject();
  json.BeginObject().Member("name", "crypto").Member("value", "crypto").EndObject();
  json.EndArray().EndObject();
  return reply;
}

Reply UdfEndpoints::Symbols(const QueryParams& params) {
  const persistence::InstrumentRow& row =
      source_.Instrument(WithoutExchangePrefix(params.Required("symbol")));
  Reply reply;
  JsonWriter json(reply.body);
  json.BeginObject()
      .Member("name", row.symbol)
      .Member("ticker", row.symbol)
      .Member("description", row.symbol)
      .Member("type", "crypto")
      .Member("session", "24x7")
      .Member("timezone", "Etc/UTC")
      .Member("exchange", kExchangeName)
      .Member("listed_exchange", kExchangeName)
      .Member("format", "price");
  json.Key("minmov").Int(row.tick_size);
  json.Key("pricescale").Int(PowerOfTen(row.price_decimals));
  json.Key("has_intraday").Bool(true);
  json.Key("has_seconds").Bool(true);
  json.Key("seconds_multipliers");
  StringArray(json, {"1"});
  json.Key("intraday_multipliers");
  StringArray(json, {"1", "3", "5", "15", "30", "60", "120", "240", "360", "480", "720"});
  json.Key("has_daily").Bool(true);
  json.Key("daily_multipliers");
  StringArray(json, {"1", "3"});
  json.Key("has_weekly_and_monthly").Bool(true);
  json.Key("weekly_multipliers");
  StringArray(json, {"1"});
  json.Key("monthly_multipliers");
  StringArray(json, {"1"});
  json.Key("has_empty_bars").Bool(false);
  json.Key("supported_resolutions");
  SupportedResolutions(json);
  json.Key("volume_precision").Int(row.quantity_decimals);
  json.Member("data_status", "streaming").EndObject();
  return reply;
}

Reply UdfEndpoints::Search(const QueryParams& params) {
  const std::string_view query = params.Find("query").value_or("");
  const std::int64_t limit = params.IntOr("limit", 30, 1, 1000);
  Reply reply;
  JsonWriter json(reply.body);
  json.BeginArray();
  std::int64_t found = 0;
  for (const persistence::InstrumentRow& row : source_.Instruments()) {
    if (found == limit) break;
    if (!ContainsIgnoringCase(row.symbol, query)) continue;
    SearchResult(json, row);
    ++found;
  }
  json.EndArray();
  return reply;
}

Reply UdfEndpoints::Time() {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  return Reply{std::to_string(std::chrono::duration_cast<std::chrono::seconds>(now).count()),
               "text/plain"};
}

Reply UdfEndpoints::History(const QueryParams& params) {
  const std::string_view symbol = WithoutExchangePrefix(params.Required("symbol"));
  const std::string_view resolution = params.Required("resolution");
  const auto interval = IntervalOfResolution(resolution);
  if (!interval) {
    std::string message = "unsupported resolution '";
    message += resolution;
    message += "': use one of 1S 1 3 5 15 30 60 120 240 360 480 720 1D 3D 1W 1M";
    throw RequestError(400, binance_code::kBadInterval, message);
  }
  const std::int64_t to = params.RequiredInt("to", 0, kMaxSeconds);
  const auto countback = params.Int("countback", 1, kMaxBars);
  const auto from = countback ? params.Int("from", 0, kMaxSeconds)
                              : std::optional(params.RequiredInt("from", 0, kMaxSeconds));
  if (from && *from > to) {
    std::string message = "from (";
    message += std::to_string(*from);
    message += ") is after to (";
    message += std::to_string(to);
    message += ")";
    throw RequestError(400, binance_code::kStartAfterEnd, message);
  }
  const persistence::InstrumentRow& row = source_.Instrument(symbol);

  // countback wins over from (UDF): the newest `countback` bars before `to`.
  CandleWindow window;
  window.to = SecondsToNs(to);
  window.from = countback ? std::numeric_limits<Timestamp>::min() : SecondsToNs(*from);
  window.limit = countback ? *countback : kMaxBars;
  window.newest = true;
  const std::vector<candles::Candle> bars = source_.Candles(row.symbol, *interval, window);
  if (bars.empty()) {
    const auto next =
        countback ? std::nullopt : source_.OpenTimeBefore(row.symbol, *interval, window.from);
    return Reply{NoData(next)};
  }

  const int pd = row.price_decimals;
  Reply reply;
  JsonWriter json(reply.body);
  json.BeginObject().Member("s", "ok").Key("t").BeginArray();
  for (const candles::Candle& c : bars)
    json.Int(c.open_time / kNanosPerSecond);
  json.EndArray();
  BarColumn(json, "o", bars, [pd](const auto& c) { return FixedPoint(c.open, pd); });
  BarColumn(json, "h", bars, [pd](const auto& c) { return FixedPoint(c.high, pd); });
  BarColumn(json, "l", bars, [pd](const auto& c) { return FixedPoint(c.low, pd); });
  BarColumn(json, "c", bars, [pd](const auto& c) { return FixedPoint(c.close, pd); });
  const int qd = row.quantity_decimals;
  BarColumn(json, "v", bars, [qd](const auto& c) { return FixedPoint(c.volume, qd); });
  json.EndObject();
  return reply;
}

}  // namespace exchange::md
