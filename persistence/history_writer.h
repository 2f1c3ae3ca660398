// HistoryWriter: writes HistoryBatches to PostgreSQL, each in one
// transaction: the trades (COPY), the balance changes (COPY into `ledger`,
// cash risk), the finished orders (COPY), the candle
// changes merged into `candles` (INSERT ... ON CONFLICT, with the candle
// monoid: open by the lower first trade id, close by the higher last, sums,
// extremes), and the shard's row of `sink_progress`. All of a batch is in,
// or none of it: after any crash the tables hold the history up to
// Progress(), with no gap and no duplicate, and the sink resumes after it.
//
// A row PostgreSQL refuses never poisons its batch: rows are copied under a
// savepoint, a refused COPY is split in halves until the refused rows are
// alone, and those come back to the caller with PostgreSQL's reason (the
// sink logs them and keeps them in a file); the rest commits.
//
// Every commit notifies kHistoryChannel (pg_notify in the commit's
// transaction, the schema as payload), so that a reader caching the history (exchange-md's klines
// cache) learns of it without asking.
//
// Trades go to day partitions (trades_YYYYMMDD, UTC), created ahead at
// start-up and whenever a batch has a trade on a day that has none.
//
// Owned by the history sink thread (or a test or benchmark); one thread.
#pragma once

#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "engine/instrument.h"
#include "persistence/copy_binary.h"
#include "persistence/history_batch.h"
#include "persistence/pg_connection.h"

namespace exchange::persistence {

// A row of `instruments`. The limits and assets (migration 0004) are NULL
// in rows written before them; such rows read as the defaults below (the
// engine's own defaults for an instrument that sets none).
struct InstrumentRow {
  std::string symbol;
  int price_decimals = 0;
  int quantity_decimals = 0;
  Price tick_size = 1;
  Quantity lot_size = 1;
  Quantity min_quantity = 1;                              // inclusive
  Quantity max_quantity = InstrumentSpec{}.max_quantity;  // inclusive
  std::string base_asset{};  // asset names; empty when the instrument names none
  std::string quote_asset{};
  StpMode default_stp = StpMode::kCancelResting;
};

// The LISTEN/NOTIFY channel of history commits (any schema).
inline constexpr char kHistoryChannel[] = "exchange_history";

class HistoryWriter {
 public:
  struct Options {
    std::string url;
    std::string schema = "public";  // tests and benchmarks isolate themselves
    std::string shard = "main";     // the engine shard whose history this is
    int partition_days_ahead = 7;
  };
  // A row PostgreSQL refused: the row as COPY text (tab-separated), and why.
  struct RefusedRow {
    std::string table;
    std::string row;
    std::string reason;
  };

  // Connects, applies the migrations, creates the partitions from the day
  // of `now` on. Throws PgError or MigrationError.
  HistoryWriter(Options options, Timestamp now);

  // The engine sequence the stored history reaches for this shard (0: none).
  Sequence Progress();
  // Writes `batch` in one transaction; the rows refused, if any. Throws
  // PgError when the connection is lost or PostgreSQL fails otherwise (the
  // transaction is then rolled back: write the batch again later).
  std::vector<RefusedRow> Write(const HistoryBatch& batch);

  // Write in two steps, for HistoryPipeline: Begin opens the batch's
  // transaction and copies its rows (the bulk of the work; the rows
  // refused), Commit merges its candle changes, saves the progress and
  // commits, Rollback gives it up. Both throw PgError after rolling back.
  std::vector<RefusedRow> Begin(const HistoryBatch& batch);
  void Commit(const HistoryBatch& batch);
  void Rollback();
  // Inserts or updates the instruments (how to read their prices and
  // quantities). Throws PgError.
  void SaveInstruments(const std::vector<InstrumentRow>& instruments);
  // Inserts or updates the assets (how to read the ledger's amounts).
  void SaveAssets(const std::vector<AssetSpec>& assets);
  // The newest stored candle of every (symbol, interval): where a restarted
  // candle aggregator continues.
  std::vector<candles::Candle> NewestCandles();
  // Partitions for `days` days from the day of `now` (idempotent).
  void CreatePartitions(Timestamp now, int days);

  const std::string& address() const { return connection_->address(); }

 private:
  void EnsurePartition(std::int64_t day);
  void RollingBackOnError(const std::function<void()>& work);
  using RowTextOf = std::function<std::string(std::size_t)>;
  // COPY of rows_'s rows [first, last) under a savepoint, split in halves
  // on refusal; a row refused alone goes to `refused` as row_text(index).
  void CopyIsolating(const std::string& table, const std::string& copy_sql, std::size_t first,
                     std::size_t last, const RowTextOf& row_text, std::vector<RefusedRow>* refused);
  // rows_ := `fields` of each row, in binary COPY format; ends_ their ends.
  template <class Row, class Fields>
  void Encode(const std::vector<Row>& rows, Fields fields) {
    rows_.clear();
    ends_.clear();
    for (const Row& row : rows) {
      fields(row, rows_);
      ends_.push_back(rows_.size());
    }
  }
  void UpsertCandles(std::vector<candles::Candle> candles);
  void SaveProgress(Sequence up_to);

  Options options_;
  std::unique_ptr<PgConnection> connection_;
  std::set<std::int64_t> partition_days_;  // days known to have a partition
  CopyBinary rows_;
  std::vector<std::size_t> ends_;  // row ends in rows_
};

}  // namespace exchange::persistence
