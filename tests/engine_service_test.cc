// Integration tests of exchange-engine against a real RabbitMQ: orders in →
// events out for every order type, dead letters, kill -9 crash recovery, and
// a RabbitMQ restart mid-stream. Each test runs the real binary on its own
// symbol and shard queue, and compares what it published with an in-process
// engine that never stopped.
#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include <cstdlib>
#include <iostream>
#include <random>
#include <set>
#include <thread>

#include "bookstate/book_state_reader.h"
#include "bookstate/book_state_writer.h"
#include "candles/candle_aggregator.h"
#include "engine_service/core/engine_core.h"
#include "orderflow/benchmark_mix.h"
#include "persistence/ledger_reports.h"
#include "persistence/migration.h"
#include "persistence/order_tracker.h"
#include "tests/service_env.h"
#include "tests/service_harness.h"

namespace exchange::testing {
namespace {

using std::chrono::seconds;

class EngineServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    EXCHANGE_REQUIRE_SERVICE("EXCHANGE_AMQP_URL", url_);
    dir_ = FreshDir(::testing::UnitTest::GetInstance()->current_test_info()->name());
    symbol_ = UniqueSymbol("T");
    instruments_ = dir_ + "/instruments.toml";
    spec_ = WriteInstrumentFile(instruments_, symbol_);
    // Declared before the service starts, so nothing published is lost.
    amqp::AmqpClient admin(amqp::ParseUrl(url_));
    queue_ = amqp::DeclareShardTopology(admin, "test-" + symbol_, {symbol_});
  }
  void TearDown() override {
    DeleteBookState();
    if (queue_.empty()) return;
    amqp::AmqpClient admin(amqp::ParseUrl(url_));
    admin.DeleteQueue(queue_);
    std::filesystem::remove_all(dir_);
  }

  std::unique_ptr<ServiceProcess> Service(std::vector<std::string> extra = {}) {
    return std::make_unique<ServiceProcess>(url_, symbol_, instruments_, dir_ + "/data",
                                            std::move(extra));
  }
  // The service writes the book-state view when EXCHANGE_REDIS_URL is set
  // (it inherits the environment): remove the test symbol's keys.
  void DeleteBookState() {
    const std::string url = ServiceUrl("EXCHANGE_REDIS_URL");
    if (url.empty() || symbol_.empty()) return;
    try {
      redis::RedisClient client(redis::ParseRedisUrl(url));
      bookstate::BookStateWriter::DeleteView(client, symbol_);
    } catch (const redis::RedisError&) {
      // Redis not reachable: nothing to clean
    }
  }
  std::vector<std::string> AllKeys() const { return {"exec.#", topology::BookKey(symbol_)}; }

  // Every sequence 1..reference.last_sequence arrived, each equal to the
  // reference's, and no copy differed.
  void ExpectSameAsReference(EventCollector& events, const ReferenceRun& reference) {
    ASSERT_TRUE(events.WaitForAllUpTo(reference.last_sequence, seconds(120)))
        << "events missing: 1.." << events.contiguous() << " arrived of 1.."
        << reference.last_sequence << " (highest seen " << events.highest() << ")";
    const auto received = events.events();
    for (const auto& [sequence, expected] : reference.events) {
      auto it = received.find(sequence);
      ASSERT_NE(it, received.end()) << "sequence " << sequence;
      ASSERT_EQ(EncodeEvent(it->second), EncodeEvent(expected)) << "sequence " << sequence;
    }
    EXPECT_EQ(received.rbegin()->first, reference.last_sequence) << "events beyond the flow";
    EXPECT_EQ(events.conflicts(), 0u) << "a sequence was published with different content";
    EXPECT_EQ(events.error(), "");
  }

  // The state the service left on disk, as a recovering EngineCore sees it.
  std::uint64_t ServiceStateHash() {
    EngineCore core(EngineCore::Options{dir_ + "/data", 1 << 16, 2}, UINT64_MAX, nullptr);
    return core.engine().StateHash();
  }

  std::string url_, dir_, symbol_, instruments_, queue_;
  InstrumentSpec spec_;
};

Command New(AccountId account, ClientOrderId id, Side side, OrderType type, TimeInForce tif,
            Price price, Quantity quantity, Price stop = 0, Quantity display = 0) {
  NewOrder n;
  n.account = account;
  n.order_id = id;
  n.side = side;
  n.type = type;
  n.tif = tif;
  n.price = price;
  n.quantity = quantity;
  n.stop_price = stop;
  n.display_quantity = display;
  return Command{0, n};
}

// Gives each command a distinct non-zero timestamp, so the service keeps it
// (it stamps only zero timestamps) and the reference sees the same.
void Stamp(std::vector<Command>& commands) {
  for (std::size_t i = 0; i < commands.size(); ++i)
    commands[i].timestamp = static_cast<Timestamp>(1'700'000'000'000'000'000 + i * 1000);
}

// The exchange-core mix as one command list (pre-fill, then the measured
// commands), stamped.
std::vector<Command> StampedMix(BenchmarkMixOptions mix) {
  BenchmarkFlow flow = GenerateBenchmarkMix(mix);
  std::vector<Command> commands = std::move(flow.prefill);
  commands.insert(commands.end(), flow.commands.begin(), flow.commands.end());
  Stamp(commands);
  return commands;
}

TEST_F(EngineServiceTest, EveryOrderTypeRoundTrips) {
  const auto B = Side::kBuy, S = Side::kSell;
  const auto GTC = TimeInForce::kGtc, IOC = TimeInForce::kIoc, FOK = TimeInForce::kFok;
  std::vector<Command> commands = {
      New(1, 1, S, OrderType::kLimit, GTC, 100, 50),
      New(1, 2, S, OrderType::kLimit, GTC, 101, 50),
      New(2, 1, B, OrderType::kLimit, IOC, 100, 20),    // trades 20, done
      New(2, 2, B, OrderType::kLimit, FOK, 101, 1000),  // cannot fill: rejected
      New(2, 3, B, OrderType::kLimit, GTC, 98, 10),     // resting bid
      New(3, 1, S, OrderType::kPostOnly, GTC, 98, 5),   // would trade: rejected
      New(3, 2, S, OrderType::kPostOnly, GTC, 102, 5),  // rests
      New(4, 1, S, OrderType::kIceberg, GTC, 103, 100, 0, 10),
      New(5, 1, B, OrderType::kStop, GTC, 0, 5, 101),       // held, then triggered
      New(5, 2, S, OrderType::kStopLimit, GTC, 90, 5, 95),  // held
      New(6, 1, B, OrderType::kMarket, IOC, 0, 40),         // sweeps, trades at 100/101: stop fires
  };
  ReplaceOrder replace;
  replace.account = 1;
  replace.order_id = 2;
  replace.new_order_id = 3;
  replace.price = 104;
  replace.quantity = 60;
  commands.push_back(Command{0, replace});
  CancelOrder cancel;
  cancel.account = 3;
  cancel.order_id = 2;
  commands.push_back(Command{0, cancel});
  MassCancel mass;
  mass.account = 4;
  mass.symbol = 0;
  commands.push_back(Command{0, mass});
  commands.push_back(New(7, 1, S, OrderType::kLimit, GTC, 100, 0));  // bad quantity: rejected
  Stamp(commands);
  const ReferenceRun reference = RunReference(spec_, commands);

  EventCollector events(url_, symbol_, AllKeys());
  auto service = Service({"--events-after-fsync"});  // the other tests use the default
  service->Start();
  CommandProducer producer(url_, symbol_);
  producer.Send(commands, /*batch_size=*/1);  // one order per message
  ExpectSameAsReference(events, reference);

  std::set<EventType> types;
  for (const auto& [seq, r] : events.events())
    types.insert(r.event.type);
  for (EventType t :
       {EventType::kInstrumentAdded, EventType::kAccepted, EventType::kRejected, EventType::kTrade,
        EventType::kCanceled, EventType::kReplaced, EventType::kTriggered}) {
    EXPECT_TRUE(types.contains(t)) << "no " << ToString(t) << " event came back";
  }
  EXPECT_EQ(service->Terminate(), 0);
  EXPECT_EQ(ServiceStateHash(), reference.state_hash);
}

// One command message whose events touch more accounts than one event
// message may name (EventPublisher::kMaxKeysPerMessage): the events go out
// in several messages, each routed under its own keys, and every consumer
// gets every event it bound for.
TEST_F(EngineServiceTest, ABatchTouchingThousandsOfAccountsArrivesWholeOnEveryKey) {
  constexpr AccountId kAccounts = 3000;
  std::vector<Command> commands;
  for (AccountId a = 1; a <= kAccounts; ++a)
    commands.push_back(New(a, 1, Side::kBuy, OrderType::kLimit, TimeInForce::kGtc, 100, 10));
  Stamp(commands);
  const ReferenceRun reference = RunReference(spec_, commands);

  EventCollector all(url_, symbol_, AllKeys());
  EventCollector last_account(url_, symbol_, {topology::ExecKey(kAccounts)});
  auto service = Service();
  service->Start();
  CommandProducer producer(url_, symbol_);
  producer.Send(commands, /*batch_size=*/kAccounts);  // one message
  ExpectSameAsReference(all, reference);
  ASSERT_TRUE(last_account.WaitForSequence(reference.last_sequence, seconds(30)));
  const auto mine = last_account.events();
  ASSERT_EQ(mine.size(), 1u) << "only its own event passes the filter";
  EXPECT_EQ(mine.begin()->second.event.account, kAccounts);
  EXPECT_EQ(service->Terminate(), 0);
}

TEST_F(EngineServiceTest, UndecodableMessagesAreDeadLetteredAndMatchingGoesOn) {
  std::vector<Command> good = {
      New(1, 1, Side::kSell, OrderType::kLimit, TimeInForce::kGtc, 100, 5)};
  Stamp(good);
  std::string valid;
  wire::CommandBatch batch;
  batch.producer_id = 42;
  batch.records.push_back({1, SymbolName(symbol_), good[0]});
  wire::AppendCommandBatch(batch, valid);
  std::string wrong_version = valid;
  wrong_version[2] = 9;
  std::string reserved_producer;
  batch.producer_id = 0;
  wire::AppendCommandBatch(batch, reserved_producer);

  auto service = Service();
  service->Start();
  EventCollector events(url_, symbol_, AllKeys());
  CommandProducer producer(url_, symbol_);
  producer.SendRaw("hello, this is not a wire message", symbol_);
  producer.SendRaw(valid.substr(0, valid.size() - 3), symbol_);
  producer.SendRaw(wrong_version, symbol_);
  producer.SendRaw(reserved_producer, symbol_);
  producer.Send(good, 1);

  ASSERT_TRUE(events.WaitForSequence(2, seconds(30)))
      << "the good order after them was not matched";
  const auto received = events.events();
  EXPECT_EQ(received.at(2).event.type, EventType::kAccepted);

  // The dead-letter queue is shared: take ours by the queue header.
  amqp::AmqpClient dead(amqp::ParseUrl(url_));
  dead.Consume(std::string(topology::kDeadLetterQueue), 100);
  std::vector<std::string> reasons;
  const auto deadline = std::chrono::steady_clock::now() + seconds(30);
  while (reasons.size() < 4 && std::chrono::steady_clock::now() < deadline) {
    auto d = dead.Next(std::chrono::milliseconds(200));
    if (!d) continue;
    if (d->headers[std::string(topology::kQueueHeader)] == queue_) {
      reasons.push_back(d->headers[std::string(topology::kReasonHeader)]);
    }
    dead.Ack(d->tag, false);
  }
  ASSERT_EQ(reasons.size(), 4u);
  EXPECT_NE(reasons[0].find("magic"), std::string::npos) << reasons[0];
  EXPECT_NE(reasons[1].find("truncated"), std::string::npos) << reasons[1];
  EXPECT_NE(reasons[2].find("version"), std::string::npos) << reasons[2];
  EXPECT_NE(reasons[3].find("producer id 0"), std::string::npos) << reasons[3];
  EXPECT_TRUE(service->Running());
}

// kill -9 at random points while 200,000 orders flow; after the last restart
// the events and the final state equal those of an uninterrupted run.
TEST_F(EngineServiceTest, SurvivesRepeatedKillNineWithoutLossOrDuplication) {
  BenchmarkMixOptions mix;
  mix.seed = 7;
  mix.commands = 200'000;
  const std::vector<Command> commands = StampedMix(mix);
  const ReferenceRun reference = RunReference(spec_, commands);

  EventCollector events(url_, symbol_, AllKeys());
  auto service = Service({"--snapshot-every", "300", "--pipeline-slots", "512", "--prefetch", "256",
                          "--publish-window", "256"});
  service->Start();
  CommandProducer producer(url_, symbol_);
  std::thread send([&] { producer.Send(commands, /*batch_size=*/20); });

  std::mt19937_64 random(12345);
  const std::uint64_t step = reference.last_sequence / 16;
  int kills = 0;
  while (kills < 12) {
    const std::uint64_t target =
        std::min(reference.last_sequence, events.highest() + 1 + random() % step);
    for (int second = 0; second < 120 && !events.WaitForSequence(target, seconds(1)); ++second) {
      ASSERT_TRUE(service->Running()) << "exchange-engine exited by itself (see its log above)";
    }
    if (events.highest() >= reference.last_sequence) break;
    service->Kill9();
    ++kills;
    service->Start();
  }
  send.join();
  EXPECT_GE(kills, 10) << "the flow ended before ten kills";
  ExpectSameAsReference(events, reference);
  // Republished events (duplicates() > 0) are likely but not certain: one
  // message per batch means a copy only comes when a kill lands between a
  // confirm and the next watermark save (50 ms); what must hold is above:
  // nothing lost, no sequence with two contents, the same state.
  EXPECT_EQ(service->Terminate(), 0);
  EXPECT_EQ(ServiceStateHash(), reference.state_hash);
}

TEST_F(EngineServiceTest, RabbitMqRestartMidStreamLosesNothing) {
  BenchmarkMixOptions mix;
  mix.seed = 3;
  mix.commands = 20'000;
  const std::vector<Command> commands = StampedMix(mix);
  const ReferenceRun reference = RunReference(spec_, commands);
  const std::size_t half = commands.size() / 2;

  // A durable queue: events published while the broker restarts must wait for us.
  const std::string event_queue = "test-events-" + symbol_;
  {
    EventCollector events(url_, symbol_, AllKeys(), event_queue);
    auto service = Service();
    service->Start();
    CommandProducer producer(url_, symbol_);
    producer.Send(std::vector<Command>(commands.begin(), commands.begin() + half), 10);
    ASSERT_TRUE(events.WaitForSequence(reference.last_sequence / 4, seconds(60)));

    const std::string restart =
        std::string(EXCHANGE_SOURCE_DIR) + "/scripts/services.sh restart rabbitmq >/dev/null";
    ASSERT_EQ(std::system(restart.c_str()), 0) << restart;

    producer.Reconnect();
    producer.Send(std::vector<Command>(commands.begin() + half, commands.end()), 10);
    ExpectSameAsReference(events, reference);
    EXPECT_TRUE(service->Running()) << "the service died with the broker";
    EXPECT_EQ(service->Terminate(), 0);
    EXPECT_EQ(ServiceStateHash(), reference.state_hash);
  }
  amqp::AmqpClient admin(amqp::ParseUrl(url_));
  admin.DeleteQueue(event_queue);
}

// ---------------------------------------------------------------- book state in Redis

// The service writes the book-state view to Redis (EXCHANGE_REDIS_URL, which
// the service inherits). These read it back.
class BookStateServiceTest : public EngineServiceTest {
 protected:
  void SetUp() override {
    EngineServiceTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    EXCHANGE_REQUIRE_SERVICE("EXCHANGE_REDIS_URL", redis_url_);
    BenchmarkMixOptions mix;
    mix.seed = 5;
    mix.commands = 30'000;
    commands_ = StampedMix(mix);
    reference_ = RunReference(spec_, commands_);
  }

  std::unique_ptr<redis::RedisClient> Redis() {
    return std::make_unique<redis::RedisClient>(redis::ParseRedisUrl(redis_url_));
  }

  // Polls until the view reflects the whole flow (or `target`); "" or why not.
  std::string AwaitView(redis::RedisClient& client, seconds timeout, Sequence target = 0) {
    if (target == 0) target = reference_.last_sequence;
    bookstate::BookStateReader reader(client);
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::string last = "nothing read";
    while (std::chrono::steady_clock::now() < deadline) {
      try {
        const auto book = reader.ReadBook(symbol_, 0);
        if (book.sequence == target) return "";
        last =
            "view at sequence " + std::to_string(book.sequence) + " of " + std::to_string(target);
      } catch (const std::exception& e) {
        last = e.what();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));  // poll interval
    }
    return last;
  }

  // The view equals the reference engine's book: every level, every open order.
  void ExpectViewEqualsReference(redis::RedisClient& client) {
    bookstate::BookStateReader reader(client);
    const bookstate::BookSnapshot book = reader.ReadBook(symbol_, 0);
    EXPECT_EQ(bookstate::ValidateBook(book), "");
    const bookstate::BookView* want = reference_.book.Find(symbol_);
    ASSERT_NE(want, nullptr);
    std::vector<bookstate::DecodedLevel> bids, asks;
    for (const auto& [price, value] : want->bids())
      bids.push_back({price, value});
    for (const auto& [price, value] : want->asks())
      asks.push_back({price, value});
    EXPECT_EQ(book.bids, bids);
    EXPECT_EQ(book.asks, asks);
    const auto orders = reader.ReadOrders(symbol_);
    ASSERT_EQ(orders.size(), want->orders().size());
    for (bookstate::OpenOrder o : orders) {
      auto it = want->orders().find(bookstate::OrderKey{o.account, o.order_id});
      ASSERT_NE(it, want->orders().end()) << "order a" << o.account << " id" << o.order_id;
      o.sequence = 0;  // the reference (seeded from an engine) has none
      EXPECT_EQ(o, it->second) << "order a" << o.account << " id" << o.order_id;
    }
  }

  std::string redis_url_;
  std::vector<Command> commands_;
  ReferenceRun reference_;
};

TEST_F(BookStateServiceTest, ViewEqualsTheEngineBookAndAReaderNeverSeesItTornOrCrossed) {
  auto service = Service();
  service->Start();
  std::atomic<bool> stop{false};
  std::string problem;
  std::uint64_t reads = 0;
  std::thread hammer([&] {
    auto client = Redis();
    bookstate::BookStateReader reader(*client);
    Sequence previous = 0;
    while (!stop && problem.empty()) {
      try {
        const auto book = reader.ReadBook(symbol_, 0);
        if (const auto why = bookstate::ValidateBook(book); !why.empty()) problem = why;
        if (book.sequence < previous) problem = "the view's sequence went backwards";
        previous = book.sequence;
        ++reads;
      } catch (const bookstate::ViewError&) {
        // not written yet
      }
    }
  });
  CommandProducer producer(url_, symbol_);
  producer.Send(commands_, /*batch_size=*/50);
  auto client = Redis();
  const std::string awaited = AwaitView(*client, seconds(60));
  stop = true;
  hammer.join();
  ASSERT_EQ(awaited, "");
  EXPECT_EQ(problem, "");
  EXPECT_GT(reads, 10u);
  ExpectViewEqualsReference(*client);
  EXPECT_EQ(service->Terminate(), 0);
}

TEST_F(BookStateServiceTest, ViewConvergesOnceRedisIsBack) {
  auto service = Service();
  service->Start();
  EventCollector events(url_, symbol_, AllKeys());
  const std::string services = std::string(EXCHANGE_SOURCE_DIR) + "/scripts/services.sh";
  CommandProducer producer(url_, symbol_);
  const std::size_t half = commands_.size() / 2;
  producer.Send(std::vector<Command>(commands_.begin(), commands_.begin() + half), 50);
  ASSERT_EQ(std::system((services + " stop redis >/dev/null").c_str()), 0);
  // Matching goes on without Redis.
  producer.Send(std::vector<Command>(commands_.begin() + half, commands_.end()), 50);
  ASSERT_TRUE(events.WaitForAllUpTo(reference_.last_sequence, seconds(60)))
      << "the engine stalled while Redis was down";
  ASSERT_EQ(std::system((services + " start redis >/dev/null").c_str()), 0);
  const auto back = std::chrono::steady_clock::now();
  auto client = Redis();
  ASSERT_EQ(AwaitView(*client, seconds(30)), "");
  const double took =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - back).count();
  std::cout << "view converged " << took << " s after Redis was back\n";
  ExpectViewEqualsReference(*client);
  EXPECT_TRUE(service->Running());
}

// A write Redis refuses (someone turned the bids into a string) makes the
// sink drop what it had in flight, reconnect and rewrite the view whole.
TEST_F(BookStateServiceTest, RefusedWriteIsRepairedByARewriteWhileOrdersFlow) {
  auto service = Service();
  service->Start();
  const std::size_t half = commands_.size() / 2;
  const std::vector<Command> first(commands_.begin(), commands_.begin() + half);
  CommandProducer producer(url_, symbol_);
  producer.Send(first, 50);
  auto client = Redis();
  ASSERT_EQ(AwaitView(*client, seconds(60), RunReference(spec_, first).last_sequence), "");
  ASSERT_FALSE(
      client->Command({"SET", bookstate::KeyOf(symbol_, bookstate::ViewKey::kBids), "vandal"})
          .is_error());
  producer.Send(std::vector<Command>(commands_.begin() + half, commands_.end()), 50);
  ASSERT_EQ(AwaitView(*client, seconds(60)), "");
  ExpectViewEqualsReference(*client);
  EXPECT_TRUE(service->Running());
}

// ---------------------------------------------------------------- history in PostgreSQL

// A test's own PostgreSQL schema: dropped at the end (nothing to do when
// PostgreSQL is gone), and one value read from it.
void DropPgSchema(const std::string& url, const std::string& schema) {
  if (schema.empty()) return;
  try {
    pqxx::connection c(url);
    pqxx::work w(c);
    w.exec0("DROP SCHEMA IF EXISTS " + w.quote_name(schema) + " CASCADE");
    w.commit();
  } catch (const std::exception&) {
    // PostgreSQL gone: nothing to clean
  }
}

std::string PgValue(const std::string& url, const std::string& schema, const std::string& sql) {
  pqxx::connection c(url);
  pqxx::work w(c);
  w.exec0("SET LOCAL search_path TO " + w.quote_name(schema));
  const pqxx::row row = w.exec1(sql);
  return row[0].is_null() ? "NULL" : row[0].as<std::string>();
}

// The service writes trades, finished orders and candles to PostgreSQL
// (EXCHANGE_PG_URL, inherited), here into a schema of the test's own.
class HistoryServiceTest : public EngineServiceTest {
 protected:
  void SetUp() override {
    EngineServiceTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    EXCHANGE_REQUIRE_SERVICE("EXCHANGE_PG_URL", pg_url_);
    schema_ = "history_" + symbol_;
    for (char& c : schema_) {
      c = std::isalnum(static_cast<unsigned char>(c))
              ? static_cast<char>(std::tolower(static_cast<unsigned char>(c)))
              : '_';
    }
    BenchmarkMixOptions mix;
    mix.seed = 11;
    mix.commands = 20'000;
    mix.ioc_percent = 20;  // more trades
    commands_ = StampedMix(mix);
    reference_ = RunReference(spec_, commands_);
  }
  void TearDown() override {
    if (const std::string redis_url = ServiceUrl("EXCHANGE_REDIS_URL");
        !redis_url.empty() && !symbol_.empty()) {
      try {
        redis::RedisClient client(redis::ParseRedisUrl(redis_url));
        for (const candles::CandleInterval interval : candles::AllIntervals())
          client.Command({"DEL", bookstate::CandleKeyOf(symbol_, candles::IntervalName(interval))});
      } catch (const redis::RedisError&) {
        // Redis not reachable: nothing to clean
      }
    }
    DropPgSchema(pg_url_, schema_);
    EngineServiceTest::TearDown();
  }
  std::unique_ptr<ServiceProcess> HistoryService() {
    return Service({"--pg-schema", schema_, "--pg-batch-ms", "20"});
  }
  std::string Value(const std::string& sql) { return PgValue(pg_url_, schema_, sql); }
  // Polls until the stored history reaches the whole flow; "" or why not.
  std::string AwaitHistory(seconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::string last = "nothing read";
    while (std::chrono::steady_clock::now() < deadline) {
      try {
        last = Value("SELECT max(last_sequence) FROM sink_progress");
        if (last == std::to_string(reference_.last_sequence)) return "";
      } catch (const std::exception& e) {
        last = e.what();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));  // poll interval
    }
    return "history at " + last + " of " + std::to_string(reference_.last_sequence);
  }

  // Polls until at least one trade is stored; "" or why not.
  std::string AwaitSomeTradeStored(seconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      try {
        if (Value("SELECT count(*) FROM trades") != "0") return "";
      } catch (const std::exception&) {
        // the schema is not there yet
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));  // poll interval
    }
    return "no trade stored in time";
  }

  // Every trade of the reference once, as the engine made it; the finished
  // orders the reference's events give; candles equal to a recomputation.
  void ExpectHistoryEqualsReference() {
    std::vector<candles::CandleTrade> trades;
    std::string want_trades;
    persistence::OrderTracker tracker;
    std::vector<persistence::FinishedOrder> finished;
    for (const auto& [sequence, r] : reference_.events) {
      tracker.Apply(r, &finished);
      if (r.event.type != EventType::kTrade) continue;
      const Event& e = r.event;
      trades.push_back({r.symbol, e.sequence, e.timestamp, e.price, e.quantity});
      want_trades += std::to_string(e.sequence) + ":" + std::to_string(e.price) + ":" +
                     std::to_string(e.quantity) + ":" + (e.side == Side::kBuy ? "B" : "S") + ":" +
                     std::to_string(e.account) + ":" + std::to_string(e.order_id) + ":" +
                     std::to_string(e.maker_account) + ":" + std::to_string(e.maker_order_id) + ",";
    }
    ASSERT_GT(trades.size(), 1000u);
    EXPECT_EQ(Value("SELECT count(*) FROM trades"), std::to_string(trades.size()));
    EXPECT_EQ(
        Value("SELECT string_agg(trade_id || ':' || price || ':' || quantity || ':' || "
              "aggressor_side::text || ':' || taker_account || ':' || taker_order_id || ':' || "
              "maker_account || ':' || maker_order_id || ',', '' ORDER BY trade_id) FROM "
              "trades"),
        want_trades);
    EXPECT_EQ(Value("SELECT count(*) FROM orders"), std::to_string(finished.size()));
    std::uint64_t filled = 0;
    for (const auto& o : finished)
      filled += static_cast<std::uint64_t>(o.filled);
    EXPECT_EQ(Value("SELECT sum(filled) FROM orders"), std::to_string(filled));
    for (const candles::CandleInterval interval : candles::AllIntervals()) {
      std::string want;
      for (const candles::Candle& c : candles::ComputeCandles(trades, interval)) {
        want += std::to_string(c.open) + ":" + std::to_string(c.high) + ":" +
                std::to_string(c.low) + ":" + std::to_string(c.close) + ":" +
                std::to_string(c.volume) + ":" + std::to_string(c.trade_count) + ":" +
                std::to_string(c.first_trade_id) + ":" + std::to_string(c.last_trade_id) + ",";
      }
      EXPECT_EQ(Value("SELECT string_agg(open || ':' || high || ':' || low || ':' || close || "
                      "':' || volume || ':' || trade_count || ':' || first_trade_id || ':' || "
                      "last_trade_id || ',', '' ORDER BY open_time) FROM candles WHERE interval "
                      "= '" +
                      std::string(candles::IntervalName(interval)) + "'"),
                want)
          << candles::IntervalName(interval);
    }
    ExpectLiveCandlesInRedis(trades);
  }

  // With Redis (EXCHANGE_REDIS_URL, inherited), the live candle of each
  // interval is the recomputation's newest bucket.
  void ExpectLiveCandlesInRedis(const std::vector<candles::CandleTrade>& trades) {
    const std::string url = ServiceUrl("EXCHANGE_REDIS_URL");
    if (url.empty()) return;
    redis::RedisClient client(redis::ParseRedisUrl(url));
    for (const candles::CandleInterval interval : candles::AllIntervals()) {
      const candles::Candle want = candles::ComputeCandles(trades, interval).back();
      const std::string key = bookstate::CandleKeyOf(symbol_, candles::IntervalName(interval));
      // Written as the batch closes, a moment after it is stored.
      std::string last_id = ":";  // built in steps: GCC 12 -Wrestrict misfires on a + chain
      last_id += std::to_string(want.last_trade_id);
      last_id += ":";
      std::string got;
      const auto deadline = std::chrono::steady_clock::now() + seconds(10);
      while (std::chrono::steady_clock::now() < deadline) {
        const auto reply = client.Command({"HMGET", key, "open_time", "open", "high", "low",
                                           "close", "volume", "trades", "last_trade_id"});
        got.clear();
        for (std::size_t i = 0; i < reply.size(); ++i)
          got += std::string(reply.element(i).str()) + ":";
        if (got.find(last_id) != std::string::npos) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));  // poll interval
      }
      EXPECT_EQ(got, std::to_string(want.open_time) + ":" + std::to_string(want.open) + ":" +
                         std::to_string(want.high) + ":" + std::to_string(want.low) + ":" +
                         std::to_string(want.close) + ":" + std::to_string(want.volume) + ":" +
                         std::to_string(want.trade_count) + ":" +
                         std::to_string(want.last_trade_id) + ":")
          << key;
    }
  }

  std::string pg_url_, schema_;
  std::vector<Command> commands_;
  ReferenceRun reference_;
};

TEST_F(HistoryServiceTest, EveryTradeOrderAndCandleLandsOnce) {
  auto service = HistoryService();
  service->Start();
  CommandProducer producer(url_, symbol_);
  producer.Send(commands_, /*batch_size=*/50);
  ASSERT_EQ(AwaitHistory(seconds(120)), "");
  ExpectHistoryEqualsReference();
  EXPECT_EQ(Value("SELECT count(*) FROM schema_migrations"),
            std::to_string(persistence::kEmbeddedMigrations.size()));
  EXPECT_EQ(Value("SELECT symbol || ':' || tick_size || ':' || lot_size FROM instruments"),
            symbol_ + ":" + std::to_string(spec_.tick_size) + ":" + std::to_string(spec_.lot_size));
  // The order limits of the instruments file (max_quantity 1000000), for
  // exchange-md's exchangeInfo (migration 0004).
  ASSERT_EQ(spec_.max_quantity, 1'000'000);
  EXPECT_EQ(Value("SELECT min_quantity || ':' || max_quantity || ':' || default_stp FROM "
                  "instruments"),
            std::to_string(spec_.min_quantity) + ":" + std::to_string(spec_.max_quantity) + ":" +
                std::string(ToString(spec_.default_stp)));
  EXPECT_EQ(service->Terminate(), 0);
}

// kill -9 twice and PostgreSQL restarted while the flow runs: still every
// trade once, every candle equal to the recomputation.
TEST_F(HistoryServiceTest, KillNineAndPostgresRestartLoseNothingAndCountNothingTwice) {
  const std::string services = std::string(EXCHANGE_SOURCE_DIR) + "/scripts/services.sh";
  const std::size_t third = commands_.size() / 3;
  CommandProducer producer(url_, symbol_);
  {
    auto service = HistoryService();
    service->Start();
    producer.Send(std::vector<Command>(commands_.begin(), commands_.begin() + third), 50);
    ASSERT_EQ(AwaitSomeTradeStored(seconds(60)), "");  // somewhere in the middle of writing
    service->Kill9();
    std::cout << "killed with " << Value("SELECT count(*) FROM trades") << " trades stored\n";
  }
  {
    auto service = HistoryService();
    service->Start();
    producer.Send(std::vector<Command>(commands_.begin() + third, commands_.begin() + 2 * third),
                  50);
    ASSERT_EQ(std::system((services + " restart postgres >/dev/null").c_str()), 0);
    service->Kill9();
    std::cout << "killed again with " << Value("SELECT count(*) FROM trades") << " trades stored\n";
  }
  auto service = HistoryService();
  service->Start();
  producer.Send(std::vector<Command>(commands_.begin() + 2 * third, commands_.end()), 50);
  ASSERT_EQ(AwaitHistory(seconds(120)), "");
  ExpectHistoryEqualsReference();
  EXPECT_EQ(service->Terminate(), 0);
}

// PostgreSQL stopped while the flow runs, with room for few rows in memory:
// further events wait in the spool file while the engine goes on, and once
// PostgreSQL is back everything is stored once, in order.
TEST_F(HistoryServiceTest, PostgresDownSpoolsToDiskAndCatchesUpInOrder) {
  const std::string services = std::string(EXCHANGE_SOURCE_DIR) + "/scripts/services.sh";
  const std::string spool = dir_ + "/data/history-spool";
  auto service = Service({"--pg-schema", schema_, "--pg-batch-ms", "20", "--pg-batch-rows", "100",
                          "--pg-memory-rows", "300"});
  service->Start();
  CommandProducer producer(url_, symbol_);
  const std::size_t tenth = commands_.size() / 10;
  producer.Send(std::vector<Command>(commands_.begin(), commands_.begin() + tenth), 50);
  ASSERT_EQ(AwaitSomeTradeStored(seconds(60)), "");
  ASSERT_EQ(std::system((services + " stop postgres >/dev/null").c_str()), 0);
  producer.Send(std::vector<Command>(commands_.begin() + tenth, commands_.end()), 50);
  const auto deadline = std::chrono::steady_clock::now() + seconds(60);
  auto spooled = [&] {
    std::error_code ec;
    return std::filesystem::file_size(spool, ec) > 0 && !ec;
  };
  while (!spooled()) {
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << spool << " not written";
    std::this_thread::sleep_for(std::chrono::milliseconds(5));  // poll interval
  }
  ASSERT_TRUE(service->Running());
  ASSERT_EQ(std::system((services + " start postgres >/dev/null").c_str()), 0);
  ASSERT_EQ(AwaitHistory(seconds(120)), "");
  ExpectHistoryEqualsReference();
  EXPECT_FALSE(std::filesystem::exists(spool)) << "the spool is removed once drained";
  EXPECT_EQ(service->Terminate(), 0);
}

// ---------------------------------------------------------------- cash risk

// An instrument under cash risk, its own two assets (unique names, so the
// Redis balance hashes, shared by account, do not mix with other tests'),
// the mix funding its accounts first, and a duplicate deposit, a withdrawal
// and an overdrawn withdrawal at the end.
class CashRiskServiceTest : public EngineServiceTest {
 protected:
  void SetUp() override {
    EngineServiceTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    EXCHANGE_REQUIRE_SERVICE("EXCHANGE_PG_URL", pg_url_);
    schema_ = "ledger_" + symbol_;
    for (char& c : schema_)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    base_ = "B" + symbol_;
    quote_ = "Q" + symbol_;
    std::ofstream(instruments_) << "[[asset]]\nname = \"" << base_ << "\"\ndecimals = 0\n"
                                << "[[asset]]\nname = \"" << quote_ << "\"\ndecimals = 2\n"
                                << "[[instrument]]\nsymbol = \"" << symbol_
                                << "\"\ntick_size = 1\nlot_size = 1\nmin_quantity = 1\n"
                                   "max_quantity = 1000000\nmarket_protection_ticks = 1000\n"
                                << "base_asset = \"" << base_ << "\"\nquote_asset = \"" << quote_
                                << "\"\nmaker_fee_ppm = -200\ntaker_fee_ppm = 2000\n";
    file_ = LoadInstrumentsFile(instruments_);
    spec_ = file_.instruments.at(0).spec;
    BenchmarkMixOptions mix;
    mix.seed = 21;
    mix.commands = 20'000;
    mix.ioc_percent = 20;
    mix.accounts = kAccounts;
    mix.risk = RiskMode::kCash;
    commands_ = StampedMix(mix);
    commands_.push_back(Command{0, Deposit{1, 0, 5, 1}});  // transfer 1 again: a duplicate
    commands_.push_back(Command{0, Withdraw{2, 1, 1'000, 900'001}});
    commands_.push_back(Command{0, Withdraw{3, 1, Amount{1} << 60, 900'002}});  // too much
    Stamp(commands_);
    reference_ = RunReference(spec_, commands_, file_.assets);
  }
  void TearDown() override {
    if (const std::string url = ServiceUrl("EXCHANGE_REDIS_URL"); !url.empty() && !base_.empty()) {
      try {
        redis::RedisClient client(redis::ParseRedisUrl(url));
        for (AccountId a : Accounts()) {
          client.Command({"HDEL", bookstate::BalanceKeyOf(a),
                          bookstate::BalanceFieldOf(base_, Shard()),
                          bookstate::BalanceFieldOf(quote_, Shard())});
        }
        client.Command({"HDEL", std::string(bookstate::kAssetsKey), base_, quote_});
      } catch (const redis::RedisError&) {
        // Redis not reachable: nothing to clean
      }
    }
    DropPgSchema(pg_url_, schema_);
    EngineServiceTest::TearDown();
  }
  std::string Shard() const { return "test-" + symbol_; }
  static std::vector<AccountId> Accounts() {
    std::vector<AccountId> out;
    for (AccountId a = 1; a <= kAccounts; ++a)
      out.push_back(a);
    out.push_back(kFeeAccount);
    out.push_back(kRoundingAccount);
    return out;
  }
  std::string Value(const std::string& sql) { return PgValue(pg_url_, schema_, sql); }
  // The reference's newest balance of every (account, asset), as
  // "available held" keyed by (account, asset name).
  std::map<std::pair<AccountId, std::string>, std::string> ReferenceBalances() const {
    std::map<std::pair<AccountId, std::string>, std::string> out;
    for (const auto& [sequence, r] : reference_.events) {
      if (r.event.type != EventType::kBalance) continue;
      out[{r.event.account, r.asset.str()}] =
          std::to_string(r.event.available) + " " + std::to_string(r.event.held);
    }
    return out;
  }
  std::string AwaitLedger(seconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::string last = "nothing read";
    while (std::chrono::steady_clock::now() < deadline) {
      try {
        last = Value("SELECT max(last_sequence) FROM sink_progress");
        if (last == std::to_string(reference_.last_sequence)) return "";
      } catch (const std::exception& e) {
        last = e.what();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));  // poll interval
    }
    return "history at " + last + " of " + std::to_string(reference_.last_sequence);
  }

  static constexpr AccountId kAccounts = 200;
  std::string pg_url_, schema_, base_, quote_;
  InstrumentsFile file_;
  std::vector<Command> commands_;
  ReferenceRun reference_;
};

TEST_F(CashRiskServiceTest, KillNineMidStreamEndsWithTheBalancesLedgerAndViewOfAnUninterruptedRun) {
  std::size_t balances = 0, duplicates = 0;
  for (const auto& [sequence, r] : reference_.events) {
    balances += r.event.type == EventType::kBalance;
    duplicates += r.event.reject_reason == RejectReason::kDuplicateTransfer;
  }
  ASSERT_GT(balances, 20'000u);
  ASSERT_EQ(duplicates, 1u);

  std::vector<std::string> keys = AllKeys();
  keys.push_back("asset.#");
  EventCollector events(url_, symbol_, keys, "", {base_, quote_});
  auto service =
      Service({"--pg-schema", schema_, "--pg-batch-ms", "20", "--snapshot-every", "400",
               "--pipeline-slots", "512", "--prefetch", "256", "--publish-window", "256"});
  service->Start();
  CommandProducer producer(url_, symbol_, {base_, quote_});
  std::thread send([&] { producer.Send(commands_, /*batch_size=*/20); });
  for (const std::uint64_t fraction : {4, 2}) {  // kill -9 at a quarter and at half the flow
    const std::uint64_t target = reference_.last_sequence / fraction;
    for (int second = 0; second < 120 && !events.WaitForSequence(target, seconds(1)); ++second) {
      ASSERT_TRUE(service->Running()) << "exchange-engine exited by itself (see its log above)";
    }
    service->Kill9();
    service->Start();
  }
  send.join();
  ExpectSameAsReference(events, reference_);
  ASSERT_EQ(AwaitLedger(seconds(120)), "");
  EXPECT_EQ(service->Terminate(), 0);
  EXPECT_EQ(ServiceStateHash(), reference_.state_hash);

  // PostgreSQL: every balance change once, as the uninterrupted engine made
  // it; the deposits once each; the reconciliation holds.
  std::string want;
  for (const auto& [sequence, r] : reference_.events) {
    if (r.event.type != EventType::kBalance) continue;
    want += std::to_string(sequence) + ":" + std::to_string(r.event.account) + ":" + r.asset.str() +
            ":" + std::to_string(r.event.available) + ":" + std::to_string(r.event.held) + ",";
  }
  EXPECT_EQ(Value("SELECT count(*) FROM ledger"), std::to_string(balances));
  EXPECT_EQ(Value("SELECT string_agg(sequence || ':' || account || ':' || asset || ':' || "
                  "available || ':' || held || ',', '' ORDER BY sequence) FROM ledger"),
            want);
  EXPECT_EQ(Value("SELECT count(*) FROM ledger WHERE reason = 'DEPOSIT'"),
            std::to_string(2 * kAccounts));
  persistence::LedgerReports reports(pg_url_, schema_);
  const persistence::Reconciliation reconciled = reports.Reconcile();
  EXPECT_TRUE(reconciled.ok());
  ASSERT_EQ(reconciled.assets.size(), 2u);
  for (const auto& a : reconciled.assets) {
    EXPECT_EQ(static_cast<std::int64_t>(a.deposited), std::int64_t{kAccounts} << 50) << a.asset;
    // Base fees round down to nothing on these small quantities; quote fees do not.
    if (a.asset == quote_) {
      EXPECT_GT(static_cast<std::int64_t>(a.fees), 0);
    }
  }

  // Redis: each account's balances as the reference left them.
  const std::string redis_url = ServiceUrl("EXCHANGE_REDIS_URL");
  if (redis_url.empty()) return;
  redis::RedisClient client(redis::ParseRedisUrl(redis_url));
  bookstate::BookStateReader reader(client);
  for (const auto& [key, value] : ReferenceBalances()) {
    const auto got = reader.ReadBalances(key.first);
    const auto it = got.find(bookstate::BalanceField{key.second, Shard()});
    ASSERT_NE(it, got.end()) << "account " << key.first << " " << key.second;
    EXPECT_EQ(std::to_string(it->second.available) + " " + std::to_string(it->second.held), value)
        << "account " << key.first << " " << key.second;
  }
  EXPECT_EQ(reader.ReadAssetDecimals().at(quote_), 2);
}

}  // namespace
}  // namespace exchange::testing
