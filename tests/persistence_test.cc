// persistence/: the schema migrations against a real PostgreSQL
// (scripts/services.sh, EXCHANGE_PG_URL). Each test works in a schema of
// its own, dropped at the end.
#include <gtest/gtest.h>
#include <unistd.h>

#include <condition_variable>
#include <mutex>
#include <pqxx/pqxx>
#include <string>
#include <thread>
#include <vector>

#include "candles/candle_aggregator.h"
#include "persistence/copy_text.h"
#include "persistence/history_pipeline.h"
#include "persistence/history_writer.h"
#include "persistence/migration.h"
#include "tests/service_env.h"

namespace exchange::persistence {
namespace {

class SchemaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    EXCHANGE_REQUIRE_SERVICE("EXCHANGE_PG_URL", url_);
    schema_ = "exchange_test_" + std::to_string(::getpid()) + "_" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name();
    for (char& c : schema_)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    connection_ = std::make_unique<pqxx::connection>(url_);
    DropSchema();
  }
  void TearDown() override {
    if (connection_) DropSchema();
  }
  void DropSchema() {
    pqxx::work w(*connection_);
    w.exec0("DROP SCHEMA IF EXISTS " + w.quote_name(schema_) + " CASCADE");
    w.commit();
  }
  // One value of a query run with the test's schema first on the path.
  std::string Value(const std::string& sql) {
    pqxx::work w(*connection_);
    w.exec0("SET LOCAL search_path TO " + w.quote_name(schema_));
    const pqxx::row row = w.exec1(sql);
    return row[0].is_null() ? "NULL" : row[0].as<std::string>();
  }

  std::string url_;
  std::string schema_;
  std::unique_ptr<pqxx::connection> connection_;
};

using MigrationTest = SchemaTest;

TEST_F(MigrationTest, FreshDatabaseGetsEverySchemaVersionAndASecondRunIsANoOp) {
  const MigrationReport first = ApplyMigrations(*connection_, kEmbeddedMigrations, schema_);
  ASSERT_FALSE(kEmbeddedMigrations.empty());
  EXPECT_EQ(first.version_before, 0);
  EXPECT_EQ(first.version_after, kEmbeddedMigrations.back().version);
  EXPECT_EQ(first.applied.size(), kEmbeddedMigrations.size());
  EXPECT_EQ(first.applied.front(), "0001_trade_history");
  EXPECT_EQ(Value("SELECT count(*) FROM schema_migrations"),
            std::to_string(kEmbeddedMigrations.size()));
  for (const char* table : {"instruments", "trades", "orders", "candles", "sink_progress"}) {
    EXPECT_EQ(Value("SELECT to_regclass('" + schema_ + "." + table + "') IS NOT NULL"), "t")
        << table;
  }
  EXPECT_EQ(Value("SELECT partstrat FROM pg_partitioned_table WHERE partrelid = '" + schema_ +
                  ".trades'::regclass"),
            "r");  // range

  const MigrationReport second = ApplyMigrations(*connection_, kEmbeddedMigrations, schema_);
  EXPECT_EQ(second.version_before, first.version_after);
  EXPECT_EQ(second.version_after, first.version_after);
  EXPECT_TRUE(second.applied.empty());
  EXPECT_EQ(Value("SELECT count(*) FROM schema_migrations"),
            std::to_string(kEmbeddedMigrations.size()));
}

TEST_F(MigrationTest, NewerDatabaseIsRefused) {
  ApplyMigrations(*connection_, kEmbeddedMigrations, schema_);
  {
    pqxx::work w(*connection_);
    w.exec0("INSERT INTO " + w.quote_name(schema_) +
            ".schema_migrations (version, name) VALUES (9999, '9999_future')");
    w.commit();
  }
  try {
    ApplyMigrations(*connection_, kEmbeddedMigrations, schema_);
    FAIL() << "no MigrationError";
  } catch (const MigrationError& e) {
    EXPECT_NE(std::string(e.what()).find("version 9999, newer than this build's"),
              std::string::npos)
        << e.what();
  }
}

TEST_F(MigrationTest, FailedMigrationSaysWhichAndLeavesNothingBehind) {
  const std::vector<Migration> migrations = {
      {1, "0001_good", "CREATE TABLE good (x int)"},
      {2, "0002_bad", "CREATE TABLE half (x int); SELECT no_such_column FROM half"},
  };
  try {
    ApplyMigrations(*connection_, migrations, schema_);
    FAIL() << "no MigrationError";
  } catch (const MigrationError& e) {
    EXPECT_NE(std::string(e.what()).find("migration 0002_bad failed"), std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("no_such_column"), std::string::npos) << e.what();
  }
  // One transaction: not even the good one stayed.
  EXPECT_EQ(Value("SELECT to_regclass('" + schema_ + ".good') IS NULL"), "t");
  EXPECT_EQ(Value("SELECT to_regclass('" + schema_ + ".half') IS NULL"), "t");
}

TEST_F(MigrationTest, OutOfOrderMigrationsAreRefusedBeforeTouchingTheDatabase) {
  const std::vector<Migration> migrations = {{2, "0002_b", "SELECT 1"}, {1, "0001_a", "SELECT 1"}};
  EXPECT_THROW(ApplyMigrations(*connection_, migrations, schema_), MigrationError);
  EXPECT_EQ(Value("SELECT to_regnamespace('" + schema_ + "') IS NULL"), "t");
}

TEST_F(MigrationTest, ConcurrentStartsApplyEachMigrationOnce) {
  std::vector<MigrationReport> reports(4);
  std::vector<std::string> errors(reports.size());
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < reports.size(); ++i) {
    threads.emplace_back([&, i] {
      try {
        pqxx::connection c(url_);
        reports[i] = ApplyMigrations(c, kEmbeddedMigrations, schema_);
      } catch (const std::exception& e) {
        errors[i] = e.what();
      }
    });
  }
  for (auto& t : threads)
    t.join();
  std::size_t applied = 0;
  for (std::size_t i = 0; i < reports.size(); ++i) {
    EXPECT_EQ(errors[i], "") << "start " << i;
    applied += reports[i].applied.size();
  }
  EXPECT_EQ(applied, kEmbeddedMigrations.size());
  EXPECT_EQ(Value("SELECT count(*) FROM schema_migrations"),
            std::to_string(kEmbeddedMigrations.size()));
}

// ---- HistoryWriter ----

constexpr Timestamp kDay = 86'400'000'000'000;
constexpr Timestamp k2026_11_21 = 20'778 * kDay;  // days since 1970-01-01

TradeRow Trade(Sequence id, Timestamp time, Price price, Quantity quantity) {
  TradeRow t;
  t.symbol = SymbolName("BTC-USD");
  t.trade_id = id;
  t.time = time;
  t.price = price;
  t.quantity = quantity;
  t.aggressor = id % 2 ? Side::kBuy : Side::kSell;
  t.taker_account = 7;
  t.taker_order_id = 100 + id;
  t.maker_account = 8;
  t.maker_order_id = 200 + id;
  return t;
}

class HistoryWriterTest : public SchemaTest {
 protected:
  HistoryWriter Writer() {
    return HistoryWriter(HistoryWriter::Options{url_, schema_, "shard-a", 3}, k2026_11_21);
  }
};

TEST_F(HistoryWriterTest, BatchLandsWholeWithItsProgress) {
  HistoryWriter writer = Writer();
  EXPECT_EQ(writer.Progress(), 0u);
  HistoryBatch batch;
  for (Sequence id = 1; id <= 1000; ++id)
    batch.trades.push_back(Trade(id, k2026_11_21 + static_cast<Timestamp>(id) * 1'000'000'123,
                                 650'000 + static_cast<Price>(id % 7), 1 + id % 3));
  FinishedOrder order;
  order.symbol = SymbolName("BTC-USD");
  order.last_sequence = 1000;
  order.account = 7;
  order.order_id = 42;
  order.exchange_order_id = 9;
  order.quantity = 5;
  order.filled = 5;
  order.finished_at = k2026_11_21;
  order.accepted_at = k2026_11_21 - 1'500'999;  // 1.500999 ms before: µs, truncated
  order.quote_filled = (static_cast<__int128>(1) << 100) + 10'001;  // base-10000 digits with zeros
  batch.orders.push_back(order);
  FinishedOrder seeded = order;  // acceptance unknown
  seeded.exchange_order_id = 10;
  seeded.accepted_at = 0;
  seeded.quote_filled = -20'000'000;  // numeric's sign (never negative in practice)
  batch.orders.push_back(seeded);
  FinishedOrder none = order;
  none.exchange_order_id = 11;
  none.quote_filled = 0;
  batch.orders.push_back(none);
  batch.up_to = 1002;
  EXPECT_TRUE(writer.Write(batch).empty());
  EXPECT_EQ(writer.Progress(), 1002u);
  EXPECT_EQ(Value("SELECT count(*) FROM trades"), "1000");
  EXPECT_EQ(Value("SELECT sum(quantity) FROM trades"), "2000");
  // Microseconds, truncated: trade 1 is at 1.000000123 s.
  EXPECT_EQ(Value("SELECT to_char(time AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') FROM trades "
                  "WHERE trade_id = 1"),
            "2026-11-21 00:00:01.000000");
  EXPECT_EQ(Value("SELECT aggressor_side || taker_order_id || maker_order_id FROM trades WHERE "
                  "trade_id = 3"),
            "B103203");
  EXPECT_EQ(Value("SELECT status || ' ' || filled FROM orders WHERE exchange_order_id = 9"),
            "filled 5");
  EXPECT_EQ(Value("SELECT quote_filled::text FROM orders WHERE exchange_order_id = 9"),
            "1267650600228229401496703215377");
  EXPECT_EQ(Value("SELECT to_char(accepted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') "
                  "FROM orders WHERE exchange_order_id = 9"),
            "2026-11-20 23:59:59.998499");
  EXPECT_EQ(Value("SELECT accepted_at FROM orders WHERE exchange_order_id = 10"), "NULL");
  EXPECT_EQ(Value("SELECT quote_filled::text FROM orders WHERE exchange_order_id = 10"),
            "-20000000");
  EXPECT_EQ(Value("SELECT quote_filled::text FROM orders WHERE exchange_order_id = 11"), "0");
}

TEST_F(HistoryWriterTest, TradeJustBeforeMidnightStaysInItsDay) {
  HistoryWriter writer = Writer();
  HistoryBatch batch;
  batch.trades.push_back(Trade(1, k2026_11_21 + kDay - 1, 100, 1));  // 23:59:59.999999999
  batch.up_to = 1;
  EXPECT_TRUE(writer.Write(batch).empty());
  EXPECT_EQ(Value("SELECT tableoid::regclass::text FROM trades"), "trades_20261121");
  EXPECT_EQ(Value("SELECT to_char(time AT TIME ZONE 'UTC', 'HH24:MI:SS.US') FROM trades"),
            "23:59:59.999999");
}

TEST_F(HistoryWriterTest, PartitionsAreMadeAheadAndOnDemand) {
  HistoryWriter writer = Writer();
  for (const char* day : {"20261121", "20261122", "20261123"}) {
    EXPECT_EQ(
        Value(std::string("SELECT to_regclass('") + schema_ + ".trades_" + day + "') IS NOT NULL"),
        "t")
        << day;
  }
  HistoryBatch batch;
  batch.trades.push_back(Trade(1, k2026_11_21 + 40 * kDay + 5, 100, 1));  // 2026-12-31
  batch.up_to = 1;
  EXPECT_TRUE(writer.Write(batch).empty());
  EXPECT_EQ(Value("SELECT tableoid::regclass::text FROM trades"), "trades_20261231");
  EXPECT_EQ(Value("SELECT count(*) FROM pg_inherits WHERE inhparent = '" + schema_ +
                  ".trades'::regclass"),
            "4");
}

TEST_F(HistoryWriterTest, RefusedRowsDoNotPoisonTheBatch) {
  HistoryWriter writer = Writer();
  HistoryBatch batch;
  for (Sequence id = 1; id <= 500; ++id)
    batch.trades.push_back(Trade(id, k2026_11_21 + static_cast<Timestamp>(id), 100, 1));
  batch.trades[137].quantity = 0;  // CHECK (quantity > 0)
  batch.trades[401].quantity = -5;
  batch.up_to = 500;
  const auto refused = writer.Write(batch);
  ASSERT_EQ(refused.size(), 2u);
  EXPECT_EQ(refused[0].table, "trades");
  EXPECT_TRUE(refused[0].row.starts_with("138\tBTC-USD") || refused[0].row.starts_with("138	"))
      << refused[0].row;
  EXPECT_NE(refused[0].reason.find("check constraint"), std::string::npos) << refused[0].reason;
  EXPECT_TRUE(refused[1].row.starts_with("402	")) << refused[1].row;
  EXPECT_EQ(Value("SELECT count(*) FROM trades"), "498");
  EXPECT_EQ(writer.Progress(), 500u);
}

TEST_F(HistoryWriterTest, CandleChangesMergeIntoWhatIsStored) {
  HistoryWriter writer = Writer();
  std::vector<candles::CandleTrade> trades;
  for (Sequence id = 1; id <= 300; ++id) {
    trades.push_back(candles::CandleTrade{
        SymbolName("BTC-USD"), id, k2026_11_21 + static_cast<Timestamp>(id) * 997'000'000,
        static_cast<Price>(1000 + (id * 7919) % 101), static_cast<Quantity>(1 + id % 5)});
  }
  candles::CandleAggregator aggregator;
  Sequence up_to = 0;
  for (std::size_t i = 0; i < trades.size(); ++i) {
    aggregator.Add(trades[i]);
    if (i % 37 == 36 || i + 1 == trades.size()) {  // several batches, buckets split across them
      HistoryBatch batch;
      batch.candles = aggregator.TakeChanges();
      batch.up_to = up_to = trades[i].trade_id;
      EXPECT_TRUE(writer.Write(batch).empty());
    }
  }
  EXPECT_EQ(writer.Progress(), up_to);
  for (const candles::CandleInterval interval : candles::AllIntervals()) {
    const auto want = candles::ComputeCandles(trades, interval);
    EXPECT_EQ(Value("SELECT count(*) FROM candles WHERE interval = '" +
                    std::string(candles::IntervalName(interval)) + "'"),
              std::to_string(want.size()))
        << candles::IntervalName(interval);
  }
  // NewestCandles reads back exactly the newest bucket of each interval.
  const auto newest = writer.NewestCandles();
  ASSERT_EQ(newest.size(), candles::AllIntervals().size());
  for (const candles::Candle& got : newest) {
    const auto want = candles::ComputeCandles(trades, got.interval);
    ASSERT_FALSE(want.empty());
    EXPECT_EQ(got, want.back()) << candles::IntervalName(got.interval);
  }
}

// ---- HistoryPipeline ----

class HistoryPipelineTest : public HistoryWriterTest {
 protected:
  // The shard names the connections (application_name): one per test, so
  // that a test killing its connections never touches another's (CTest
  // runs them at once).
  // Short: PostgreSQL keeps 63 bytes of an application_name.
  std::string Shard() const {
    return "pipeline " + std::to_string(std::hash<std::string>{}(schema_) % 1'000'000'007);
  }
  HistoryWriter::Options Options() const { return {url_, schema_, Shard(), 3}; }

  // 40 batches of 250 trades over two days, each with its candle changes.
  std::vector<std::shared_ptr<const HistoryBatch>> Batches() {
    candles::CandleAggregator aggregator;
    std::vector<std::shared_ptr<const HistoryBatch>> batches;
    Sequence id = 0;
    for (int b = 0; b < 40; ++b) {
      auto batch = std::make_shared<HistoryBatch>();
      for (int i = 0; i < 250; ++i) {
        ++id;
        batch->trades.push_back(Trade(id, k2026_11_21 + static_cast<Timestamp>(id) * 17'000'000'000,
                                      650'000 + static_cast<Price>(id % 11), 1 + id % 5));
        const TradeRow& t = batch->trades.back();
        aggregator.Add({t.symbol, t.trade_id, t.time, t.price, t.quantity});
      }
      batch->candles = aggregator.TakeChanges();
      batch->up_to = id;
      batches.push_back(std::move(batch));
    }
    return batches;
  }
  std::vector<candles::CandleTrade> TradesOf(
      const std::vector<std::shared_ptr<const HistoryBatch>>& batches) {
    std::vector<candles::CandleTrade> out;
    for (const auto& b : batches)
      for (const TradeRow& t : b->trades)
        out.push_back({t.symbol, t.trade_id, t.time, t.price, t.quantity});
    return out;
  }
  // Waits for `count` commits (or a failure), collecting them in order.
  void Collect(HistoryPipeline& pipeline, std::size_t count,
               std::vector<HistoryPipeline::Committed>* out) {
    std::unique_lock lock(mutex_);
    while (out->size() < count && pipeline.failure().empty()) {
      changed_.wait_for(lock, std::chrono::milliseconds(200));
      for (auto& c : pipeline.TakeCommitted())
        out->push_back(std::move(c));
    }
  }
  std::function<void()> Notify() {
    return [this] {
      { std::lock_guard lock(mutex_); }
      changed_.notify_all();
    };
  }
  void ExpectEveryTradeOnceAndCandlesEqualTheRecomputation(
      const std::vector<std::shared_ptr<const HistoryBatch>>& batches) {
    EXPECT_EQ(Value("SELECT count(*) FROM trades"), "10000");
    EXPECT_EQ(Value("SELECT count(DISTINCT trade_id) FROM trades"), "10000");
    EXPECT_EQ(Value("SELECT min(trade_id) || '-' || max(trade_id) FROM trades"), "1-10000");
    const auto trades = TradesOf(batches);
    for (const candles::CandleInterval interval : candles::AllIntervals()) {
      const auto want = candles::ComputeCandles(trades, interval);
      std::string volume = "0";
      std::int64_t sum = 0;
      for (const auto& c : want)
        sum += c.volume;
      volume = std::to_string(sum);
      const std::string where = "WHERE interval = '" + std::string(candles::IntervalName(interval));
      EXPECT_EQ(Value("SELECT count(*) FROM candles " + where + "'"), std::to_string(want.size()));
      EXPECT_EQ(Value("SELECT sum(volume) FROM candles " + where + "'"), volume);
      EXPECT_EQ(Value("SELECT sum(trade_count) FROM candles " + where + "'"), "10000");
    }
  }

  std::mutex mutex_;
  std::condition_variable changed_;
};

TEST_F(HistoryPipelineTest, BatchesCommitInOrderOverSeveralConnections) {
  const auto batches = Batches();
  HistoryPipeline pipeline(Options(), 3, k2026_11_21, Notify());
  for (const auto& b : batches)
    pipeline.Submit(b);
  std::vector<HistoryPipeline::Committed> committed;
  Collect(pipeline, batches.size(), &committed);
  ASSERT_EQ(pipeline.failure(), "");
  ASSERT_EQ(committed.size(), batches.size());
  for (std::size_t i = 0; i < batches.size(); ++i) {
    EXPECT_EQ(committed[i].up_to, batches[i]->up_to);
    EXPECT_EQ(committed[i].rows, 250u);
  }
  EXPECT_EQ(pipeline.in_flight(), 0u);
  EXPECT_EQ(pipeline.writer().Progress(), 10'000u);
  ExpectEveryTradeOnceAndCandlesEqualTheRecomputation(batches);
}

// A batch held at its commit (another session locks the shard's progress
// row) holds every later batch; connections killed then commit nothing, and
// a new pipeline given the uncommitted batches stores each trade once.
TEST_F(HistoryPipelineTest, AFailureCommitsNothingOutOfOrderAndTheRestIsWrittenAgain) {
  const auto batches = Batches();
  {
    HistoryWriter writer(Options(), k2026_11_21);
    HistoryBatch first;  // so that the progress row exists to be locked
    first.up_to = 0;
    EXPECT_TRUE(writer.Write(first).empty());
  }
  pqxx::connection locker(url_);
  pqxx::work hold(locker);
  hold.exec0("SET LOCAL search_path TO " + hold.quote_name(schema_));
  hold.exec1("SELECT last_sequence FROM sink_progress WHERE shard = " + hold.quote(Shard()) +
             " FOR UPDATE");

  std::vector<HistoryPipeline::Committed> committed;
  {
    HistoryPipeline pipeline(Options(), 2, k2026_11_21, Notify());
    for (const auto& b : batches)
      pipeline.Submit(b);
    // Both connections busy: batch 0 waits for the lock, batch 1 for its turn.
    pqxx::connection observer(url_);
    const std::string waiting =
        "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'exchange-history " +
        Shard() + "' AND wait_event_type = 'Lock'";
    for (;;) {
      pqxx::work w(observer);
      if (w.exec1(waiting)[0].as<int>() == 1) break;
    }
    for (auto& c : pipeline.TakeCommitted())
      committed.push_back(std::move(c));
    EXPECT_TRUE(committed.empty());
    {
      pqxx::work w(observer);
      w.exec(
          "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = "
          "'exchange-history " +
          Shard() + "'");
      w.commit();
    }
    Collect(pipeline, batches.size(), &committed);
    EXPECT_NE(pipeline.failure(), "");
    EXPECT_TRUE(committed.empty());
  }
  hold.abort();
  EXPECT_EQ(Value("SELECT count(*) FROM trades"), "0");

  HistoryPipeline again(Options(), 2, k2026_11_21, Notify());
  for (const auto& b : batches)
    again.Submit(b);
  Collect(again, batches.size(), &committed);
  ASSERT_EQ(again.failure(), "");
  ASSERT_EQ(committed.size(), batches.size());
  ExpectEveryTradeOnceAndCandlesEqualTheRecomputation(batches);
}

}  // namespace
}  // namespace exchange::persistence
