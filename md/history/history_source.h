// HistorySource: a serving thread's reads of the PostgreSQL history, with
// the read-only role: the instruments, stored candles of a window (the
// candles table's primary key (symbol, interval, open_time); never the
// trades), the newest candle before a time, and a symbol's trades: the
// recent ones and those of a time window (the (symbol, time) B-tree, newest
// day partition first), those from a trade id ((symbol, trade_id)).
//
// The history's version (HistoryVersion) and the candles changed since a
// trade id are what the per-thread klines cache (klines_cache.h) needs to
// stay exact.
//
// Every query is a prepared statement, prepared once per connection. The
// connection is made on first use and again after it is lost
// (ReconnectGate's pace); PostgreSQL unreachable: BackendUnavailable. Any
// other PostgreSQL failure (a missing table, say) is persistence::PgError.
//
// Owned by one serving thread; one thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "candles/candle.h"
#include "md/data/reconnect_gate.h"
#include "persistence/history_writer.h"  // InstrumentRow
#include "persistence/pg_connection.h"

struct pg_conn;
struct pg_result;

namespace exchange::md {

// Which candles of a window [from, to) (ns): the oldest or the newest
// `limit` of them. Results are always oldest first.
struct CandleWindow {
  Timestamp from = 0;
  Timestamp to = 0;
  std::int64_t limit = 500;
  bool newest = false;
};

// How far the stored history is: every shard's sink_progress row, which
// HistoryWriter rewrites in the transaction of every batch it commits,
// candle changes included (ON CONFLICT DO UPDATE: a new row version, so a
// new writer transaction id, at every commit). Two equal versions read at
// two moments: no candle changed in between.
struct HistoryVersion {
  struct Shard {
    std::string name;
    Sequence up_to = 0;           // the last engine sequence stored (trade ids are sequences)
    std::int64_t writer_xid = 0;  // the transaction that last wrote the row (its xmin)
    bool operator==(const Shard&) const = default;
  };
  // sink_progress's oid: a re-created schema (tests, benchmarks) has other
  // tables. 0 with no rows.
  std::int64_t progress_table = 0;
  std::vector<Shard> shards;  // by name
  bool operator==(const HistoryVersion&) const = default;
};

// A row of `trades`, as the market-data API shows it.
struct TradeRecord {
  Sequence id = 0;
  Timestamp time = 0;  // ns (stored with µs precision)
  Price price = 0;
  Quantity quantity = 0;
  Side aggressor = Side::kBuy;
  std::uint64_t taker_account = 0;  // the taker's order: its account and client order id
  std::uint64_t taker_order_id = 0;
};

class HistorySource {
 public:
  HistorySource(std::string url, std::string schema, std::chrono::milliseconds retry);
  ~HistorySource();
  HistorySource(const HistorySource&) = delete;
  HistorySource& operator=(const HistorySource&) = delete;

  std::vector<persistence::InstrumentRow> Instruments();
  std::vector<candles::Candle> Candles(std::string_view symbol, candles::CandleInterval interval,
                                       const CandleWindow& window);
  // The stored candles opening at or after `from` whose last trade id is
  // above `after_trade_id`, oldest first: every candle a batch committed
  // after `after_trade_id` changed or added (a candle's last trade id is
  // the highest of its trades).
  std::vector<candles::Candle> CandlesChangedAfter(std::string_view symbol,
                                                   candles::CandleInterval interval, Timestamp from,
                                                   Sequence after_trade_id);
  // The sink_progress rows (a tiny table: one prepared query, no index).
  // In two halves when the caller has something else to wait for (the live
  // candle from Redis): SendVersion sends the query, Version takes its
  // answer (without one sent, Version runs it). An answer never taken is
  // dropped before the next query.
  void SendVersion();
  HistoryVersion Version();
  // From now on (and after every reconnect) LISTENs on
  // persistence::kHistoryChannel, for TakeChanged. A listener must call
  // TakeChanged now and then even when idle: PostgreSQL's notification
  // queue cannot be trimmed past a listener that does not read.
  void ListenForCommits();
  // Whether a history commit may have happened since the last call: a
  // notification on persistence::kHistoryChannel for this schema arrived
  // (HistoryWriter sends one in each commit's transaction), or the
  // connection is new or broken, or ListenForCommits was never called. Reads only what already
  // reached the socket: no query, no wait. A commit's notification arrives shortly after the commit
  // (PostgreSQL signals the listening backend at commit; it sends once idle).
  bool TakeChanged();
  // The newest stored candle opening before `before`.
  std::optional<candles::Candle> CandleBefore(std::string_view symbol,
                                              candles::CandleInterval interval, Timestamp before);
  // The newest `limit` trades before `before` (by time, then trade id),
  // oldest first ((symbol, time) B-tree).
  std::vector<TradeRecord> RecentTrades(std::string_view symbol, std::int64_t limit,
                                        Timestamp before = std::numeric_limits<Timestamp>::max());
  // The first `limit` trades from trade id `from_id` on, by trade id
  // ((symbol, trade_id) B-tree, migration 0005).
  std::vector<TradeRecord> TradesFromId(std::string_view symbol, Sequence from_id,
                                        std::int64_t limit);
  // The trade before trade id `id`, if any.
  std::optional<TradeRecord> TradeBefore(std::string_view symbol, Sequence id);
  // The oldest `limit` trades of [from, to), by time, then trade id.
  std::vector<TradeRecord> TradesFromTime(std::string_view symbol, Timestamp from, Timestamp to,
                                          std::int64_t limit);

 private:
  pg_conn* Connection();
  void Connect();
  void Disconnect();
  // Runs prepared statement `statement` (history_source.cc's list).
  persistence::PgResult Run(int statement, const std::vector<std::string>& params);
  // `result` of `statement` if it has rows; else the failure, thrown.
  persistence::PgResult Checked(int statement, pg_result* result);
  // Drops the answer of a query sent and not taken.
  void Drain();

  std::string url_;
  std::string schema_;
  ReconnectGate gate_;
  pg_conn* conn_ = nullptr;
  bool version_sent_ = false;  // SendVersion's answer not taken yet
  bool listening_ = false;     // ListenForCommits was called
  bool changed_ = true;        // TakeChanged's answer when no notification came
};

}  // namespace exchange::md
