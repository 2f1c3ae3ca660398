// KlinesCache: a serving thread's copy of the stored candles it serves (the
// `candles` table's rows), per (symbol, interval), each with its Binance
// kline text rendered once, so that a klines request costs one single-row
// PostgreSQL query instead of reading and formatting hundreds of rows. The
// UDF history and the 24-hour ticker read their candles through it too.
//
// An entry holds every stored candle of its (symbol, interval) opening at
// or after its `lo` (a suffix of the series, up to the newest), as of its
// HistoryVersion: the sink_progress rows, which HistoryWriter rewrites in
// the very transaction of every commit that changes a candle. Each request
// reads the version first (history_source.h; PrefetchVersion sends the
// query so that PostgreSQL answers while the caller reads Redis) and then:
//
//   same version   nothing has been committed since the entry was read: its
//                  rows are PostgreSQL's rows now; served from memory.
//   newer version  every candle changed since has a last trade id above the
//                  old version's sequence (trade ids are engine sequences and
//                  a candle keeps its highest trade id), so one query for
//                  the entry's candles with last_trade_id above it brings
//                  the entry up to date: new buckets, the open bucket's
//                  growth, a closed bucket reached by a late trade (one
//                  stamped earlier than the live bucket) alike.
//   anything else  a shard's sequence went back or did not move while its
//                  row was rewritten, a shard appeared or vanished, another
//                  sink_progress table (a re-created schema): the entry is
//                  dropped and read again.
//
// No bucket is ever taken for final: a response is PostgreSQL's state as of
// the version read at its start, as the uncached query would be (an
// extension read racing a commit is answered from PostgreSQL directly). The
// live candle from Redis is merged per request by the caller, as before.
// The one assumption: candles change only through HistoryWriter (a hand-made
// UPDATE of `candles` without touching sink_progress would not be seen).
//
// Memory: at most `max_rows` candles for all entries of the thread together
// (about 300 bytes each with the kline text); the least recently used
// entries are evicted to make room, and a window that would need more rows
// than that is read from PostgreSQL directly, uncached (a window with more
// buckets than the cap but maybe few candles, one starting long before the
// first trade say, first gets one read of at most 10,000 rows into the free
// room). max_rows 0: no cache, every window read from PostgreSQL.
//
// When the version is read (KlinesFreshness): kEveryRequest, as above, one
// single-row query per request, and an answer is PostgreSQL's state when it
// began. kOnNotify (the service's default): read again only after a
// history commit was announced (HistoryWriter's NOTIFY, HistorySource::
// TakeChanged), so a request while nothing is committed costs no query at
// all. An answer then includes every commit whose notification had reached
// exchange-md: a commit is served from the moment its notification
// arrives, typically well under a millisecond after it (the live candle
// is read from Redis per request either way).
//
// Owned by one serving thread (through its MarketDataSource); one thread,
// no locks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "candles/candle.h"
#include "md/history/history_source.h"

namespace exchange::md {

// A stored candle and, once asked for, its kline text.
class CachedCandle {
 public:
  CachedCandle() = default;
  explicit CachedCandle(const candles::Candle& c) : candle(c) {}

  // The Binance kline of the candle (kline_json.h), rendered on first use
  // for these decimals and kept.
  const std::string& Kline(int price_decimals, int quantity_decimals);

  candles::Candle candle;

 private:
  std::string kline_;
  int price_decimals_ = -1;
  int quantity_decimals_ = -1;
};

// When KlinesCache reads the history's version again (above).
enum class KlinesFreshness { kEveryRequest, kOnNotify };

// "every-request" or "on-notify"; nullopt for anything else.
std::optional<KlinesFreshness> ParseKlinesFreshness(std::string_view text);

class KlinesCache {
 public:
  struct Stats {
    std::uint64_t hits = 0;           // served from memory, no candle read
    std::uint64_t refreshes = 0;      // entries brought up to date (changed candles read)
    std::uint64_t extensions = 0;     // entries filled or extended to older candles
    std::uint64_t direct = 0;         // windows read from PostgreSQL, uncached
    std::uint64_t dropped = 0;        // entries dropped: version not comparable, or evicted
    std::uint64_t version_reads = 0;  // sink_progress queries
  };

  KlinesCache(HistorySource& history, std::size_t max_rows,
              KlinesFreshness freshness = KlinesFreshness::kEveryRequest);

  // Takes in the commit notifications that came, without a request
  // (on-notify; nothing otherwise). The serving thread calls it every
  // second so that an idle thread still reads them (history_source.h).
  void Tick();

  // Sends the version query when the next Window will need one, so that
  // PostgreSQL answers while the caller reads Redis (optional).
  void PrefetchVersion();

  // The stored candles of the window, oldest first (at most window.limit),
  // exactly as PostgreSQL has them at the version read by this call. Valid
  // until the next call. Throws as HistorySource does.
  std::span<CachedCandle> Window(std::string_view symbol, candles::CandleInterval interval,
                                 const CandleWindow& window);

  std::size_t rows() const { return rows_; }
  std::size_t entries() const { return entries_.size(); }
  const Stats& stats() const { return stats_; }

 private:
  struct Entry {
    std::string symbol;
    candles::CandleInterval interval = candles::CandleInterval::k1m;
    std::vector<CachedCandle> rows;  // oldest first
    // Every stored candle opening at or after lo is in rows; the largest
    // Timestamp: none read yet.
    Timestamp lo = std::numeric_limits<Timestamp>::max();
    HistoryVersion version;
    std::uint64_t used = 0;  // the tick of its last request (LRU)
  };

  std::span<CachedCandle> Direct(std::string_view symbol, candles::CandleInterval interval,
                                 const CandleWindow& window);
  // Brings `e` to `version`: reads the changed candles, or empties it.
  void Refresh(Entry& e, const HistoryVersion& version);
  // Whether the entry's rows answer the window.
  static bool Covers(const Entry& e, const CandleWindow& window);
  // The rows one read must add to `e` so that it covers the window (an
  // upper bound: at most one candle per bucket).
  static std::size_t RowsNeeded(const Entry& e, const CandleWindow& window);
  // Reads the newest `count` stored candles of [window.from, e.lo) into `e`.
  void Extend(Entry& e, const CandleWindow& window, std::size_t count);
  // Evicts least recently used entries other than `keep` until `extra`
  // more rows fit; false when they cannot.
  bool MakeRoom(const Entry& keep, std::size_t extra);
  void Clear(Entry& e);
  static std::span<CachedCandle> Slice(Entry& e, const CandleWindow& window);

  // Whether the version must be read again (freshness_); once due, due
  // until read.
  bool VersionDue();
  // The version: read now, or (kOnNotify) the last one read while no
  // commit was announced since.
  const HistoryVersion& CurrentVersion();

  HistorySource& history_;
  std::size_t max_rows_;
  KlinesFreshness freshness_;
  HistoryVersion version_;
  bool version_known_ = false;  // version_ was read
  bool version_due_ = false;    // a commit was announced since version_ was read
  bool version_sent_ = false;   // PrefetchVersion sent the query
  std::size_t rows_ = 0;
  std::uint64_t tick_ = 0;
  std::unordered_map<std::string, Entry> entries_;  // by symbol '\n' interval name
  std::string key_;                                 // reused
  std::vector<CachedCandle> direct_;                // Direct's rows
  Stats stats_;
};

}  // namespace exchange::md
