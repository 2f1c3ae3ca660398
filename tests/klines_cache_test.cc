// KlinesCache (md/klines_cache.h) against a real PostgreSQL (and Redis for
// the live candle): candles written as the history sink writes them
// (CandleAggregator, HistoryWriter; a schema of the test's own) are read
// through the cache and, for reference, straight from the table by a
// HistorySource of its own. Every cached window must equal the table's,
// whatever was committed between two reads: trades in the open bucket, a
// new bucket, a late trade reaching a closed bucket, the previous bucket's
// last trade committed after Redis moved the live candle on, another
// shard. And the cache keeps to its row cap. The depth cache
// (md/depth_cache.h) too: a book changed through the engine and
// BookStateWriter is served at once.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <limits>
#include <memory>
#include <optional>
#include <pqxx/pqxx>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "base/fixed_point_text.h"
#include "bookstate/book_state_reader.h"
#include "bookstate/book_state_writer.h"
#include "bookstate/book_view_seed.h"
#include "bookstate/live_candle.h"
#include "bookstate/redis_client.h"
#include "bookstate/view_keys.h"
#include "candles/candle_aggregator.h"
#include "engine/depth_collector.h"
#include "engine/engine.h"
#include "md/api/binance_endpoints.h"
#include "md/api/json_writer.h"
#include "md/api/kline_json.h"
#include "md/data/market_data_source.h"
#include "md/history/candle_series.h"
#include "md/history/history_source.h"
#include "md/history/klines_cache.h"
#include "md/md_config.h"
#include "persistence/history_reports.h"  // FixedPoint
#include "persistence/history_writer.h"
#include "tests/service_env.h"

namespace exchange::md {
namespace {

using candles::Candle;
using candles::CandleInterval;

constexpr Timestamp kSecond = 1'000'000'000;
constexpr Timestamp kMinute = 60 * kSecond;
constexpr Timestamp kMilli = 1'000'000;
// 2026-09-21 00:00 UTC: the first trade.
constexpr Timestamp kStart = 1'790'035'200 * kSecond;
constexpr Timestamp kMin = std::numeric_limits<Timestamp>::min();
constexpr Timestamp kMax = std::numeric_limits<Timestamp>::max();
constexpr std::chrono::milliseconds kRetry{50};

std::vector<Candle> CandlesOf(std::span<CachedCandle> rows) {
  std::vector<Candle> out;
  for (const CachedCandle& c : rows)
    out.push_back(c.candle);
  return out;
}

std::string Describe(CandleInterval interval, const CandleWindow& w) {
  return std::string(candles::IntervalName(interval)) + " [" + std::to_string(w.from) + ", " +
         std::to_string(w.to) + ") limit " + std::to_string(w.limit) +
         (w.newest ? " newest" : " oldest");
}

class KlinesCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    EXCHANGE_REQUIRE_SERVICE("EXCHANGE_PG_URL", pg_url_);
    EXCHANGE_REQUIRE_SERVICE("EXCHANGE_PG_READER_URL", reader_url_);
    std::random_device rd;
    const std::string tag = std::to_string(::getpid() % 100000) + "_" + std::to_string(rd() % 1000);
    schema_ = "klines_cache_test_" + tag;
    symbol_ = "KC" + tag;
    writer_ = std::make_unique<persistence::HistoryWriter>(
        persistence::HistoryWriter::Options{pg_url_, schema_, "kc-test", 2}, kStart);
    writer_->SaveInstruments({{symbol_, 2, 3, 1, 1}});
    source_ = std::make_unique<HistorySource>(reader_url_, schema_, kRetry);
    reference_ = std::make_unique<HistorySource>(reader_url_, schema_, kRetry);
  }

  void TearDown() override {
    source_.reset();
    reference_.reset();
    writer_.reset();
    if (schema_.empty()) return;
    pqxx::connection c(pg_url_);
    pqxx::work w(c);
    for (const std::string& schema : {schema_, schema_ + "_other"})
      w.exec0("DROP SCHEMA IF EXISTS " + w.quote_name(schema) + " CASCADE");
    w.commit();
  }

  // A trade at `time`, the next trade id; in the next Commit.
  void Trade(Timestamp time) {
    persistence::TradeRow t;
    t.symbol = SymbolName(symbol_);
    t.trade_id = ++last_id_;
    t.time = time;
    price_ += static_cast<Price>(random_() % 21) - 10;
    t.price = price_;
    t.quantity = static_cast<Quantity>(1 + random_() % 50);
    t.aggressor = random_() % 2 ? Side::kBuy : Side::kSell;
    t.taker_account = 1;
    t.maker_account = 2;
    t.taker_order_id = 2 * t.trade_id;
    t.maker_order_id = 2 * t.trade_id + 1;
    pending_.trades.push_back(t);
    aggregator_.Add({t.symbol, t.trade_id, t.time, t.price, t.quantity});
  }

  // One HistoryWriter transaction, as the history sink commits a batch.
  void Commit() {
    pending_.candles = aggregator_.TakeChanges();
    pending_.up_to = last_id_;
    ASSERT_TRUE(writer_->Write(pending_).empty());
    pending_ = persistence::HistoryBatch{};
  }

  // `count` trades every 20 s from kStart, committed in batches of 1,000.
  void Fill(std::size_t count) {
    for (std::size_t i = 0; i < count; ++i) {
      Trade(kStart + static_cast<Timestamp>(i) * 20 * kSecond);
      if (i % 1000 == 999) Commit();
    }
    Commit();
  }

  std::vector<Candle> Table(CandleInterval interval, const CandleWindow& window) {
    return reference_->Candles(symbol_, interval, window);
  }

  // The window through `cache`, which must equal the table's.
  std::vector<Candle> ExpectSame(KlinesCache& cache, CandleInterval interval,
                                 const CandleWindow& window) {
    const std::vector<Candle> cached = CandlesOf(cache.Window(symbol_, interval, window));
    EXPECT_EQ(cached, Table(interval, window)) << Describe(interval, window);
    return cached;
  }

  std::string pg_url_, reader_url_, schema_, symbol_;
  std::unique_ptr<persistence::HistoryWriter> writer_;
  std::unique_ptr<HistorySource> source_;     // the cache's connection
  std::unique_ptr<HistorySource> reference_;  // the table, uncached
  candles::CandleAggregator aggregator_;
  persistence::HistoryBatch pending_;
  Sequence last_id_ = 0;
  Price price_ = 1'000'000;
  std::mt19937_64 random_{3};
};

TEST_F(KlinesCacheTest, CachedWindowsEqualTheTableAndRepeatsReadNoCandle) {
  Fill(3000);  // 1,000 one-minute candles, 3,000 one-second ones
  KlinesCache cache(*source_, 100'000);
  const CandleWindow newest{kMin, kMax, 500, true};
  const auto first = ExpectSame(cache, CandleInterval::k1m, newest);
  ASSERT_EQ(first.size(), 500u);
  const auto hits = cache.stats().hits;
  EXPECT_EQ(ExpectSame(cache, CandleInterval::k1m, newest), first);
  EXPECT_EQ(cache.stats().hits, hits + 1);  // from memory this time

  // Edges: the limit, inclusive from and exclusive to, empty windows.
  const Timestamp t100 = kStart + 100 * kMinute;
  for (const CandleWindow& w :
       {CandleWindow{t100, kMax, 3, false}, CandleWindow{t100 + 1, kMax, 3, false},
        CandleWindow{kMin, t100, 3, true}, CandleWindow{kMin, t100 + 1, 3, true},
        CandleWindow{t100, t100 + 5 * kMinute, 1000, false}, CandleWindow{t100, t100, 10, true},
        CandleWindow{0, kStart, 10, true}, CandleWindow{kMin, kMax, 1, true},
        CandleWindow{kMin, kMax, 1000, false}, CandleWindow{kStart, kMax, 1000, true}}) {
    for (CandleInterval interval :
         {CandleInterval::k1s, CandleInterval::k1m, CandleInterval::k5m, CandleInterval::k1h})
      ExpectSame(cache, interval, w);
  }

  // Random windows, as charts scroll and zoom.
  std::mt19937_64 random(9);
  const auto time = [&] {
    return kStart - 60 * kMinute + static_cast<Timestamp>(random() % (1200 * 60)) * kSecond;
  };
  for (int i = 0; i < 300; ++i) {
    const Timestamp a = time(), b = time();
    CandleWindow w{std::min(a, b), std::max(a, b), static_cast<std::int64_t>(1 + random() % 1000),
                   random() % 2 == 0};
    if (random() % 4 == 0) w.from = kMin;
    if (random() % 4 == 0) w.to = kMax;
    const CandleInterval interval =
        std::array{CandleInterval::k1s, CandleInterval::k1m, CandleInterval::k3m,
                   CandleInterval::k1h}[random() % 4];
    ExpectSame(cache, interval, w);
  }
  EXPECT_GT(cache.stats().hits, 250u);
  EXPECT_EQ(cache.stats().direct, 0u);
}

TEST_F(KlinesCacheTest, TradesInTheOpenBucketAndNewBucketsAreSeenAtOnce) {
  Fill(1500);  // 500 minutes
  KlinesCache cache(*source_, 100'000);
  const CandleWindow newest{kMin, kMax, 10, true};
  const auto before = ExpectSame(cache, CandleInterval::k1m, newest);
  const Timestamp last_bucket = before.back().open_time;

  Trade(last_bucket + 59 * kSecond);  // the open bucket grows
  Commit();
  const auto grown = ExpectSame(cache, CandleInterval::k1m, newest);
  EXPECT_EQ(grown.back().open_time, last_bucket);
  EXPECT_EQ(grown.back().trade_count, before.back().trade_count + 1);

  Trade(last_bucket + kMinute);  // rolls over
  Commit();
  const auto rolled = ExpectSame(cache, CandleInterval::k1m, newest);
  EXPECT_EQ(rolled.back().open_time, last_bucket + kMinute);
  EXPECT_EQ(rolled[rolled.size() - 2], grown.back());

  Trade(last_bucket + 5 * kMinute);  // a gap, then a bucket
  Trade(last_bucket + 5 * kMinute + kSecond);
  Commit();
  EXPECT_EQ(ExpectSame(cache, CandleInterval::k1m, newest).back().trade_count, 2u);
  ExpectSame(cache, CandleInterval::k1m, CandleWindow{kMin, kMax, 500, true});
  EXPECT_GE(cache.stats().refreshes, 3u);
  EXPECT_EQ(cache.stats().direct, 0u);
}

TEST_F(KlinesCacheTest, ALateTradeReachesAClosedBucketKeptInTheCache) {
  Fill(1500);
  KlinesCache cache(*source_, 100'000);
  const CandleWindow newest{kMin, kMax, 500, true};
  const Timestamp old_bucket = kStart + 200 * kMinute;
  const CandleWindow around{old_bucket, old_bucket + kMinute, 1, false};
  const auto before = ExpectSame(cache, CandleInterval::k1m, around);
  ExpectSame(cache, CandleInterval::k1m, newest);
  ExpectSame(cache, CandleInterval::k1h, newest);

  // A trade stamped 300 minutes back, with the highest trade id.
  Trade(old_bucket + 30 * kSecond);
  Commit();
  const auto after = ExpectSame(cache, CandleInterval::k1m, around);
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].trade_count, before[0].trade_count + 1);
  EXPECT_EQ(after[0].last_trade_id, last_id_);
  ExpectSame(cache, CandleInterval::k1m, newest);
  ExpectSame(cache, CandleInterval::k1h, newest);  // its hour too
  EXPECT_EQ(cache.stats().direct, 0u);
}

TEST_F(KlinesCacheTest, AnotherShardOrAnotherTableIsNoVersionToCompareWith) {
  Fill(600);
  KlinesCache cache(*source_, 100'000);
  const CandleWindow newest{kMin, kMax, 100, true};
  ExpectSame(cache, CandleInterval::k1m, newest);
  // A second shard's first commit: the versions differ in their shards.
  {
    persistence::HistoryWriter other(
        persistence::HistoryWriter::Options{pg_url_, schema_, "kc-other", 2}, kStart);
    persistence::HistoryBatch batch;
    batch.up_to = 5;
    ASSERT_TRUE(other.Write(batch).empty());
  }
  Trade(kStart + 600 * 20 * kSecond);
  Commit();
  const auto dropped = cache.stats().dropped;
  ExpectSame(cache, CandleInterval::k1m, newest);
  EXPECT_EQ(cache.stats().dropped, dropped + 1);
  ExpectSame(cache, CandleInterval::k1m, newest);
}

TEST_F(KlinesCacheTest, KeepsToItsRowCapAndEvictsTheLeastRecentlyUsed) {
  Fill(3000);  // 1s: 3,000 candles; 1m: 1,000; 3m: 334
  constexpr std::size_t kCap = 2100;
  KlinesCache cache(*source_, kCap);
  const CandleWindow newest{kMin, kMax, 500, true};
  const auto check = [&](CandleInterval interval, const CandleWindow& w) {
    ExpectSame(cache, interval, w);
    EXPECT_LE(cache.rows(), kCap) << Describe(interval, w);
  };
  check(CandleInterval::k1s, newest);  // reads 1,000
  check(CandleInterval::k1m, newest);  // 1,000 more
  check(CandleInterval::k1s, newest);  // used last
  const auto dropped = cache.stats().dropped;
  check(CandleInterval::k3m, newest);  // needs room: 1m goes
  EXPECT_EQ(cache.stats().dropped, dropped + 1);
  EXPECT_EQ(cache.entries(), 2u);  // 1s and 3m: the 1m entry went
  auto hits = cache.stats().hits;
  check(CandleInterval::k1s, newest);
  EXPECT_EQ(cache.stats().hits, hits + 1);  // still there
  const auto extensions = cache.stats().extensions;
  check(CandleInterval::k1m, newest);
  EXPECT_EQ(cache.stats().extensions, extensions + 1);  // read again

  // More than the cap could hold: from PostgreSQL, uncached.
  const auto direct = cache.stats().direct;
  check(CandleInterval::k1s, CandleWindow{kStart, kMax, 1000, false});
  EXPECT_EQ(cache.stats().direct, direct + 1);
  // The open bucket grows past the cap: still within it.
  for (int i = 0; i < 200; ++i)
    Trade(kStart + 3000 * 20 * kSecond + i * kSecond);
  Commit();
  check(CandleInterval::k1s, newest);
  check(CandleInterval::k1s, CandleWindow{kMin, kMax, 1000, true});

  // No cache at all.
  KlinesCache none(*source_, 0);
  EXPECT_EQ(CandlesOf(none.Window(symbol_, CandleInterval::k1m, newest)),
            Table(CandleInterval::k1m, newest));
  EXPECT_EQ(none.rows(), 0u);
}

TEST_F(KlinesCacheTest, OnNotifyReadsTheVersionOnlyAfterACommitIsAnnounced) {
  Fill(300);
  const CandleWindow newest{kMin, kMax, 10, true};
  KlinesCache lazy(*source_, 100'000, KlinesFreshness::kOnNotify);
  ExpectSame(lazy, CandleInterval::k1m, newest);
  // The version, and once more after the entry was filled (a commit in
  // between would make this answer PostgreSQL's alone).
  const std::uint64_t reads = lazy.stats().version_reads;
  EXPECT_EQ(reads, 2u);
  // Nothing committed: no query, however many requests (and a commit to
  // another schema is not this one's).
  persistence::HistoryWriter other({pg_url_, schema_ + "_other", "kc-other", 2}, kStart);
  other.Write(persistence::HistoryBatch{});
  for (int i = 0; i < 20; ++i)
    ExpectSame(lazy, CandleInterval::k1m, newest);
  lazy.Tick();  // an idle thread's housekeeping reads nothing either
  EXPECT_EQ(lazy.stats().version_reads, reads);

  Trade(kStart + 300 * 20 * kSecond);  // a new bucket
  Commit();
  const std::vector<Candle> table = Table(CandleInterval::k1m, newest);
  // Served once the commit's notification is in (it comes after the
  // commit): awaited, with a deadline.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (CandlesOf(lazy.Window(symbol_, CandleInterval::k1m, newest)) != table &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }
  EXPECT_EQ(CandlesOf(lazy.Window(symbol_, CandleInterval::k1m, newest)), table);
  EXPECT_EQ(lazy.stats().version_reads, reads + 1);  // that commit's, and no other
  EXPECT_EQ(lazy.stats().refreshes, 1u);
}

// The live candle as the history sink writes it (candle:{S}:I).
void WriteLiveCandle(redis::RedisClient& client, const Candle& c) {
  const std::vector<std::string> command = bookstate::LiveCandleCommand(c);
  const std::vector<std::string_view> argv(command.begin(), command.end());
  ASSERT_FALSE(client.Command(argv).is_error());
}

// The sink writes the live candle to Redis when it closes a batch and
// commits the batch to PostgreSQL after: for a moment Redis has moved on
// to the next bucket while PostgreSQL lacks the previous bucket's last
// trades. What was cached then must not stay.
TEST_F(KlinesCacheTest, ThePreviousBucketsLastTradesCommittedAfterTheRollOverAreServed) {
  std::string redis_url;
  EXCHANGE_REQUIRE_SERVICE("EXCHANGE_REDIS_URL", redis_url);
  redis::RedisClient redis(redis::ParseRedisUrl(redis_url));
  const std::string live_key = bookstate::CandleKeyOf(symbol_, "1m");
  Fill(600);  // 200 minutes
  WriteLiveCandle(redis, *aggregator_.Live(symbol_, CandleInterval::k1m));

  SourceOptions options;
  options.redis_url = redis_url;
  options.pg_url = reader_url_;
  options.pg_schema = schema_;
  MarketDataSource source(options);
  const persistence::InstrumentRow& row = source.Instrument(symbol_);
  const CandleWindow newest{kMin, kMax, 3, true};
  // What the uncached server answers: the table, the live candle merged.
  const auto expected = [&] {
    std::vector<Candle> series = Table(CandleInterval::k1m, newest);
    const redis::RedisReply reply = redis.Command({"HGET", live_key, "last_trade_id"});
    std::optional<Candle> live = aggregator_.Live(symbol_, CandleInterval::k1m);
    if (reply.is_nil() || std::to_string(live->last_trade_id) != reply.str()) live.reset();
    MergeLiveCandle(series, live, newest);
    std::string out = "[";
    for (const Candle& c : series) {
      if (out.size() > 1) out += ',';
      AppendKline(out, c, 2, 3);
    }
    return out + "]";
  };
  const auto klines = [&] {
    std::string out;
    source.AppendKlines(out, row, CandleInterval::k1m, newest);
    return out;
  };
  EXPECT_EQ(klines(), expected());
  const Timestamp last_bucket = aggregator_.Live(symbol_, CandleInterval::k1m)->open_time;

  // The batch: the open bucket's last trade and the next bucket's first.
  Trade(last_bucket + 59 * kSecond);
  Trade(last_bucket + kMinute);
  pending_.candles = aggregator_.TakeChanges();
  pending_.up_to = last_id_;
  WriteLiveCandle(redis, *aggregator_.Live(symbol_, CandleInterval::k1m));  // Redis first
  const std::string between = klines();
  EXPECT_EQ(between, expected());                 // the previous bucket as PostgreSQL still has it
  ASSERT_TRUE(writer_->Write(pending_).empty());  // then the commit
  pending_ = persistence::HistoryBatch{};
  // The source's cache is on-notify (the default): the commit is served once
  // its notification is in, which comes after the commit: awaited, with a
  // deadline.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (klines() != expected() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::yield();
  const std::string after = klines();
  EXPECT_EQ(after, expected());
  EXPECT_NE(after, between);
  EXPECT_GT(source.klines_cache().stats().hits + source.klines_cache().stats().refreshes, 0u);
  redis.Command({"DEL", live_key});
}

// The depth body kept by the view's sequence: sent again while the book
// has not changed, read again as soon as the book-state writer changed it.
TEST_F(KlinesCacheTest, DepthIsSentAgainOnlyWhileTheViewsSequenceStands) {
  std::string redis_url;
  EXCHANGE_REQUIRE_SERVICE("EXCHANGE_REDIS_URL", redis_url);
  redis::RedisClient redis(redis::ParseRedisUrl(redis_url));
  const SymbolName symbol(symbol_);
  Engine engine;
  Timestamp t = kStart;
  InstrumentSpec spec;
  spec.symbol = symbol;
  engine.Process(Command{++t, AddInstrument{spec}});
  ClientOrderId id = 0;
  const auto order = [&](Side side, Price price, Quantity quantity) {
    NewOrder o;
    o.account = 1;
    o.symbol = 0;
    o.order_id = ++id;
    o.side = side;
    o.price = price;
    o.quantity = quantity;
    return Command{++t, o};
  };
  for (Price level = 1; level <= 10; ++level) {
    engine.Process(order(Side::kBuy, 1000 - level, 10 * level));
    engine.Process(order(Side::kSell, 1000 + level, 20 * level));
  }
  bookstate::BookViews views = bookstate::SeedBookViews(engine);
  bookstate::BookStateWriter writer(bookstate::BookStateWriter::Options{});
  ASSERT_EQ(writer.WriteAll(redis, views), "");

  SourceOptions options;
  options.redis_url = redis_url;
  options.pg_url = reader_url_;
  options.pg_schema = schema_;
  MarketDataSource source(options);
  BinanceEndpoints binance(source);
  const auto depth = [&](int limit) {
    return binance
        .Depth(QueryParams::Parse("symbol=" + symbol_ + "&limit=" + std::to_string(limit)))
        .body;
  };
  // What the endpoint wrote before the cache, from BookStateReader.
  const auto expected = [&](int limit) {
    const bookstate::BookSnapshot book =
        bookstate::BookStateReader(redis).ReadBook(symbol_, static_cast<std::size_t>(limit));
    std::string out;
    JsonWriter json(out);
    json.BeginObject().Key("lastUpdateId").Int(book.sequence);
    for (const auto* side : {&book.bids, &book.asks}) {
      json.Key(side == &book.bids ? "bids" : "asks").BeginArray();
      for (const auto& l : *side) {
        json.BeginArray()
            .String(persistence::FixedPoint(l.price, 2))
            .String(persistence::FixedPoint(l.value.quantity, 3))
            .EndArray();
      }
      json.EndArray();
    }
    json.EndObject();
    return out;
  };
  const std::string first = depth(5);
  EXPECT_EQ(first, expected(5));
  EXPECT_EQ(depth(5), first);
  EXPECT_EQ(source.depth_cache().hits(), 1u);
  EXPECT_EQ(depth(3), expected(3));  // another limit, another body
  EXPECT_EQ(source.depth_cache().hits(), 1u);

  // One more order at the best bid, written as the book-state sink does.
  DepthCollector collector;
  const Command more = order(Side::kBuy, 999, 7);
  collector.BeforeCommand(engine, more);
  const auto events = engine.Process(more);
  collector.AfterEvents(events);
  std::vector<wire::EventRecord> records;
  for (const Event& e : events)
    records.push_back(wire::EventRecord{symbol, e});
  std::vector<DepthChange> changes;
  collector.Finish(engine, &changes);
  views.ApplyBatch(records, changes);
  ASSERT_EQ(writer.WriteChanges(redis, views), "");
  const std::string changed = depth(5);
  EXPECT_NE(changed, first);
  EXPECT_EQ(changed, expected(5));
  EXPECT_EQ(source.depth_cache().hits(), 1u);
  EXPECT_EQ(depth(5), changed);
  EXPECT_EQ(source.depth_cache().hits(), 2u);

  // No view any more: an empty book, never a kept one.
  ASSERT_EQ(bookstate::BookStateWriter::DeleteView(redis, symbol_), "");
  EXPECT_EQ(depth(5), R"({"lastUpdateId":0,"bids":[],"asks":[]})");
}

// ---- The kline text, without services ----

TEST(KlineText, AppendFixedPointWritesWhatFixedPointWrites) {
  const auto max128 = static_cast<__int128>(~static_cast<unsigned __int128>(0) >> 1);
  std::vector<__int128> values = {
      0,
      1,
      -1,
      5,
      -5,
      9,
      10,
      99,
      100,
      std::numeric_limits<std::int64_t>::max(),
      std::numeric_limits<std::int64_t>::min(),
      static_cast<__int128>(std::numeric_limits<std::uint64_t>::max()),
      static_cast<__int128>(std::numeric_limits<std::uint64_t>::max()) + 1,
      max128,
      -max128};  // (FixedPoint writes "--..." for -2^127)
  std::mt19937_64 random(1);
  for (int i = 0; i < 3000; ++i) {
    __int128 v = static_cast<__int128>(random() >> (random() % 64));
    if (i % 3 == 0) v *= static_cast<__int128>(random() >> (random() % 64));
    values.push_back(i % 2 == 0 ? v : -v);
  }
  for (const __int128 v : values) {
    for (int decimals = 0; decimals <= 36; ++decimals) {
      // A prefix kept as it was; GCC 12 warns (-Wrestrict) on "x" + string.
      std::string out = "x", expected = "x";
      AppendFixedPoint(out, v, decimals);
      expected += persistence::FixedPoint(v, decimals);
      ASSERT_EQ(out, expected) << candles::QuoteVolumeString(v) << " with " << decimals
                               << " decimals";
    }
  }
  std::string out;
  EXPECT_THROW(AppendFixedPoint(out, 1, 37), std::invalid_argument);
}

TEST(KlineText, AppendKlineWritesWhatJsonWriterWrote) {
  std::mt19937_64 random(2);
  for (int i = 0; i < 500; ++i) {
    Candle c;
    c.open_time = kStart + static_cast<Timestamp>(random() % 1'000'000) * kMinute;
    c.close_time = c.open_time + kMinute;
    c.open = static_cast<Price>(random() % 10'000'000);
    c.high = static_cast<Price>(random() % 10'000'000);
    c.low = static_cast<Price>(random() % 10'000'000);
    c.close = static_cast<Price>(random() % 10'000'000);
    c.volume = static_cast<Quantity>(random() % 1'000'000'000);
    c.quote_volume =
        static_cast<__int128>(c.volume) * c.close * static_cast<__int128>(1 + random() % 1000);
    c.trade_count = random() % 100'000;
    const int pd = static_cast<int>(random() % 9), qd = static_cast<int>(random() % 9);
    // The kline as the endpoint wrote it before the cache.
    std::string expected;
    JsonWriter json(expected);
    json.BeginArray()
        .Int(c.open_time / kMilli)
        .String(persistence::FixedPoint(c.open, pd))
        .String(persistence::FixedPoint(c.high, pd))
        .String(persistence::FixedPoint(c.low, pd))
        .String(persistence::FixedPoint(c.close, pd))
        .String(persistence::FixedPoint(c.volume, qd))
        .Int(c.close_time / kMilli - 1)
        .String(persistence::FixedPoint(c.quote_volume, pd + qd))
        .Int(c.trade_count)
        .String("0")
        .String("0")
        .String("0")
        .EndArray();
    std::string out;
    AppendKline(out, c, pd, qd);
    ASSERT_EQ(out, expected);
    CachedCandle cached(c);
    EXPECT_EQ(cached.Kline(pd, qd), expected);
    EXPECT_EQ(&cached.Kline(pd, qd), &cached.Kline(pd, qd));  // rendered once
  }
}

TEST(MdConfigKlines, KeysDefaultsAndValidation) {
  MdConfig config;
  EXPECT_EQ(config.klines_cache_rows, 50'000u);
  EXPECT_EQ(config.klines_freshness, "on-notify");
  EXPECT_NO_THROW(config.Validate());
  ParseMdConfig("[md]\nklines_cache_rows = 0\nklines_freshness = \"every-request\"\n",
                "test.toml", &config);
  EXPECT_EQ(config.klines_cache_rows, 0u);
  EXPECT_EQ(ParseKlinesFreshness(config.klines_freshness), KlinesFreshness::kEveryRequest);
  EXPECT_NO_THROW(config.Validate());
  config.klines_freshness = "sometimes";
  try {
    config.Validate();
    ADD_FAILURE() << "a bad klines_freshness passed";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("md.klines_freshness"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace exchange::md
