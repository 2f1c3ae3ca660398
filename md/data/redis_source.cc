#include "md/data/redis_source.h"

#include <map>

#include "bookstate/view_keys.h"

namespace exchange::md {
namespace {

constexpr std::string_view kNoView = "no book view for symbol";

redis::RedisOptions Options() {
  redis::RedisOptions options;
  options.connect_timeout = std::chrono::milliseconds(1000);
  options.command_timeout = std::chrono::milliseconds(2000);
  return options;
}

template <typename Int>
Int FieldOf(const std::map<std::string_view, std::string_view>& fields, std::string_view name,
            std::string_view key) {
  const auto it = fields.find(name);
  const auto value = it == fields.end() ? std::nullopt : bookstate::ParseInt<Int>(it->second);
  if (!value) {
    std::string message(key);
    message += ": field ";
    message += name;
    message += " is missing or malformed";
    throw bookstate::ViewError(message);
  }
  return *value;
}

// A decimal integer of up to 38 digits (quote volumes).
__int128 BigFieldOf(const std::map<std::string_view, std::string_view>& fields,
                    std::string_view name, std::string_view key) {
  const auto it = fields.find(name);
  std::string_view text = it == fields.end() ? std::string_view() : it->second;
  const bool negative = !text.empty() && text.front() == '-';
  if (negative) text.remove_prefix(1);
  __int128 value = 0;
  bool ok = !text.empty() && text.size() <= 38;
  for (const char c : text) {
    if (c < '0' || c > '9') ok = false;
    value = value * 10 + (c - '0');
  }
  if (!ok) {
    std::string message(key);
    message += ": field ";
    message += name;
    message += " is missing or malformed";
    throw bookstate::ViewError(message);
  }
  return negative ? -value : value;
}

}  // namespace

RedisSource::RedisSource(const std::string& url, std::chrono::milliseconds retry)
    : url_(redis::ParseRedisUrl(url)), gate_(retry) {}

redis::RedisClient& RedisSource::Client() {
  if (client_ && client_->ok()) return *client_;
  client_.reset();
  gate_.CheckOpen();
  try {
    client_ = std::make_unique<redis::RedisClient>(url_, Options());
  } catch (const redis::RedisError& e) {
    throw BackendUnavailable(gate_.Failed(std::string("redis unavailable: ") + e.what()));
  }
  gate_.Succeeded();
  return *client_;
}

template <typename Read>
auto RedisSource::Reading(Read read) -> decltype(read(std::declval<redis::RedisClient&>())) {
  redis::RedisClient& client = Client();
  try {
    return read(client);
  } catch (const redis::RedisError& e) {
    client_.reset();
    throw BackendUnavailable(gate_.Failed(std::string("redis unavailable: ") + e.what()));
  }
}

bookstate::BookSnapshot RedisSource::ReadBook(std::string_view symbol, std::size_t levels) {
  return Reading([&](redis::RedisClient& client) {
    try {
      return bookstate::BookStateReader(client).ReadBook(symbol, levels);
    } catch (const bookstate::ViewError& e) {
      if (std::string_view(e.what()).substr(0, kNoView.size()) != kNoView) throw;
      bookstate::BookSnapshot empty;
      empty.symbol = std::string(symbol);
      empty.complete = levels == 0;
      return empty;
    }
  });
}

std::optional<Sequence> RedisSource::BookSequence(std::string_view symbol) {
  const std::string key = bookstate::KeyOf(symbol, bookstate::ViewKey::kState);
  return Reading([&](redis::RedisClient& client) -> std::optional<Sequence> {
    const redis::RedisReply reply = client.Command({"HGET", key, "seq"});
    if (reply.is_error()) throw bookstate::ViewError("redis: " + std::string(reply.str()));
    if (reply.is_nil()) return std::nullopt;
    const auto sequence = bookstate::ParseInt<Sequence>(reply.str());
    if (!sequence) throw bookstate::ViewError(key + ": field seq is malformed");
    return *sequence;
  });
}

std::optional<candles::Candle> RedisSource::LiveCandle(std::string_view symbol,
                                                       candles::CandleInterval interval) {
  const std::string key = bookstate::CandleKeyOf(symbol, candles::IntervalName(interval));
  return Reading([&](redis::RedisClient& client) -> std::optional<candles::Candle> {
    const redis::RedisReply reply = client.Command({"HGETALL", key});
    if (reply.is_error()) throw bookstate::ViewError("redis: " + std::string(reply.str()));
    if (reply.size() == 0) return std::nullopt;
    std::map<std::string_view, std::string_view> fields;
    for (std::size_t i = 0; i + 1 < reply.size(); i += 2)
      fields.emplace(reply.element(i).str(), reply.element(i + 1).str());
    candles::Candle c;
    c.symbol = SymbolName(symbol);
    c.interval = interval;
    c.open_time = FieldOf<Timestamp>(fields, "open_time", key);
    c.close_time = FieldOf<Timestamp>(fields, "close_time", key);
    c.open = FieldOf<Price>(fields, "open", key);
    c.high = FieldOf<Price>(fields, "high", key);
    c.low = FieldOf<Price>(fields, "low", key);
    c.close = FieldOf<Price>(fields, "close", key);
    c.volume = FieldOf<Quantity>(fields, "volume", key);
    c.quote_volume = BigFieldOf(fields, "quote_volume", key);
    c.trade_count = FieldOf<std::uint64_t>(fields, "trades", key);
    c.first_trade_id = FieldOf<Sequence>(fields, "first_trade_id", key);
    c.last_trade_id = FieldOf<Sequence>(fields, "last_trade_id", key);
    if (c.trade_count == 0) return std::nullopt;
    return c;
  });
}

}  // namespace exchange::md
