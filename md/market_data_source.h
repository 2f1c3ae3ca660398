// MarketDataSource: everything a serving thread reads, in the API's terms:
// instruments (a symbol unknown to the `instruments` table is a
// RequestError 400), books and live candles from Redis, candle series
// (stored candles with the live one merged, candle_series.h), and recent
// trades from PostgreSQL. One per serving thread, each with its own Redis
// and PostgreSQL connections, so no request waits for another thread.
//
// Backends: Redis or PostgreSQL unreachable is BackendUnavailable (503),
// except for candle series, which are served from PostgreSQL alone while
// Redis is away (the table's open row is at most one history batch behind).
//
// Owned by one serving thread; one thread.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bookstate/book_state_reader.h"
#include "md/history_source.h"
#include "md/instrument_catalog.h"
#include "md/redis_source.h"

namespace exchange::md {

struct SourceOptions {
  std::string redis_url;
  std::string pg_url;
  std::string pg_schema = "public";
  std::chrono::milliseconds retry{250};
};

class MarketDataSource {
 public:
  // Connects nothing yet. Throws redis::RedisError on a malformed Redis URL.
  explicit MarketDataSource(const SourceOptions& options);

  // The instrument; RequestError (400, bad symbol) when unknown.
  const persistence::InstrumentRow& Instrument(std::string_view symbol);
  const std::vector<persistence::InstrumentRow>& Instruments() { return catalog_.All(); }

  bookstate::BookSnapshot Book(std::string_view symbol, std::size_t levels) {
    return redis_.ReadBook(symbol, levels);
  }
  // The candles of the window, oldest first, the live one merged.
  std::vector<candles::Candle> Candles(std::string_view symbol, candles::CandleInterval interval,
                                       const CandleWindow& window);
  // The open time of the newest candle opening before `before`, if any.
  std::optional<Timestamp> OpenTimeBefore(std::string_view symbol, candles::CandleInterval interval,
                                          Timestamp before);
  std::vector<TradeRecord> RecentTrades(std::string_view symbol, std::int64_t limit) {
    return history_.RecentTrades(symbol, limit);
  }

 private:
  // The live candle, or nullopt when Redis is away (logged once per outage).
  std::optional<candles::Candle> LiveCandleIfReachable(std::string_view symbol,
                                                       candles::CandleInterval interval);

  RedisSource redis_;
  HistorySource history_;
  InstrumentCatalog catalog_;
  bool redis_away_logged_ = false;
};

}  // namespace exchange::md
