// The book-state writer and reader against a real Redis: an engine's output
// written batch by batch reads back equal to the engine's book; snapshot +
// stream deltas reproduce the depth exactly (and a skipped delta is seen as
// a gap); a key Redis refuses to update is repaired by a whole rewrite; a
// crossed view is reported.
#include <gtest/gtest.h>

#include <unistd.h>

#include <random>

#include "bookstate/book_state_reader.h"
#include "bookstate/book_state_writer.h"
#include "bookstate/book_view_seed.h"
#include "bookstate/depth_follower.h"
#include "bookstate/trade_stream.h"
#include "engine/depth_collector.h"
#include "orderflow/benchmark_mix.h"
#include "tests/service_env.h"

namespace exchange::bookstate {
namespace {

std::string UniqueSymbol() {
  std::random_device rd;
  return "BS" + std::to_string(::getpid() % 100000) + "_" + std::to_string(rd() % 10000);
}

// An engine whose output goes to Redis through BookViews and the writer,
// as the engine service's book-state sink does.
class Pipeline {
 public:
  Pipeline(redis::RedisClient& client, const std::string& symbol, std::size_t stream_max = 100'000)
      : client_(client), writer_(BookStateWriter::Options{stream_max}) {
    spec_.symbol = SymbolName(symbol);
    spec_.tick_size = 1;
    spec_.lot_size = 1;
    spec_.max_quantity = 1'000'000;
    spec_.market_protection_ticks = 1000;
    engine_.Process(Command{0, AddInstrument{spec_}});
    views_ = SeedBookViews(engine_);
  }

  std::string WriteAll() { return writer_.WriteAll(client_, views_); }

  // One batch through the engine; its changes written.
  std::string Run(std::span<const Command> commands) {
    records_.clear();
    depth_.clear();
    for (const Command& c : commands) {
      collector_.BeforeCommand(engine_, c);
      const auto events = engine_.Process(c);
      collector_.AfterEvents(events);
      for (const Event& e : events) {
        records_.push_back(wire::EventRecord{spec_.symbol, e});
        if (e.type == EventType::kTrade) {
          trades_.push_back(TradePrint{e.sequence, e.price, e.quantity, e.timestamp, e.side,
                                       e.exchange_order_id});
        }
      }
    }
    collector_.Finish(engine_, &depth_);
    views_.ApplyBatch(records_, depth_);
    return writer_.WriteChanges(client_, views_);
  }

  const Engine& engine() const { return engine_; }
  BookViews& views() { return views_; }
  const std::vector<TradePrint>& trades() const { return trades_; }

 private:
  redis::RedisClient& client_;
  InstrumentSpec spec_;
  Engine engine_;
  DepthCollector collector_;
  BookViews views_;
  BookStateWriter writer_;
  std::vector<wire::EventRecord> records_;
  std::vector<DepthChange> depth_;
  std::vector<TradePrint> trades_;  // every trade the engine made
};

std::vector<DecodedLevel> Levels(const auto& levels) {
  std::vector<DecodedLevel> out;
  for (const auto& [price, value] : levels)
    out.push_back(DecodedLevel{price, value});
  return out;
}

std::vector<DecodedLevel> EngineDepth(const Engine& engine, Side side) {
  std::vector<DecodedLevel> out;
  for (const DepthLevel& l : engine.Depth(0, side, SIZE_MAX))
    out.push_back(DecodedLevel{l.price, LevelValue{l.quantity, l.orders}});
  return out;
}

// Every entry of the symbol's depth stream, oldest first.
std::vector<DepthDelta> ReadStream(redis::RedisClient& client, const std::string& symbol) {
  const auto reply = client.Command({"XRANGE", KeyOf(symbol, ViewKey::kDepth), "-", "+"});
  std::vector<DepthDelta> out;
  for (std::size_t i = 0; i < reply.size(); ++i) {
    const auto entry = reply.element(i).element(1);
    std::vector<std::pair<std::string_view, std::string_view>> fields;
    for (std::size_t f = 0; f + 1 < entry.size(); f += 2)
      fields.emplace_back(entry.element(f).str(), entry.element(f + 1).str());
    auto delta = ParseDepthDelta(fields);
    EXPECT_TRUE(delta.has_value()) << "malformed stream entry " << i;
    if (delta) out.push_back(*delta);
  }
  return out;
}

// Every trade of the symbol's trade stream, oldest first.
std::vector<TradePrint> ReadTradeStream(redis::RedisClient& client, const std::string& symbol) {
  const auto reply = client.Command({"XRANGE", KeyOf(symbol, ViewKey::kTrades), "-", "+"});
  std::vector<TradePrint> out;
  for (std::size_t i = 0; i < reply.size(); ++i) {
    const auto entry = reply.element(i).element(1);
    std::vector<std::pair<std::string_view, std::string_view>> fields;
    for (std::size_t f = 0; f + 1 < entry.size(); f += 2)
      fields.emplace_back(entry.element(f).str(), entry.element(f + 1).str());
    auto trades = ParseTradeEntry(fields);
    EXPECT_TRUE(trades.has_value()) << "malformed trade stream entry " << i;
    if (trades) out.insert(out.end(), trades->begin(), trades->end());
  }
  return out;
}

class BookStateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string url;
    EXCHANGE_REQUIRE_SERVICE("EXCHANGE_REDIS_URL", url);
    client_ = std::make_unique<redis::RedisClient>(redis::ParseRedisUrl(url));
    symbol_ = UniqueSymbol();
    BenchmarkMixOptions mix;
    mix.seed = 11;
    mix.commands = 20'000;
    mix.resting_orders = 500;
    BenchmarkFlow flow = GenerateBenchmarkMix(mix);
    commands_ = flow.prefill;
    commands_.insert(commands_.end(), flow.commands.begin(), flow.commands.end());
  }
  void TearDown() override {
    if (!client_) return;
    BookStateWriter::DeleteView(*client_, symbol_);
  }

  std::unique_ptr<redis::RedisClient> client_;
  std::string symbol_;
  std::vector<Command> commands_;
};

TEST_F(BookStateTest, WrittenViewReadsBackAsTheEngineBook) {
  Pipeline p(*client_, symbol_);
  ASSERT_EQ(p.WriteAll(), "");
  BookStateReader reader(*client_);
  for (std::size_t i = 0; i < commands_.size(); i += 97) {
    const std::size_t n = std::min<std::size_t>(97, commands_.size() - i);
    ASSERT_EQ(p.Run(std::span(commands_).subspan(i, n)), "");
    if ((i / 97) % 20 != 0) continue;
    const BookSnapshot book = reader.ReadBook(symbol_, 0);
    ASSERT_EQ(ValidateBook(book), "") << "after command " << i + n;
    ASSERT_EQ(book.bids, EngineDepth(p.engine(), Side::kBuy)) << "after command " << i + n;
    ASSERT_EQ(book.asks, EngineDepth(p.engine(), Side::kSell)) << "after command " << i + n;
  }
  const BookSnapshot book = reader.ReadBook(symbol_, 5);
  EXPECT_EQ(book.bids.size(), std::min<std::size_t>(5, p.engine().Depth(0, Side::kBuy, 5).size()));
  EXPECT_EQ(book.sequence, p.engine().last_sequence());
  ASSERT_TRUE(book.last_trade.has_value());
  EXPECT_EQ(book.last_trade->price, p.engine().book(0).last_trade_price);

  // Open orders: as the engine has them.
  std::map<OrderKey, OpenOrder> stored;
  for (const OpenOrder& o : reader.ReadOrders(symbol_))
    stored[OrderKey{o.account, o.order_id}] = o;
  ASSERT_EQ(stored.size(), p.engine().live_orders());
  p.engine().ForEachOrder([&](const Order& o) {
    OpenOrder want = OpenOrderOf(o);
    auto it = stored.find(OrderKey{o.account, o.client_id});
    ASSERT_NE(it, stored.end()) << "order a" << o.account << " id" << o.client_id;
    want.sequence = it->second.sequence;
    EXPECT_EQ(it->second, want) << "order a" << o.account << " id" << o.client_id;
  });
  const auto one = stored.begin()->second;
  EXPECT_EQ(reader.ReadOrder(symbol_, OrderKey{one.account, one.order_id}), one);
  const auto found = reader.FindOrder(OrderKey{one.account, one.order_id});
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->first, symbol_);
  EXPECT_FALSE(reader.ReadOrder(symbol_, OrderKey{one.account, 999'999'999}).has_value());
}

TEST_F(BookStateTest, SnapshotPlusStreamDeltasReproduceTheDepth) {
  Pipeline p(*client_, symbol_);
  ASSERT_EQ(p.WriteAll(), "");
  BookStateReader reader(*client_);
  DepthFollower from_snapshot;
  const std::size_t half = commands_.size() / 2;
  for (std::size_t i = 0; i < commands_.size(); i += 53) {
    const std::size_t n = std::min<std::size_t>(53, commands_.size() - i);
    ASSERT_EQ(p.Run(std::span(commands_).subspan(i, n)), "");
    if (i <= half && half < i + n) {
      const BookSnapshot snap = reader.ReadBook(symbol_, 0);
      from_snapshot.Start(snap.sequence, snap.bids, snap.asks);
    }
  }
  const std::vector<DepthDelta> deltas = ReadStream(*client_, symbol_);
  ASSERT_GT(deltas.size(), 100u);
  EXPECT_TRUE(deltas.front().reset) << "the start-up rewrite begins the stream";

  DepthFollower from_start;  // begins with the reset entry
  int dropped = 0;
  for (const DepthDelta& d : deltas) {
    ASSERT_NE(from_start.Apply(d), DepthFollower::Result::kGap) << "delta " << d.first;
    const auto r = from_snapshot.Apply(d);
    ASSERT_NE(r, DepthFollower::Result::kGap) << "delta " << d.first << ".." << d.last;
    dropped += r == DepthFollower::Result::kDropped;
  }
  EXPECT_GT(dropped, 0) << "deltas before the snapshot are dropped";
  for (const DepthFollower* f : {&from_start, &from_snapshot}) {
    EXPECT_EQ(Levels(f->bids()), EngineDepth(p.engine(), Side::kBuy));
    EXPECT_EQ(Levels(f->asks()), EngineDepth(p.engine(), Side::kSell));
  }

  // A follower that misses a delta sees the gap.
  DepthFollower skipping;
  skipping.Apply(deltas[0]);
  ASSERT_EQ(skipping.Apply(deltas[1]), DepthFollower::Result::kApplied);
  EXPECT_EQ(skipping.Apply(deltas[3]), DepthFollower::Result::kGap);
  EXPECT_FALSE(skipping.synced());
}

TEST_F(BookStateTest, TradeStreamCarriesEveryTradeInOrder) {
  Pipeline p(*client_, symbol_);
  ASSERT_EQ(p.WriteAll(), "");
  for (std::size_t i = 0; i < commands_.size(); i += 61) {
    const std::size_t n = std::min<std::size_t>(61, commands_.size() - i);
    ASSERT_EQ(p.Run(std::span(commands_).subspan(i, n)), "");
  }
  ASSERT_GT(p.trades().size(), 100u) << "the flow should trade";
  EXPECT_EQ(ReadTradeStream(*client_, symbol_), p.trades());
}

TEST_F(BookStateTest, RefusedWriteIsRepairedByARewrite) {
  Pipeline p(*client_, symbol_);
  ASSERT_EQ(p.WriteAll(), "");
  // Someone stored a string where the bids belong.
  client_->Command({"SET", KeyOf(symbol_, ViewKey::kBids), "not a sorted set"});
  std::string refused;
  for (std::size_t i = 0; i < commands_.size() && refused.empty(); i += 10)
    refused =
        p.Run(std::span(commands_).subspan(i, std::min<std::size_t>(10, commands_.size() - i)));
  EXPECT_NE(refused.find("WRONGTYPE"), std::string::npos) << refused;
  ASSERT_EQ(p.WriteAll(), "");
  BookStateReader reader(*client_);
  const BookSnapshot book = reader.ReadBook(symbol_, 0);
  EXPECT_EQ(book.bids, EngineDepth(p.engine(), Side::kBuy));
  EXPECT_EQ(ValidateBook(book), "");
}

// Two shards hold funds of one account in one asset: each writes only its
// own field of balance:{A}, a whole rewrite of one (start-up, Redis back)
// leaves the other's, and the reader returns both.
TEST_F(BookStateTest, TwoShardsBalancesOfOneAccountStandSideBySide) {
  const AccountId account = 4'000'000'000u + static_cast<AccountId>(std::random_device{}() % 1000);
  const auto write = [&](const std::string& shard, Amount available, Sequence seq, bool whole) {
    BookViews views;
    views.balances().SetAssetDecimals("USD", 2);
    views.balances().Set(account, "USD", AccountBalance{available, 5, seq});
    BookStateWriter writer(BookStateWriter::Options{100, shard});
    return whole ? writer.WriteAll(*client_, views) : writer.WriteChanges(*client_, views);
  };
  ASSERT_EQ(write("east", 100, 7, /*whole=*/false), "");
  ASSERT_EQ(write("west", 300, 2, /*whole=*/true), "");
  BookStateReader reader(*client_);
  const auto got = reader.ReadBalances(account);
  client_->Command({"DEL", BalanceKeyOf(account)});
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got.at(BalanceField{"USD", "east"}), (AccountBalance{100, 5, 7}));
  EXPECT_EQ(got.at(BalanceField{"USD", "west"}), (AccountBalance{300, 5, 2}));
}

TEST(ViewKeys, BalanceFieldsNameTheAssetAndTheShard) {
  EXPECT_EQ(BalanceFieldOf("USD", "main"), "USD@main");
  EXPECT_EQ(ParseBalanceField("USD@main"), (BalanceField{"USD", "main"}));
  for (std::string_view bad : {"USD", "@main", "USD@", "U@S@D", ""})
    EXPECT_FALSE(ParseBalanceField(bad).has_value()) << bad;
}

TEST(ValidateBook, ReportsCrossedOutOfOrderAndStaleQuotes) {
  BookSnapshot b;
  b.bids = {{100, {5, 1}}, {99, {3, 2}}};
  b.asks = {{101, {4, 1}}};
  b.best_bid = Quote{100, 5};
  b.best_ask = Quote{101, 4};
  EXPECT_EQ(ValidateBook(b), "");
  BookSnapshot crossed = b;
  crossed.asks = {{100, {4, 1}}};
  crossed.best_ask = Quote{100, 4};
  EXPECT_NE(ValidateBook(crossed).find("crossed"), std::string::npos);
  BookSnapshot unordered = b;
  std::swap(unordered.bids[0], unordered.bids[1]);
  EXPECT_NE(ValidateBook(unordered).find("order"), std::string::npos);
  BookSnapshot stale = b;
  stale.best_bid = Quote{99, 3};
  EXPECT_NE(ValidateBook(stale).find("best bid"), std::string::npos);
}

TEST(ViewKeys, ValuesRoundTrip) {
  std::string s;
  AppendLevelMember(s, 12345, LevelValue{67, 8});
  const auto level = ParseLevelMember(s);
  ASSERT_TRUE(level.has_value());
  EXPECT_EQ(level->price, 12345);
  EXPECT_EQ(level->value, (LevelValue{67, 8}));
  EXPECT_FALSE(ParseLevelMember("1:2").has_value());
  EXPECT_FALSE(ParseLevelMember("1:2:x").has_value());
  OpenOrder o;
  o.account = 7;
  o.order_id = 9;
  o.exchange_id = 11;
  o.side = Side::kSell;
  o.type = OrderType::kStopLimit;
  o.status = OrderStatus::kPendingTrigger;
  o.price = 100;
  o.stop_price = 99;
  o.quantity = 10;
  o.leaves = 10;
  o.sequence = 42;
  s.clear();
  AppendOrderValue(s, o);
  EXPECT_EQ(ParseOrderValue(OrderKey{7, 9}, s), o) << s;
  EXPECT_FALSE(ParseOrderValue(OrderKey{7, 9}, "new BUY LIMIT 1 2").has_value());
  EXPECT_EQ(KeyOf("BTC-USD", ViewKey::kBids), "book:{BTC-USD}:bids");
  EXPECT_EQ(KeyOf("BTC-USD", ViewKey::kTrades), "book:{BTC-USD}:trades");
}

TEST(TradeStream, EntriesRoundTripAndMalformedOnesAreRefused) {
  const std::vector<TradePrint> trades{{5, 100, 3, 1'700'000'000'000'000'000, Side::kBuy, 41},
                                       {6, 99, 1, 1'700'000'000'000'000'001, Side::kSell, 42}};
  std::string list;
  AppendTradeList(list, trades);
  EXPECT_EQ(list, "5:100:3:1700000000000000000:B:41,6:99:1:1700000000000000001:S:42");
  using Fields = std::vector<std::pair<std::string_view, std::string_view>>;
  EXPECT_EQ(ParseTradeEntry(Fields{{"first", "5"}, {"trades", list}}), trades);
  // An entry of a writer from before the taker order: taker_order 0.
  const auto old = ParseTradeEntry(
      Fields{{"trades", "5:100:3:1700000000000000000:B,6:99:1:1700000000000000001:S:42"}});
  ASSERT_TRUE(old.has_value());
  EXPECT_EQ((*old)[0].taker_order, 0u);
  EXPECT_EQ((*old)[0].taker_side, Side::kBuy);
  EXPECT_EQ((*old)[1].taker_order, 42u);
  for (std::string_view bad : {"", "5:100:3:17:X", "5:100:3:B", "5:100:3:17:B:x", "5:100:3:17:B:",
                               "5:100:3:17:B:9:1", "5:x:3:17:B", "5:100:3:17:B,"}) {
    EXPECT_FALSE(ParseTradeEntry(Fields{{"trades", bad}}).has_value()) << bad;
  }
  EXPECT_FALSE(ParseTradeEntry(Fields{{"first", "5"}}).has_value());
}

}  // namespace
}  // namespace exchange::bookstate
