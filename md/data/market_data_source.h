// MarketDataSource: everything a serving thread reads, in the API's terms:
// instruments (a symbol unknown to the `instruments` table is a
// RequestError 400), books and live candles from Redis, candle series
// (stored candles with the live one merged, candle_series.h), and recent
// trades from PostgreSQL. Stored candles come through the thread's
// KlinesCache (klines_cache.h: exact, one small version query a request
// when nothing changed). One per serving thread, each with its own Redis
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
#include "md/data/depth_cache.h"
#include "md/data/redis_source.h"
#include "md/history/history_source.h"
#include "md/history/instrument_catalog.h"
#include "md/history/klines_cache.h"

namespace exchange::md {

struct SourceOptions {
  std::string redis_url;
  std::string pg_url;
  std::string pg_schema = "public";
  std::chrono::milliseconds retry{250};
  // The thread's klines cache: candles kept, all symbols and intervals
  // together (about 300 bytes each); 0: no cache.
  std::size_t klines_cache_rows = 50'000;
  // When the cache reads the history's version again (klines_cache.h).
  // Tests that need an answer to include a commit at once, with no wait for
  // its notification, use kEveryRequest.
  KlinesFreshness klines_freshness = KlinesFreshness::kOnNotify;
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
  // The book view's sequence (nullopt: no view), and the thread's depth
  // bodies kept by it (depth_cache.h).
  std::optional<Sequence> BookSequence(std::string_view symbol) {
    return redis_.BookSequence(symbol);
  }
  DepthCache& depth_cache() { return depth_cache_; }
  // The candles of the window, oldest first, the live one merged.
  std::vector<candles::Candle> Candles(std::string_view symbol, candles::CandleInterval interval,
                                       const CandleWindow& window);
  // The same as Binance klines (kline_json.h), appended to `out` as one
  // JSON array; the stored ones' texts come rendered from the cache.
  void AppendKlines(std::string& out, const persistence::InstrumentRow& instrument,
                    candles::CandleInterval interval, const CandleWindow& window);
  // The open time of the newest candle opening before `before`, if any.
  std::optional<Timestamp> OpenTimeBefore(std::string_view symbol, candles::CandleInterval interval,
                                          Timestamp before);
  // Trades from PostgreSQL (history_source.h): the newest before a time,
  // from a trade id, the one before an id, the oldest of a time window.
  std::vector<TradeRecord> RecentTrades(std::string_view symbol, std::int64_t limit,
                                        Timestamp before = std::numeric_limits<Timestamp>::max()) {
    return history_.RecentTrades(symbol, limit, before);
  }
  std::vector<TradeRecord> TradesFromId(std::string_view symbol, Sequence from_id,
                                        std::int64_t limit) {
    return history_.TradesFromId(symbol, from_id, limit);
  }
  std::optional<TradeRecord> TradeBefore(std::string_view symbol, Sequence id) {
    return history_.TradeBefore(symbol, id);
  }
  std::vector<TradeRecord> TradesFromTime(std::string_view symbol, Timestamp from, Timestamp to,
                                          std::int64_t limit) {
    return history_.TradesFromTime(symbol, from, to, limit);
  }
  const KlinesCache& klines_cache() const { return klines_; }
  // Housekeeping, every second on the serving thread (KlinesCache::Tick).
  // Never throws.
  void Tick() noexcept;

 private:
  // The live candle, or nullopt when Redis is away (logged once per outage).
  std::optional<candles::Candle> LiveCandleIfReachable(std::string_view symbol,
                                                       candles::CandleInterval interval);

  RedisSource redis_;
  HistorySource history_;
  InstrumentCatalog catalog_;
  KlinesCache klines_;
  DepthCache depth_cache_;
  std::vector<CachedCandle*> series_;  // reused by AppendKlines
  bool redis_away_logged_ = false;
};

}  // namespace exchange::md
