#include "bench/md/market_data.h"

#include <pqxx/pqxx>
#include <string_view>

#include "bookstate/live_candle.h"
#include "bookstate/view_keys.h"

namespace exchange::bench::md_bench {

void DropSchema(const std::string& url, const std::string& schema) {
  pqxx::connection c(url);
  pqxx::work w(c);
  w.exec0("DROP SCHEMA IF EXISTS " + w.quote_name(schema) + " CASCADE");
  w.commit();
}

// The live candle of every interval as the history sink writes it
// (candle:{S}:I, bookstate::LiveCandleCommand's HSET).
void WriteLiveCandles(redis::RedisClient& client, const candles::CandleAggregator& aggregator,
                      const std::string& symbol) {
  for (const candles::CandleInterval interval : candles::AllIntervals()) {
    const auto live = aggregator.Live(symbol, interval);
    if (!live) continue;
    const std::vector<std::string> command = bookstate::LiveCandleCommand(*live);
    const std::vector<std::string_view> argv(command.begin(), command.end());
    const redis::RedisReply reply = client.Command(argv);
    if (reply.is_error())
      throw std::runtime_error("redis: " + command[1] + ": " + std::string(reply.str()));
  }
}

void DeleteRedisData(const std::string& redis_url, const std::string& symbol) {
  redis::RedisClient client(redis::ParseRedisUrl(redis_url));
  bookstate::BookStateWriter::DeleteView(client, symbol);
  for (const candles::CandleInterval interval : candles::AllIntervals())
    client.Command({"DEL", bookstate::CandleKeyOf(symbol, candles::IntervalName(interval))});
}

}  // namespace exchange::bench::md_bench
