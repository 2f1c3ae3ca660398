// AccountHistory (persistence/account_history.h) against a real PostgreSQL
// (scripts/services.sh, EXCHANGE_PG_URL), each test in a schema of its own.
// The rows come from a real Engine's events, turned into rows as the history
// sink does (OrderTracker, TradeRowOf, TradeSettlement, LedgerRowOf) and written by
// HistoryWriter: BTC-USD under cash risk (with fees), ETH-USD without risk.
// The expected answers are computed from the same events in C++; a
// self-trade, which the engine prevents, is written as rows directly.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "persistence/account_history.h"
#include "persistence/history_writer.h"
#include "persistence/order_tracker.h"
#include "tests/service_env.h"
#include "wire/wire_format.h"

namespace exchange::persistence {

std::ostream& operator<<(std::ostream& os, const HistoryTrade& t) {
  return os << "{" << t.symbol << " #" << t.trade_id << " t=" << t.time << " " << t.quantity << "@"
            << t.price << (t.is_buyer ? " buyer" : " seller") << (t.is_maker ? " maker" : " taker")
            << " id" << t.order_id << " x" << t.exchange_order_id << " fee " << t.commission << "}";
}

std::ostream& operator<<(std::ostream& os, const HistoryOrder& o) {
  return os << "{" << o.symbol << " id" << o.order_id << " x" << o.exchange_order_id << " "
            << ToString(o.side) << " " << o.filled << "/" << o.quantity
            << " quote=" << (o.quote_filled ? static_cast<std::int64_t>(*o.quote_filled) : -1)
            << " " << ToString(o.status) << " accepted=" << o.accepted_at.value_or(-1)
            << " finished=" << o.finished_at << "}";
}

namespace {

constexpr Timestamp kStart = 1'795'219'200'000'000'000;  // 2026-11-21 00:00 UTC
constexpr Timestamp kStep = 1'234'567;                   // between commands: 1.234567 ms
constexpr AssetId kBtc = 0, kUsd = 1;
constexpr SymbolId kBtcUsd = 0, kEthUsd = 1;
constexpr AccountId kAlice = 1, kBob = 2, kCarol = 3;

Timestamp Micros(Timestamp t) {
  return t / 1000 * 1000;
}

std::int64_t Millis(Timestamp t) {
  return t / 1'000'000;
}

InstrumentSpec Spec(const char* symbol, RiskMode risk) {
  InstrumentSpec s;
  s.symbol = SymbolName(symbol);
  s.tick_size = 1;
  s.lot_size = 1;
  s.min_quantity = 1;
  s.max_quantity = 1'000'000;
  s.market_protection_ticks = 100;
  s.risk = risk;
  if (risk == RiskMode::kCash) {
    s.base_asset = kBtc;
    s.quote_asset = kUsd;
    s.base_multiplier = 1'000'000;  // a lot is 0.01 BTC
    s.quote_exponent = 0;
    s.fees = FeeRates{/*maker_ppm=*/1'000, /*taker_ppm=*/2'000};
  }
  return s;
}

class AccountHistoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    EXCHANGE_REQUIRE_SERVICE("EXCHANGE_PG_URL", url_);
    schema_ = "exchange_account_history_" + std::to_string(::getpid()) + "_" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::transform(schema_.begin(), schema_.end(), schema_.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    DropSchema();
    writer_ =
        std::make_unique<HistoryWriter>(HistoryWriter::Options{url_, schema_, "test", 1}, kStart);
    Run(AddAsset{{SymbolName("BTC"), 8}});
    Run(AddAsset{{SymbolName("USD"), 2}});
    Run(AddInstrument{Spec("BTC-USD", RiskMode::kCash)});
    Run(AddInstrument{Spec("ETH-USD", RiskMode::kNone)});
    for (AccountId a : {kAlice, kBob, kCarol}) {
      Run(Deposit{a, kBtc, 1'000'000'000'000, ++transfer_});
      Run(Deposit{a, kUsd, 1'000'000'000, ++transfer_});
    }
  }
  void TearDown() override {
    history_.reset();
    writer_.reset();
    if (!url_.empty()) DropSchema();
  }
  void DropSchema() {
    PgConnection c(url_);
    c.Exec("DROP SCHEMA IF EXISTS \"" + schema_ + "\" CASCADE");
  }

  // Runs one command, turns its events into rows as the history sink does,
  // writes them; returns the events.
  std::vector<Event> Run(CommandBody body) {
    now_ += kStep;
    const auto span = engine_.Process(Command{now_, std::move(body)});
    std::vector<Event> events(span.begin(), span.end());
    HistoryBatch batch;
    batch.trades.reserve(events.size());  // TradeSettlement holds the last row's address
    TradeSettlement settlement;
    for (const Event& e : events) {
      wire::EventRecord r;
      r.event = e;
      if (e.symbol < engine_.symbol_count()) r.symbol = engine_.book(e.symbol).instrument.symbol;
      if (e.asset < engine_.asset_count()) r.asset = engine_.asset(e.asset).name;
      std::vector<FinishedOrder> finished;
      tracker_.Apply(r, &finished);
      batch.orders.insert(batch.orders.end(), finished.begin(), finished.end());
      if (e.type == EventType::kTrade) {
        batch.trades.push_back(TradeRowOf(r.symbol, e));
        settlement.Begin(&batch.trades.back());
      }
      if (e.type == EventType::kBalance) {
        batch.ledger.push_back(LedgerRowOf(r.symbol, r.asset, e));
        EXPECT_TRUE(settlement.Apply(r.asset, e)) << "a settlement without its trade";
      }
      batch.up_to = e.sequence;
      records_.push_back(r);
    }
    if (!batch.empty()) {
      EXPECT_TRUE(writer_->Write(batch).empty());
    }
    all_orders_.insert(all_orders_.end(), batch.orders.begin(), batch.orders.end());
    return events;
  }
  OrderId Order(AccountId a, ClientOrderId id, SymbolId symbol, Side side, Price price,
                Quantity quantity) {
    NewOrder o;
    o.account = a;
    o.symbol = symbol;
    o.order_id = id;
    o.side = side;
    o.price = price;
    o.quantity = quantity;
    for (const Event& e : Run(o)) {
      if (e.type == EventType::kAccepted) return e.exchange_order_id;
    }
    return 0;
  }

  AccountHistory& History() {
    if (!history_) history_ = std::make_unique<AccountHistory>(url_, schema_);
    return *history_;
  }

  // What Orders should answer, all of them, ascending.
  std::vector<HistoryOrder> WantOrders(AccountId account, const std::string& symbol) const {
    std::vector<HistoryOrder> out;
    for (const FinishedOrder& f : all_orders_) {
      if (f.account != account || f.symbol.str() != symbol || f.exchange_order_id == 0) continue;
      HistoryOrder o;
      o.symbol = symbol;
      o.order_id = f.order_id;
      o.exchange_order_id = f.exchange_order_id;
      o.side = f.side;
      o.order_type = f.order_type;
      o.price = f.price;
      o.stop_price = f.stop_price;
      o.quantity = f.quantity;
      o.filled = f.filled;
      o.quote_filled = f.quote_filled;
      o.status = f.status;
      o.reason = std::string(f.reason);
      if (f.accepted_at != 0) o.accepted_at = Micros(f.accepted_at);
      o.finished_at = Micros(f.finished_at);
      out.push_back(o);
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
      return a.exchange_order_id < b.exchange_order_id;
    });
    return out;
  }

  // What Trades should answer, all of them, ascending: one row per side the
  // account was on, with its order's exchange id and its fee (the fee
  // account's FEE event of the trade in the asset it gets: base as buyer,
  // quote as seller).
  std::vector<HistoryTrade> WantTrades(AccountId account, const std::string& symbol) const {
    std::vector<HistoryTrade> out;
    for (const wire::EventRecord& r : records_) {
      const Event& e = r.event;
      if (e.type != EventType::kTrade || r.symbol.str() != symbol) continue;
      for (const bool maker : {false, true}) {
        if ((maker ? e.maker_account : e.account) != account) continue;
        HistoryTrade t;
        t.symbol = symbol;
        t.trade_id = e.sequence;
        t.time = Micros(e.timestamp);
        t.price = e.price;
        t.quantity = e.quantity;
        t.is_maker = maker;
        t.is_buyer = (e.side == Side::kBuy) != maker;
        t.order_id = maker ? e.maker_order_id : e.order_id;
        t.exchange_order_id = maker ? e.maker_exchange_order_id : e.exchange_order_id;
        const AssetId gets = t.is_buyer ? kBtc : kUsd;
        for (const wire::EventRecord& b : records_) {  // the side's fee: the fee account's
          const Event& x = b.event;
          if (x.type == EventType::kBalance && x.trade_sequence == e.sequence &&
              x.account == kFeeAccount && x.balance_reason == BalanceReason::kFee &&
              x.asset == gets) {
            t.commission = x.available_delta;
          }
        }
        out.push_back(t);
      }
    }
    return out;
  }

  // Alice's day in BTC-USD (cash) and ETH-USD (no risk).
  void Trade() {
    alice_sell_ = Order(kAlice, 11, kBtcUsd, Side::kSell, 100, 10);
    bob_buy_ = Order(kBob, 21, kBtcUsd, Side::kBuy, 105, 4);  // pays 100: hold released
    Order(kBob, 22, kBtcUsd, Side::kBuy, 100, 6);             // fills alice's 11
    Order(kCarol, 31, kBtcUsd, Side::kSell, 101, 5);
    Order(kAlice, 12, kBtcUsd, Side::kBuy, 101, 5);  // alice the taker, buying
    Order(kAlice, 13, kBtcUsd, Side::kSell, 110, 3);
    Run(CancelOrder{kAlice, kBtcUsd, 13, 0});
    NewOrder bad;
    bad.account = kAlice;
    bad.symbol = kBtcUsd;
    bad.order_id = 15;
    bad.side = Side::kBuy;
    bad.price = 100;
    bad.quantity = 2'000'000;  // QUANTITY_OUT_OF_RANGE: a row with exchange id 0
    Run(bad);
    for (int i = 0; i < 10; ++i) {
      Order(kAlice, 100 + i, kBtcUsd, Side::kSell, 100 + i, 1);
      Order(kCarol, 200 + i, kBtcUsd, Side::kBuy, 100 + i, 1);
    }
    alice_open_ = Order(kAlice, 14, kBtcUsd, Side::kBuy, 95, 5);
    Order(kCarol, 32, kBtcUsd, Side::kSell, 95, 2);  // alice's 14 stays open, 2 of 5
    alice_eth_ = Order(kAlice, 500, kEthUsd, Side::kSell, 50, 2);
    Order(kBob, 600, kEthUsd, Side::kBuy, 50, 2);
  }

  std::string url_;
  std::string schema_;
  Engine engine_;
  OrderTracker tracker_;
  std::unique_ptr<HistoryWriter> writer_;
  std::unique_ptr<AccountHistory> history_;
  std::vector<wire::EventRecord> records_;
  std::vector<FinishedOrder> all_orders_;
  Timestamp now_ = kStart;
  TransferId transfer_ = 0;
  OrderId alice_sell_ = 0, bob_buy_ = 0, alice_open_ = 0, alice_eth_ = 0;
};

template <class T>
std::vector<T> Slice(const std::vector<T>& v, std::size_t first, std::size_t count) {
  first = std::min(first, v.size());
  return std::vector<T>(v.begin() + static_cast<std::ptrdiff_t>(first),
                        v.begin() + static_cast<std::ptrdiff_t>(std::min(v.size(), first + count)));
}

TEST_F(AccountHistoryTest, OrdersRoundTripAndPageBothWays) {
  Trade();
  const auto want = WantOrders(kAlice, "BTC-USD");
  ASSERT_EQ(want.size(), 13u);  // 11, 12, 13 (cancelled), 100..109; not 15 (rejected) nor 14 (open)
  HistoryOrderQuery q{kAlice, "BTC-USD", std::nullopt, std::nullopt, std::nullopt, 1000};
  EXPECT_EQ(History().Orders(q), want);

  // The first: 10 sold at 100, 4 to bob then 6.
  EXPECT_EQ(want[0].exchange_order_id, alice_sell_);
  EXPECT_EQ(want[0].quote_filled, std::optional<__int128>(1000));
  ASSERT_TRUE(want[0].accepted_at.has_value());
  EXPECT_LT(*want[0].accepted_at, want[0].finished_at);

  q.limit = 3;  // the newest 3, ascending
  EXPECT_EQ(History().Orders(q), Slice(want, want.size() - 3, 3));
  q.from_order_id = want[4].exchange_order_id;  // from an id upwards
  EXPECT_EQ(History().Orders(q), Slice(want, 4, 3));
  q.from_order_id = want.back().exchange_order_id + 1;
  EXPECT_TRUE(History().Orders(q).empty());

  q = HistoryOrderQuery{kAlice, "ETH-USD", std::nullopt, std::nullopt, std::nullopt, 10};
  ASSERT_EQ(History().Orders(q).size(), 1u);
  EXPECT_EQ(History().Orders(q)[0].exchange_order_id, alice_eth_);
  q.account = kCarol;
  EXPECT_TRUE(History().Orders(q).empty());

  q.limit = 0;
  EXPECT_THROW(History().Orders(q), std::invalid_argument);
}

TEST_F(AccountHistoryTest, OrdersTimeBoundsAreInclusiveMillisecondsOnAcceptance) {
  Trade();
  const auto want = WantOrders(kAlice, "BTC-USD");
  // Orders 5..8 by the millisecond of their acceptance, both ends inclusive.
  const std::int64_t from = Millis(*want[5].accepted_at);
  const std::int64_t to = Millis(*want[8].accepted_at);
  std::vector<HistoryOrder> expected;
  for (const HistoryOrder& o : want) {
    const std::int64_t ms = Millis(*o.accepted_at);
    if (ms >= from && ms <= to) expected.push_back(o);
  }
  ASSERT_EQ(expected.size(), 4u);
  HistoryOrderQuery q{kAlice, "BTC-USD", std::nullopt, from, to, 1000};
  EXPECT_EQ(History().Orders(q), expected);
  q.start_ms = std::nullopt;
  q.limit = 2;  // the newest two before the end
  EXPECT_EQ(History().Orders(q), Slice(want, 7, 2));
  q.end_ms = Millis(*want[0].accepted_at) - 1;
  EXPECT_TRUE(History().Orders(q).empty());
  q.end_ms = INT64_MAX;  // beyond any time: no bound
  EXPECT_EQ(History().Orders(q), Slice(want, want.size() - 2, 2));
}

TEST_F(AccountHistoryTest, TradesCarryTheirOrdersAndFees) {
  Trade();
  const auto want = WantTrades(kAlice, "BTC-USD");
  ASSERT_EQ(want.size(), 14u);  // 4 + 6 sold, 5 bought, 10 sold, 2 bought (open order)
  HistoryTradeQuery q;
  q.account = kAlice;
  q.symbol = "BTC-USD";
  q.limit = 1000;
  EXPECT_EQ(History().Trades(q), want);
  // Alice sold 4 at 100 as maker: the 0.1 % maker fee on 400 USD cents rounds to 0.
  EXPECT_EQ(want[0].exchange_order_id, alice_sell_);
  EXPECT_EQ(want[0].commission, 0);
  EXPECT_FALSE(want[0].is_buyer);
  EXPECT_TRUE(want[0].is_maker);
  // She bought 5 at 101 as taker: the 0.2 % taker fee on 5 lots of BTC.
  EXPECT_TRUE(want[2].is_buyer);
  EXPECT_FALSE(want[2].is_maker);
  EXPECT_EQ(want[2].commission, 10'000);

  // Bob's first buy paid 100 under a limit of 105 (his quote row has the
  // hold released): his fee is still the one in BTC.
  const auto bob = WantTrades(kBob, "BTC-USD");
  q.account = kBob;
  const auto got = History().Trades(q);
  EXPECT_EQ(got, bob);
  ASSERT_FALSE(got.empty());
  EXPECT_EQ(got[0].commission, 8'000);
  EXPECT_EQ(got[0].exchange_order_id, bob_buy_);

  q.limit = 0;
  EXPECT_THROW(History().Trades(q), std::invalid_argument);
}

TEST_F(AccountHistoryTest, TradesPageBothWaysAndByTime) {
  Trade();
  const auto want = WantTrades(kAlice, "BTC-USD");
  HistoryTradeQuery q;
  q.account = kAlice;
  q.symbol = "BTC-USD";
  q.limit = 4;  // the newest 4, ascending
  EXPECT_EQ(History().Trades(q), Slice(want, want.size() - 4, 4));
  q.from_trade_id = want[3].trade_id;
  EXPECT_EQ(History().Trades(q), Slice(want, 3, 4));
  q.from_trade_id = want[3].trade_id + 1;  // ids between trades: from the next
  EXPECT_EQ(History().Trades(q), Slice(want, 4, 4));

  q.from_trade_id = std::nullopt;
  q.limit = 1000;
  q.start_ms = Millis(want[4].time);
  q.end_ms = Millis(want[9].time);
  std::vector<HistoryTrade> expected;
  for (const HistoryTrade& t : want) {
    if (Millis(t.time) >= *q.start_ms && Millis(t.time) <= *q.end_ms) expected.push_back(t);
  }
  ASSERT_GE(expected.size(), 6u);
  EXPECT_EQ(History().Trades(q), expected);
}

TEST_F(AccountHistoryTest, TradesOfOneOrder) {
  Trade();
  const auto all = WantTrades(kAlice, "BTC-USD");
  HistoryTradeQuery q;
  q.account = kAlice;
  q.symbol = "BTC-USD";
  q.limit = 1000;
  // A finished order by its exchange id: its two fills.
  q.exchange_order_id = alice_sell_;
  EXPECT_EQ(History().Trades(q), Slice(all, 0, 2));
  // The open order (not in orders).
  q.exchange_order_id = alice_open_;
  EXPECT_EQ(History().Trades(q), Slice(all, all.size() - 1, 1));
  // By the engine's client id.
  q.exchange_order_id = std::nullopt;
  q.order_id = 14;
  EXPECT_EQ(History().Trades(q), Slice(all, all.size() - 1, 1));
  q.order_id = 11;
  EXPECT_EQ(History().Trades(q), Slice(all, 0, 2));
  // An id nobody knows, another account's order: nothing.
  q.order_id = std::nullopt;
  q.exchange_order_id = 999'999;
  EXPECT_TRUE(History().Trades(q).empty());
  q.exchange_order_id = bob_buy_;
  EXPECT_TRUE(History().Trades(q).empty());
  // Without risk too.
  q.symbol = "ETH-USD";
  q.exchange_order_id = alice_eth_;
  EXPECT_EQ(History().Trades(q), WantTrades(kAlice, "ETH-USD"));
}

TEST_F(AccountHistoryTest, TradesWithoutRiskHaveNoFees) {
  Trade();
  const auto want = WantTrades(kAlice, "ETH-USD");
  ASSERT_EQ(want.size(), 1u);
  HistoryTradeQuery q;
  q.account = kAlice;
  q.symbol = "ETH-USD";
  const auto got = History().Trades(q);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got, want);
  EXPECT_EQ(got[0].exchange_order_id, alice_eth_);
  EXPECT_EQ(got[0].commission, 0);
  EXPECT_EQ(got[0].order_id, 500u);
}

// The engine prevents self-trades; rows written by hand show how one reads:
// two rows, taker's first, each with its own side's order and fee.
TEST_F(AccountHistoryTest, SelfTradeIsTwoRowsTakerFirst) {
  constexpr AccountId kSelf = 7;
  HistoryBatch batch;
  TradeRow before{
      SymbolName("BTC-USD"), 1'000, kStart + 1'000, 100, 1, Side::kBuy, kSelf, 70, kBob, 71};
  TradeRow self = before;
  self.trade_id = 1'001;
  self.time = kStart + 2'000;
  self.quantity = 2;
  self.aggressor = Side::kSell;  // 72 sells (taker) to 73 (maker)
  self.taker_order_id = 72;
  self.maker_account = kSelf;
  self.maker_order_id = 73;
  self.taker_exchange_order_id = 902;
  self.maker_exchange_order_id = 903;
  self.buyer_fee = 2;   // in BTC: the maker's
  self.seller_fee = 1;  // in USD: the taker's
  batch.trades = {before, self};
  batch.up_to = 1'010;
  ASSERT_TRUE(writer_->Write(batch).empty());

  HistoryTradeQuery q;
  q.account = kSelf;
  q.symbol = "BTC-USD";
  const auto got = History().Trades(q);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].trade_id, 1'000u);
  const HistoryTrade taker{"BTC-USD", 1'001, Micros(self.time), 100, 2, false, false, 72, 902, 1};
  const HistoryTrade maker{"BTC-USD", 1'001, Micros(self.time), 100, 2, true, true, 73, 903, 2};
  EXPECT_EQ(got[1], taker);
  EXPECT_EQ(got[2], maker);
  q.limit = 1;  // the newest row is the maker's
  EXPECT_EQ(History().Trades(q), std::vector<HistoryTrade>{maker});
  q.from_trade_id = 1'001;  // from the id: the taker's first
  EXPECT_EQ(History().Trades(q), std::vector<HistoryTrade>{taker});
  q.from_trade_id = std::nullopt;
  q.limit = 10;
  q.exchange_order_id = 903;  // only the maker side
  EXPECT_EQ(History().Trades(q), std::vector<HistoryTrade>{maker});
}

TEST_F(AccountHistoryTest, ALostConnectionIsRemadeOnTheNextCall) {
  Trade();
  HistoryOrderQuery q{kAlice, "BTC-USD", std::nullopt, std::nullopt, std::nullopt, 1000};
  AccountHistory history(url_, schema_);
  {
    // Its connection's last statement named the test's schema.
    PgConnection admin(url_);
    const PgResult r = admin.Exec(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = "
        "'exchange-account-history' AND strpos(query, $1) > 0",
        {schema_});
    ASSERT_EQ(r.rows(), 1);
  }
  EXPECT_THROW(history.Orders(q), PgError);
  EXPECT_EQ(history.Orders(q), WantOrders(kAlice, "BTC-USD"));
}

// The plans: with enough rows, the trades by the GIN index (never the
// ledger), an account's orders by orders_account_symbol.
TEST_F(AccountHistoryTest, PlansUseTheIndexes) {
  HistoryBatch batch;
  for (Sequence id = 1; id <= 20'000; ++id) {
    const auto taker = static_cast<AccountId>(100 + id * 7 % 400);
    const auto maker = static_cast<AccountId>(100 + id * 13 % 400);
    batch.trades.push_back(TradeRow{SymbolName("BTC-USD"), id, kStart + static_cast<Timestamp>(id),
                                    100, 1, Side::kBuy, taker, id, maker, id + 1});
    FinishedOrder o;
    o.symbol = SymbolName("BTC-USD");
    o.last_sequence = id;
    o.account = taker;
    o.exchange_order_id = id;
    o.finished_at = kStart;
    batch.orders.push_back(o);
  }
  batch.up_to = 20'000;
  ASSERT_TRUE(writer_->Write(batch).empty());
  PgConnection(url_).Exec("VACUUM ANALYZE \"" + schema_ + "\".trades, \"" + schema_ + "\".orders");
  const auto plan = [](const std::vector<std::string>& lines) {
    std::string text;
    for (const auto& l : lines)
      text += l + "\n";
    return text;
  };
  HistoryTradeQuery t;
  t.account = 123;
  t.symbol = "BTC-USD";
  const std::string trades = plan(History().ExplainTrades(t));
  EXPECT_NE(trades.find("array_idx"), std::string::npos) << trades;
  EXPECT_EQ(trades.find("ledger"), std::string::npos) << trades;
  if (std::getenv("EXCHANGE_ACCOUNT_HISTORY_PRINT_PLANS")) {
    std::cout << plan(History().ExplainTrades(t, true)) << "\n";
  }
  HistoryOrderQuery o{123, "BTC-USD", std::nullopt, std::nullopt, std::nullopt, 500};
  const std::string orders = plan(History().ExplainOrders(o));
  EXPECT_NE(orders.find("orders_account_symbol"), std::string::npos) << orders;
  if (std::getenv("EXCHANGE_ACCOUNT_HISTORY_PRINT_PLANS")) {
    std::cout << plan(History().ExplainOrders(o, true)) << "\n";
    t.exchange_order_id = 9'999;
    std::cout << plan(History().ExplainTrades(t, true)) << "\n";
  }
}

}  // namespace
}  // namespace exchange::persistence
