// Tests of OrderTracker (persistence/order_tracker.h): one unit test per way
// an order finishes, then properties on random command streams run through an
// Engine. The streams are the benchmark mix and a generator of every order
// type, cancels and replaces of live and unknown orders (by client and by
// exchange id), mass cancels, halts, unknown symbols and invalid fields.
//
// Properties, checked after every command: the tracker's open orders are the
// engine's; each row's filled is the sum of that order's trades; no order
// finishes twice; rejects become rows by the documented rule; and a tracker
// seeded from the engine mid-stream writes the same rows for the rest.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "engine/engine.h"
#include "orderflow/benchmark_mix.h"
#include "persistence/order_tracker.h"
#include "tests/engine_fixture.h"
#include "wire/wire_format.h"

namespace exchange::persistence {

// For failure messages (gtest and rapidcheck find it by ADL).
std::ostream& operator<<(std::ostream& os, const FinishedOrder& r) {
  return os << "{" << r.symbol.view() << " #" << r.last_sequence << " a" << r.account << " id"
            << r.order_id << " x" << r.exchange_order_id << " " << ToString(r.side) << " "
            << ToString(r.order_type) << " px=" << r.price << " stop=" << r.stop_price
            << " qty=" << r.quantity << " filled=" << r.filled << " " << ToString(r.status) << " '"
            << r.reason << "' t=" << r.finished_at << " accepted=" << r.accepted_at
            << " quote=" << static_cast<std::int64_t>(r.quote_filled) << "}";
}

namespace {

// The record a sink receives: the event with its symbol's name (the name
// asked for when the engine has no such symbol), as EngineCore builds it.
wire::EventRecord RecordOf(const Engine& engine, const Event& e,
                           std::string_view asked = "UNKNOWN") {
  wire::EventRecord r;
  r.event = e;
  r.symbol = e.symbol < engine.symbol_count() ? engine.book(e.symbol).instrument.symbol
                                              : SymbolName(asked);
  return r;
}

// ================================================================ unit tests

class OrderTrackerTest : public exchange::testing::EngineFixture {
 protected:
  // Runs one command and feeds its events to the tracker; returns its rows.
  std::vector<FinishedOrder> Feed(CommandBody body) {
    std::vector<FinishedOrder> rows;
    for (const Event& e : Run(std::move(body)))
      tracker_.Apply(RecordOf(engine_, e), &rows);
    return rows;
  }

  // The row the tracker should write for an order finished by `e`, accepted
  // at `accepted_at`, whose fills came to `quote_filled` (Σ price × quantity).
  static FinishedOrder Row(const NewOrder& asked, OrderId xid, Quantity filled, FinishStatus status,
                           std::string_view reason, const Event& e, Timestamp accepted_at,
                           __int128 quote_filled) {
    FinishedOrder r;
    r.symbol = SymbolName("TEST");
    r.last_sequence = e.sequence;
    r.account = asked.account;
    r.order_id = asked.order_id;
    r.exchange_order_id = xid;
    r.side = asked.side;
    r.order_type = asked.type;
    r.price = asked.price;
    r.stop_price = asked.stop_price;
    r.quantity = asked.quantity;
    r.filled = filled;
    r.status = status;
    r.reason = reason;
    r.finished_at = e.timestamp;
    r.accepted_at = accepted_at;
    r.quote_filled = quote_filled;
    return r;
  }

  // The exchange id the last command's ACCEPTED gave.
  OrderId Accepted() const {
    const auto accepted = OfType(last_, EventType::kAccepted);
    EXPECT_EQ(accepted.size(), 1u);
    return accepted.empty() ? 0 : accepted[0].exchange_order_id;
  }
  // The time of the last command's ACCEPTED.
  Timestamp AcceptedAt() const {
    const auto accepted = OfType(last_, EventType::kAccepted);
    EXPECT_EQ(accepted.size(), 1u);
    return accepted.empty() ? 0 : accepted[0].timestamp;
  }

  static NewOrder Iceberg(AccountId a, ClientOrderId id, Side side, Price p, Quantity q,
                          Quantity display) {
    NewOrder o = Limit(a, id, side, p, q);
    o.type = OrderType::kIceberg;
    o.display_quantity = display;
    return o;
  }

  static NewOrder Stop(AccountId a, ClientOrderId id, Side side, Price stop, Price limit,
                       Quantity q) {
    NewOrder o = Limit(a, id, side, limit, q);
    o.type = limit == 0 ? OrderType::kStop : OrderType::kStopLimit;
    o.stop_price = stop;
    return o;
  }

  // One trade at `price` between accounts 8 and 9, so that stops have a last price.
  void TradeAt(Price price) {
    const auto id = static_cast<ClientOrderId>(price);
    Feed(Limit(8, id, Side::kSell, price, 10));
    Feed(Limit(9, id, Side::kBuy, price, 10));
  }

  OrderTracker tracker_;
};

TEST_F(OrderTrackerTest, StatusNames) {
  EXPECT_EQ(ToString(FinishStatus::kFilled), "filled");
  EXPECT_EQ(ToString(FinishStatus::kCanceled), "cancelled");
  EXPECT_EQ(ToString(FinishStatus::kRejected), "rejected");
}

TEST_F(OrderTrackerTest, LimitFillsFullyAcrossTwoTrades) {
  const NewOrder maker = Limit(1, 10, Side::kSell, 100, 100);
  EXPECT_TRUE(Feed(maker).empty());
  const OrderId xid = Accepted();
  const Timestamp maker_at = AcceptedAt();

  const NewOrder first = Limit(2, 20, Side::kBuy, 100, 40);
  const auto rows1 = Feed(first);
  const Event trade1 = OfType(last_, EventType::kTrade).at(0);
  ASSERT_EQ(rows1.size(), 1u);  // the taker only
  EXPECT_EQ(rows1[0], Row(first, trade1.exchange_order_id, 40, FinishStatus::kFilled, "", trade1,
                          trade1.timestamp, 100 * 40));
  EXPECT_EQ(tracker_.FindOpen(xid)->filled, 40);

  const NewOrder second = Limit(3, 30, Side::kBuy, 100, 60);
  const auto rows2 = Feed(second);
  const Event trade2 = OfType(last_, EventType::kTrade).at(0);
  ASSERT_EQ(rows2.size(), 2u);
  EXPECT_GT(trade2.timestamp, maker_at);
  EXPECT_EQ(rows2[0], Row(maker, xid, 100, FinishStatus::kFilled, "", trade2, maker_at, 100 * 100));
  EXPECT_EQ(rows2[1], Row(second, trade2.exchange_order_id, 60, FinishStatus::kFilled, "", trade2,
                          trade2.timestamp, 100 * 60));
  EXPECT_EQ(tracker_.open_orders(), 0u);
}

TEST_F(OrderTrackerTest, IocRemainderIsCancelledWithItsFill) {
  Feed(Limit(1, 10, Side::kSell, 100, 30));
  const NewOrder ioc = Limit(2, 20, Side::kBuy, 100, 50, TimeInForce::kIoc);
  const auto rows = Feed(ioc);
  const Event canceled = OfType(last_, EventType::kCanceled).at(0);
  ASSERT_EQ(rows.size(), 2u);  // the maker filled, then the IOC cancelled
  EXPECT_EQ(rows[0].order_id, 10u);
  EXPECT_EQ(rows[0].status, FinishStatus::kFilled);
  EXPECT_EQ(rows[1], Row(ioc, canceled.exchange_order_id, 30, FinishStatus::kCanceled,
                         "IOC_REMAINDER", canceled, canceled.timestamp, 100 * 30));
}

TEST_F(OrderTrackerTest, SweepingTakerFinishesMakersButNotItself) {
  Feed(Limit(1, 10, Side::kSell, 100, 20));
  Feed(Limit(1, 11, Side::kSell, 105, 20));
  const auto rows = Feed(Limit(2, 20, Side::kBuy, 110, 100));
  const OrderId taker = Accepted();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].order_id, 10u);
  EXPECT_EQ(rows[1].order_id, 11u);
  for (const FinishedOrder& r : rows) {
    EXPECT_EQ(r.status, FinishStatus::kFilled);
    EXPECT_EQ(r.filled, 20);
  }
  ASSERT_EQ(tracker_.open_orders(), 1u);
  EXPECT_EQ(tracker_.FindOpen(taker)->filled, 40);
}

TEST_F(OrderTrackerTest, ReplaceThenFillKeepsNewClientIdAndTotal) {
  NewOrder buy = Limit(1, 10, Side::kBuy, 100, 50);
  Feed(buy);
  const OrderId xid = Accepted();
  const Timestamp buy_at = AcceptedAt();
  Feed(Limit(2, 20, Side::kSell, 100, 20));  // fills 20 of 50
  ReplaceOrder replace{1, 0, 10, 0, /*new_order_id=*/11, /*price=*/95, /*quantity=*/80, 0};
  EXPECT_TRUE(Feed(replace).empty());
  const TrackedOrder* open = tracker_.FindOpen(xid);
  ASSERT_NE(open, nullptr);
  EXPECT_EQ(open->order_id, 11u);
  EXPECT_EQ(open->quantity, 80);
  EXPECT_EQ(open->filled, 20);

  const auto rows = Feed(Limit(3, 30, Side::kSell, 95, 60));  // the new leaves
  const Event trade = OfType(last_, EventType::kTrade).at(0);
  ASSERT_EQ(rows.size(), 2u);
  buy.order_id = 11;
  buy.price = 95;
  buy.quantity = 80;
  EXPECT_EQ(rows[0],
            Row(buy, xid, 80, FinishStatus::kFilled, "", trade, buy_at, 20 * 100 + 60 * 95));
}

TEST_F(OrderTrackerTest, ReplaceDownToFilledFinishesAsFilled) {
  NewOrder buy = Limit(1, 10, Side::kBuy, 100, 50);
  Feed(buy);
  const OrderId xid = Accepted();
  const Timestamp buy_at = AcceptedAt();
  Feed(Limit(2, 20, Side::kSell, 100, 30));
  const auto rows = Feed(ReplaceOrder{1, 0, 10, 0, 0, 0, /*quantity=*/20, 0});
  const Event replaced = OfType(last_, EventType::kReplaced).at(0);
  ASSERT_EQ(replaced.leaves, 0);
  ASSERT_EQ(rows.size(), 1u);
  buy.quantity = 20;  // the new total, below what had filled
  EXPECT_EQ(rows[0], Row(buy, xid, 30, FinishStatus::kFilled, "", replaced, buy_at, 30 * 100));
  EXPECT_EQ(tracker_.open_orders(), 0u);
}

TEST_F(OrderTrackerTest, UserCancel) {
  const NewOrder buy = Limit(1, 10, Side::kBuy, 100, 50);
  Feed(buy);
  const OrderId xid = Accepted();
  const Timestamp buy_at = AcceptedAt();
  const auto rows = Feed(CancelOrder{1, 0, 10, 0});
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0],
            Row(buy, xid, 0, FinishStatus::kCanceled, "USER_REQUEST", last_.at(0), buy_at, 0));
}

TEST_F(OrderTrackerTest, SelfTradePreventionCancelsTheRestingOrder) {
  Feed(Limit(1, 10, Side::kSell, 100, 20));
  const auto rows = Feed(Limit(1, 11, Side::kBuy, 100, 20));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].order_id, 10u);
  EXPECT_EQ(rows[0].status, FinishStatus::kCanceled);
  EXPECT_EQ(rows[0].reason, "SELF_TRADE");
  EXPECT_EQ(tracker_.open_orders(), 1u);
}

TEST_F(OrderTrackerTest, MassCancelFinishesEveryOrderOfTheAccount) {
  Feed(Limit(1, 10, Side::kBuy, 100, 20));
  Feed(Limit(1, 11, Side::kSell, 120, 20));
  Feed(Limit(2, 20, Side::kBuy, 100, 20));
  const auto rows = Feed(MassCancel{1, kAllSymbols});
  ASSERT_EQ(rows.size(), 2u);
  for (const FinishedOrder& r : rows) {
    EXPECT_EQ(r.account, 1u);
    EXPECT_EQ(r.reason, "MASS_CANCEL");
  }
  EXPECT_EQ(tracker_.open_orders(), 1u);
}

TEST_F(OrderTrackerTest, RejectedNewOrderIsARow) {
  const NewOrder off_tick = Limit(1, 10, Side::kSell, 101, 50);
  const auto rows = Feed(off_tick);
  ASSERT_EQ(RejectOf(last_), RejectReason::kPriceNotOnTick);
  ASSERT_EQ(rows.size(), 1u);
  // Never accepted: no acceptance time.
  EXPECT_EQ(rows[0],
            Row(off_tick, 0, 0, FinishStatus::kRejected, "PRICE_NOT_ON_TICK", last_[0], 0, 0));

  NewOrder market = Limit(1, 11, Side::kBuy, 0, 50);
  market.type = OrderType::kMarket;
  const auto no_liquidity = Feed(market);
  ASSERT_EQ(no_liquidity.size(), 1u);
  EXPECT_EQ(no_liquidity[0].reason, "NO_LIQUIDITY");
  EXPECT_EQ(no_liquidity[0].order_type, OrderType::kLimit);  // the event does not say

  NewOrder unknown_symbol = Limit(1, 12, Side::kBuy, 100, 50);
  unknown_symbol.symbol = 3;
  std::vector<FinishedOrder> unknown_rows;
  for (const Event& e : Run(unknown_symbol))
    tracker_.Apply(RecordOf(engine_, e, "NOPE"), &unknown_rows);
  ASSERT_EQ(unknown_rows.size(), 1u);
  EXPECT_EQ(unknown_rows[0].symbol, SymbolName("NOPE"));
  EXPECT_EQ(unknown_rows[0].reason, "UNKNOWN_SYMBOL");
}

TEST_F(OrderTrackerTest, RefusedCancelsAndAdminCommandsAreNoRows) {
  EXPECT_TRUE(Feed(CancelOrder{1, 0, 99, 0}).empty());
  EXPECT_EQ(RejectOf(last_), RejectReason::kUnknownOrder);
  EXPECT_TRUE(Feed(CancelOrder{1, 0, 0, 12345}).empty());  // by an unknown exchange id
  EXPECT_TRUE(Feed(CancelOrder{1, 3, 10, 0}).empty());     // unknown symbol
  EXPECT_EQ(RejectOf(last_), RejectReason::kUnknownSymbol);
  EXPECT_TRUE(Feed(MassCancel{1, 3}).empty());
  EXPECT_TRUE(Feed(HaltSymbol{3}).empty());
  EXPECT_TRUE(Feed(AddInstrument{TestInstrument()}).empty());
  EXPECT_EQ(RejectOf(last_), RejectReason::kDuplicateSymbol);
  EXPECT_TRUE(Feed(HaltSymbol{0}).empty());
  EXPECT_TRUE(Feed(ResumeSymbol{0}).empty());
  EXPECT_EQ(tracker_.unknown_events(), 0u);
}

TEST_F(OrderTrackerTest, RefusedReplaceOfAnOpenOrderIsNoRow) {
  Feed(Limit(1, 10, Side::kBuy, 100, 50));
  EXPECT_TRUE(Feed(ReplaceOrder{1, 0, 10, 0, 0, /*price=*/101, 0, 0}).empty());
  EXPECT_EQ(RejectOf(last_), RejectReason::kPriceNotOnTick);
  EXPECT_TRUE(Feed(ReplaceOrder{1, 0, 10, 0, 0, 0, /*quantity=*/55, 0}).empty());
  EXPECT_EQ(RejectOf(last_), RejectReason::kQuantityNotOnLot);
  Feed(HaltSymbol{0});
  EXPECT_TRUE(Feed(ReplaceOrder{1, 0, 0, /*exchange id=*/1, 0, 95, 0, 0}).empty());
  EXPECT_EQ(RejectOf(last_), RejectReason::kHalted);
  EXPECT_EQ(tracker_.open_orders(), 1u);
}

// The documented misses: rejects the event alone cannot place.
TEST_F(OrderTrackerTest, NewOrderReusingAnOpenClientIdIsNoRow) {
  Feed(Limit(1, 10, Side::kBuy, 100, 50));
  EXPECT_TRUE(Feed(Limit(1, 10, Side::kBuy, 95, 50)).empty());
  EXPECT_EQ(RejectOf(last_), RejectReason::kDuplicateClientOrderId);
}

TEST_F(OrderTrackerTest, RefusedReplaceByExchangeIdWithANewQuantityIsARow) {
  Feed(Limit(1, 10, Side::kBuy, 100, 50));
  const OrderId xid = Accepted();
  const auto rows = Feed(ReplaceOrder{1, 0, 0, xid, 0, 0, /*quantity=*/55, 0});
  EXPECT_EQ(RejectOf(last_), RejectReason::kQuantityNotOnLot);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].order_id, 0u);
  EXPECT_EQ(rows[0].status, FinishStatus::kRejected);
}

TEST_F(OrderTrackerTest, IcebergFinishesOnlyWhenItsTotalIsFilled) {
  const NewOrder iceberg = Iceberg(1, 10, Side::kSell, 100, 100, 20);
  Feed(iceberg);
  const OrderId xid = Accepted();
  const Timestamp iceberg_at = AcceptedAt();
  EXPECT_EQ(Feed(Limit(2, 20, Side::kBuy, 100, 20)).size(), 1u);  // the taker
  const auto refills = Feed(Limit(3, 30, Side::kBuy, 100, 60));
  EXPECT_EQ(OfType(last_, EventType::kTrade).size(), 3u);
  ASSERT_EQ(refills.size(), 1u);
  EXPECT_EQ(refills[0].account, 3u);
  EXPECT_EQ(tracker_.FindOpen(xid)->filled, 80);

  const auto rows = Feed(Limit(4, 40, Side::kBuy, 100, 20));
  const Event trade = OfType(last_, EventType::kTrade).at(0);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0],
            Row(iceberg, xid, 100, FinishStatus::kFilled, "", trade, iceberg_at, 100 * 100));
}

TEST_F(OrderTrackerTest, StopLimitTriggeredThenFilledKeepsItsType) {
  TradeAt(100);
  const NewOrder stop = Stop(3, 30, Side::kBuy, /*stop=*/110, /*limit=*/115, 20);
  Feed(stop);
  const OrderId xid = Accepted();
  const Timestamp stop_at = AcceptedAt();
  Feed(Limit(1, 10, Side::kSell, 110, 20));
  const auto trigger = Feed(Limit(2, 20, Side::kBuy, 110, 10));  // trades at 110
  ASSERT_EQ(OfType(last_, EventType::kTriggered).size(), 1u);
  EXPECT_EQ(trigger.size(), 2u);  // the taker and the maker it shared with the stop
  ASSERT_NE(engine_.FindOrderByExchangeId(xid), nullptr);
  ASSERT_EQ(engine_.FindOrderByExchangeId(xid)->type, OrderType::kLimit);  // the engine's view
  EXPECT_EQ(tracker_.FindOpen(xid)->order_type, OrderType::kStopLimit);
  EXPECT_EQ(tracker_.FindOpen(xid)->filled, 10);

  OrderTracker seeded;
  seeded.Seed(engine_);
  EXPECT_EQ(seeded.FindOpen(xid)->order_type, OrderType::kStopLimit);

  std::vector<FinishedOrder> seeded_rows;
  const auto rows = Feed(Limit(4, 40, Side::kSell, 115, 10));
  for (const Event& e : last_)
    seeded.Apply(RecordOf(engine_, e), &seeded_rows);
  const Event trade = OfType(last_, EventType::kTrade).at(0);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0],
            Row(stop, xid, 20, FinishStatus::kFilled, "", trade, stop_at, 10 * 110 + 10 * 115));
  // The seeded tracker never saw the acceptance nor (without cash risk, which
  // keeps Order::traded_notional) the fill before the seed.
  std::vector<FinishedOrder> want_seeded = rows;
  want_seeded[0].accepted_at = 0;
  want_seeded[0].quote_filled = 10 * 115;
  EXPECT_EQ(seeded_rows, want_seeded);
}

TEST_F(OrderTrackerTest, TriggeredStopWithoutLiquidityIsCancelled) {
  TradeAt(100);
  const NewOrder stop = Stop(3, 30, Side::kBuy, /*stop=*/105, /*limit=*/0, 10);
  Feed(stop);
  const OrderId xid = Accepted();
  const Timestamp stop_at = AcceptedAt();
  Feed(Limit(1, 10, Side::kSell, 105, 10));
  const auto rows = Feed(Limit(2, 20, Side::kBuy, 105, 10));
  const Event canceled = OfType(last_, EventType::kCanceled).at(0);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[2],
            Row(stop, xid, 0, FinishStatus::kCanceled, "NO_LIQUIDITY", canceled, stop_at, 0));
}

TEST_F(OrderTrackerTest, SeededTrackerFinishesRecoveredOrders) {
  const NewOrder buy = Limit(1, 10, Side::kBuy, 100, 50);
  Run(buy);
  const OrderId xid = Accepted();
  Run(Limit(2, 20, Side::kSell, 100, 30));
  tracker_.Seed(engine_);
  ASSERT_EQ(tracker_.open_orders(), 1u);
  EXPECT_EQ(tracker_.FindOpen(xid)->filled, 30);
  const auto rows = Feed(Limit(3, 30, Side::kSell, 100, 20));
  ASSERT_EQ(rows.size(), 2u);
  // Acceptance unknown; without cash risk only the fills after the seed count.
  EXPECT_EQ(rows[0], Row(buy, xid, 50, FinishStatus::kFilled, "", last_.at(1), 0, 20 * 100));
  EXPECT_EQ(tracker_.unknown_events(), 0u);
}

TEST_F(OrderTrackerTest, EventsAboutUnknownOrdersAreSkippedAndCounted) {
  Run(Limit(1, 10, Side::kSell, 100, 50));  // not fed: the tracker never sees it
  Run(Limit(1, 11, Side::kSell, 100, 50));
  EXPECT_TRUE(Feed(CancelOrder{1, 0, 10, 0}).empty());
  EXPECT_EQ(tracker_.unknown_events(), 1u);
  EXPECT_TRUE(Feed(ReplaceOrder{1, 0, 11, 0, 12, 0, 40, 0}).empty());
  EXPECT_EQ(tracker_.unknown_events(), 2u);
  const auto rows = Feed(Limit(2, 20, Side::kBuy, 100, 40));  // known taker, unknown maker
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].account, 2u);
  EXPECT_EQ(tracker_.unknown_events(), 3u);
  EXPECT_EQ(tracker_.open_orders(), 0u);
}

// ================================================================ properties

// An open order: symbol, account, client id, side, type as ordered, price,
// stop price, quantity, filled.
using Key = std::tuple<std::string, AccountId, ClientOrderId, std::string_view, std::string_view,
                       Price, Price, Quantity, Quantity>;

// The type the order was entered with (the engine turns a triggered stop into
// MARKET or LIMIT; only stops have a stop price).
OrderType TypeAsOrdered(const Order& o) {
  if (o.stop_price != 0 && o.type == OrderType::kLimit) return OrderType::kStopLimit;
  return o.type;
}

std::map<OrderId, Key> OpenOf(const Engine& engine) {
  std::map<OrderId, Key> out;
  engine.ForEachOrder([&](const Order& o) {
    out[o.exchange_id] = Key{engine.book(o.symbol).instrument.symbol.str(),
                             o.account,
                             o.client_id,
                             ToString(o.side),
                             ToString(TypeAsOrdered(o)),
                             o.price,
                             o.stop_price,
                             o.quantity,
                             o.filled};
  });
  return out;
}

std::map<OrderId, Key> OpenOf(const OrderTracker& tracker) {
  std::map<OrderId, Key> out;
  tracker.ForEachOpenOrder([&](const TrackedOrder& o) {
    out[o.exchange_order_id] =
        Key{o.symbol.str(), o.account,    o.order_id, ToString(o.side), ToString(o.order_type),
            o.price,        o.stop_price, o.quantity, o.filled};
  });
  return out;
}

bool IsReject(const Event& e) {
  return e.type == EventType::kRejected;
}

// Whether the reject of `command` should be a row, worked out from the
// command (which the tracker never sees). `open_in_symbol`: the command's
// (account, order id) named an open order of its symbol before it ran.
bool ExpectRow(const Command& command, const Event& reject, bool open_in_symbol) {
  const RejectReason why = reject.reject_reason;
  if (const auto* n = std::get_if<NewOrder>(&command.body)) {
    const bool new_order_only =
        why == RejectReason::kInvalidOrder || why == RejectReason::kInvalidDisplayQuantity ||
        why == RejectReason::kNoLiquidity || why == RejectReason::kFokCannotFill;
    const bool zero_and_unchecked =
        n->quantity == 0 && (why == RejectReason::kHalted || why == RejectReason::kUnknownSymbol);
    return new_order_only || (!zero_and_unchecked && !open_in_symbol);
  }
  if (const auto* r = std::get_if<ReplaceOrder>(&command.body)) {
    // The documented misses: named by exchange id or in an unknown symbol,
    // with a new quantity, and a client id not open there.
    const bool ambiguous = why != RejectReason::kUnknownOrder && why != RejectReason::kNotYourOrder;
    return ambiguous && r->quantity != 0 && !open_in_symbol &&
           (r->exchange_order_id != 0 || why == RejectReason::kUnknownSymbol);
  }
  return false;
}

// Runs commands through an engine and a tracker fed from the engine's start,
// checks the properties after every command, and after command `cut` starts
// a second tracker seeded from the engine, whose rows must be the first's.
class TrackedRun {
 public:
  TrackedRun(std::size_t cut, std::size_t check_open_every)
      : cut_(cut), check_open_every_(check_open_every) {
    tracker_.Seed(engine_);  // an empty engine: nothing open
    if (cut_ == 0) StartSeeded();
  }

  const Engine& engine() const { return engine_; }

  void Step(const Command& command) {
    const bool open_in_symbol = OpenInSymbol(command);
    const std::span<const Event> events = engine_.Process(command);
    std::vector<FinishedOrder> rows;
    for (const Event& e : events) {
      const wire::EventRecord record = RecordOf(engine_, e);
      const std::size_t before = rows.size();
      tracker_.Apply(record, &rows);
      if (seeded_) seeded_->Apply(record, &seeded_rows_);
      Learn(e);
      if (IsReject(e)) {
        RC_ASSERT((rows.size() - before == 1) == ExpectRow(command, e, open_in_symbol));
      }
    }
    for (const FinishedOrder& r : rows)
      CheckRow(r);
    if (seeded_) after_cut_.insert(after_cut_.end(), rows.begin(), rows.end());
    ++steps_;
    if (steps_ % check_open_every_ == 0) CheckOpen();
    if (steps_ == cut_) StartSeeded();
  }

  void End() {
    CheckOpen();
    RC_ASSERT(tracker_.unknown_events() == 0u);
    if (seeded_) {
      RC_ASSERT(seeded_->unknown_events() == 0u);
      RC_ASSERT(seeded_rows_ == AsSeededSees(after_cut_));
      RC_ASSERT(OpenOf(*seeded_) == OpenOf(engine_));
    }
    // Every accepted order is open or finished exactly once.
    RC_ASSERT(accepted_.size() == tracker_.open_orders() + finished_.size());
  }

 private:
  static EngineOptions SmallEngine() {
    EngineOptions options;
    options.expected_orders = 4096;
    return options;
  }

  void StartSeeded() {
    seeded_.emplace();
    seeded_->Seed(engine_);
    RC_ASSERT(OpenOf(*seeded_) == OpenOf(engine_));
    engine_.ForEachOrder([&](const Order& o) {
      // Cash risk keeps the order's notional; without it the seed starts at 0.
      RC_ASSERT(o.traded_notional == 0 || o.traded_notional == notional_[o.exchange_id]);
      notional_at_cut_[o.exchange_id] = notional_[o.exchange_id] - o.traded_notional;
    });
  }

  // The first tracker's rows as the seeded one writes them: the orders open
  // at the cut have no acceptance time, and their sums lack what the engine
  // did not keep.
  std::vector<FinishedOrder> AsSeededSees(std::vector<FinishedOrder> rows) const {
    for (FinishedOrder& r : rows) {
      const auto it = notional_at_cut_.find(r.exchange_order_id);
      if (r.status == FinishStatus::kRejected || it == notional_at_cut_.end()) continue;
      r.accepted_at = 0;
      r.quote_filled -= it->second;
    }
    return rows;
  }

  // Whether the (account, client id) a new order or replace names is an open
  // order of its symbol.
  bool OpenInSymbol(const Command& command) const {
    if (const auto* n = std::get_if<NewOrder>(&command.body)) {
      return OpenIn(n->account, n->order_id, n->symbol);
    }
    if (const auto* r = std::get_if<ReplaceOrder>(&command.body)) {
      return OpenIn(r->account, r->order_id, r->symbol);
    }
    return false;
  }

  bool OpenIn(AccountId account, ClientOrderId id, SymbolId symbol) const {
    const Order* o = engine_.FindOrder(account, id);
    return o != nullptr && o->symbol == symbol;
  }

  void Learn(const Event& e) {
    if (e.type == EventType::kAccepted) {
      accepted_.insert(e.exchange_order_id);
      accepted_at_[e.exchange_order_id] = e.timestamp;
    }
    if (e.type != EventType::kTrade) return;
    traded_[e.exchange_order_id] += e.quantity;
    traded_[e.maker_exchange_order_id] += e.quantity;
    const __int128 notional = static_cast<__int128>(e.price) * e.quantity;
    notional_[e.exchange_order_id] += notional;
    notional_[e.maker_exchange_order_id] += notional;
  }

  void CheckRow(const FinishedOrder& r) {
    switch (r.status) {
      case FinishStatus::kRejected:
        RC_ASSERT(r.exchange_order_id == 0u);
        RC_ASSERT(r.filled == 0);
        RC_ASSERT(r.accepted_at == 0);
        RC_ASSERT(r.quote_filled == 0);
        return;
      case FinishStatus::kFilled: RC_ASSERT(r.filled >= r.quantity); break;
      case FinishStatus::kCanceled: RC_ASSERT(r.filled < r.quantity); break;
    }
    RC_ASSERT(accepted_.contains(r.exchange_order_id));
    RC_ASSERT(finished_.insert(r.exchange_order_id).second);  // never twice
    RC_ASSERT(r.filled == traded_[r.exchange_order_id]);
    RC_ASSERT(r.quote_filled == notional_[r.exchange_order_id]);
    RC_ASSERT(r.accepted_at == accepted_at_[r.exchange_order_id]);
  }

  void CheckOpen() {
    RC_ASSERT(OpenOf(tracker_) == OpenOf(engine_));
    for (const auto& [xid, key] : OpenOf(tracker_))
      RC_ASSERT(std::get<8>(key) == traded_[xid]);
  }

  Engine engine_{SmallEngine()};
  OrderTracker tracker_;
  std::optional<OrderTracker> seeded_;
  std::vector<FinishedOrder> after_cut_;    // the first tracker's rows after the cut
  std::vector<FinishedOrder> seeded_rows_;  // the seeded tracker's
  std::unordered_map<OrderId, Quantity> traded_;
  std::unordered_map<OrderId, __int128> notional_;         // Σ price × quantity
  std::unordered_map<OrderId, __int128> notional_at_cut_;  // what the seed misses
  std::unordered_map<OrderId, Timestamp> accepted_at_;
  std::set<OrderId> accepted_;
  std::set<OrderId> finished_;
  std::size_t steps_ = 0;
  std::size_t cut_;
  std::size_t check_open_every_;
};

// ---------------------------------------------------------------- benchmark mix

RC_GTEST_PROP(OrderTrackerProperty, BenchmarkMix, ()) {
  BenchmarkMixOptions options;
  options.seed = *rc::gen::inRange<std::uint64_t>(1, 1'000'000);
  options.commands = *rc::gen::inRange<std::size_t>(50, 1500);
  options.accounts = *rc::gen::inRange<std::uint32_t>(2, 30);
  options.resting_orders = *rc::gen::inRange<std::size_t>(5, 200);
  options.half_spread_levels = *rc::gen::inRange<Price>(5, 100);
  // Cash risk: the seed takes each open order's notional from the engine.
  options.risk = *rc::gen::element(RiskMode::kNone, RiskMode::kCash);
  const BenchmarkFlow flow = GenerateBenchmarkMix(options);
  const std::size_t total = flow.assets.size() + 1 + flow.prefill.size() + flow.commands.size();
  const std::size_t cut = *rc::gen::inRange<std::size_t>(0, total + 1);

  TrackedRun run(cut, /*check_open_every=*/97);
  for (const AssetSpec& a : flow.assets)
    run.Step(Command{0, AddAsset{a}});
  run.Step(Command{0, AddInstrument{flow.instrument}});
  for (const Command& c : flow.prefill)
    run.Step(c);
  for (const Command& c : flow.commands)
    run.Step(c);
  run.End();
}

// ---------------------------------------------------------------- every order type

enum class Kind {
  kLimit,
  kIoc,
  kFok,
  kMarket,
  kPostOnly,
  kIceberg,
  kStop,
  kStopLimit,
  kCancel,
  kReplace,
  kMassCancel,
  kHalt,
  kResume,
};

constexpr SymbolId kSymbols = 2;  // "AAA" and "BBB"; symbol 2 in an op is unknown

// One generated step, translated into a Command against the engine's state.
struct Op {
  Kind kind = Kind::kLimit;
  int symbol = 0;  // 0, 1; 2: unknown
  int account = 0;
  int id = 1;
  int side = 0;
  int price = 0;  // ticks from the base price
  int lots = 1;
  int display = 1;  // iceberg, lots
  int stop = 1;     // ticks beyond the last trade (≤ 0: already reached)
  int stp = 0;
  int target = 0;     // cancel/replace: 0 own id, 1–3 a live order, 4 by its exchange id
                      // with a stale client id, 5 with client id 0, 6 a foreign exchange id
  int pick = 0;       // which live order
  int new_id = 0;     // replace: 0 keeps
  int new_price = 0;  // replace: 0 keeps, else the order's price + (new_price − 4) ticks
  int new_lots = 0;   // replace: 0 keeps
  int new_stop = 0;   // replace: 0 keeps, else the last trade + (new_stop − 2) ticks beyond
  int flaw = 99;      // 0–6: one field invalid
};

std::ostream& operator<<(std::ostream& os, const Op& op) {
  return os << "{kind=" << static_cast<int>(op.kind) << " sym=" << op.symbol
            << " acct=" << op.account << " id=" << op.id << " side=" << op.side
            << " px=" << op.price << " lots=" << op.lots << " disp=" << op.display
            << " stop=" << op.stop << " stp=" << op.stp << " target=" << op.target
            << " pick=" << op.pick << " new_id=" << op.new_id << " new_px=" << op.new_price
            << " new_lots=" << op.new_lots << " new_stop=" << op.new_stop << " flaw=" << op.flaw
            << "}";
}

rc::Gen<Op> GenOp() {
  namespace gen = rc::gen;
  const auto keep_or = [](int lo, int hi) {
    return gen::oneOf(gen::just(0), gen::inRange(lo, hi));
  };
  return gen::build<Op>(
      gen::set(&Op::kind, gen::weightedElement<Kind>({{40, Kind::kLimit},
                                                      {8, Kind::kIoc},
                                                      {8, Kind::kFok},
                                                      {8, Kind::kMarket},
                                                      {8, Kind::kPostOnly},
                                                      {12, Kind::kIceberg},
                                                      {8, Kind::kStop},
                                                      {14, Kind::kStopLimit},
                                                      {20, Kind::kCancel},
                                                      {30, Kind::kReplace},
                                                      {2, Kind::kMassCancel},
                                                      {1, Kind::kHalt},
                                                      {12, Kind::kResume}})),
      gen::set(&Op::symbol, gen::weightedElement<int>({{10, 0}, {8, 1}, {1, 2}})),
      gen::set(&Op::account, gen::inRange(0, 4)), gen::set(&Op::id, gen::inRange(1, 25)),
      gen::set(&Op::side, gen::inRange(0, 2)), gen::set(&Op::price, gen::inRange(-4, 5)),
      gen::set(&Op::lots, gen::inRange(1, 9)), gen::set(&Op::display, gen::inRange(1, 5)),
      gen::set(&Op::stop, gen::inRange(-1, 5)), gen::set(&Op::stp, gen::inRange(0, 4)),
      gen::set(&Op::target, gen::inRange(0, 7)), gen::set(&Op::pick, gen::inRange(0, 50)),
      gen::set(&Op::new_id, keep_or(1, 25)), gen::set(&Op::new_price, keep_or(1, 8)),
      gen::set(&Op::new_lots, keep_or(1, 10)),
      gen::set(&Op::new_stop,
               gen::weightedOneOf<int>({{4, gen::just(0)}, {1, gen::inRange(1, 6)}})),
      gen::set(&Op::flaw, gen::inRange(0, 60)));
}

// "AAA": tick 1, lot 1; "BBB": tick 5, lot 10, a price band.
InstrumentSpec SpecOf(SymbolId s) {
  InstrumentSpec spec;
  spec.symbol = SymbolName(s == 0 ? "AAA" : "BBB");
  spec.tick_size = s == 0 ? 1 : 5;
  spec.lot_size = s == 0 ? 1 : 10;
  spec.min_quantity = spec.lot_size;
  spec.max_quantity = 10 * spec.lot_size;
  spec.price_band_bps = s == 0 ? 0 : 300;
  spec.reference_price = s == 0 ? 0 : 100 * spec.tick_size;
  spec.market_protection_ticks = s == 0 ? 2 : 100;
  spec.default_stp = s == 0 ? StpMode::kCancelResting : StpMode::kCancelBoth;
  return spec;
}

class OpTranslator {
 public:
  explicit OpTranslator(const Engine& engine) : engine_(engine) {}

  Command Translate(const Op& op, Timestamp ts) const {
    Command command;
    command.timestamp = ts;
    switch (op.kind) {
      case Kind::kCancel:
      case Kind::kReplace: command.body = AboutLiveOrder(op); break;
      case Kind::kMassCancel:
        command.body = MassCancel{Account(op), op.side == 0 ? kAllSymbols : Symbol(op)};
        break;
      case Kind::kHalt: command.body = HaltSymbol{Symbol(op)}; break;
      case Kind::kResume: command.body = ResumeSymbol{Symbol(op)}; break;
      default: command.body = New(op); break;
    }
    return command;
  }

 private:
  static AccountId Account(const Op& op) { return 1 + static_cast<AccountId>(op.account); }
  static SymbolId Symbol(const Op& op) { return op.symbol < 2 ? op.symbol : 7; }
  const OrderBook& Book(SymbolId s) const { return engine_.book(s < kSymbols ? s : 0); }
  Price Tick(SymbolId s) const { return Book(s).instrument.tick_size; }
  Price Market(SymbolId s) const {
    const Price last = Book(s).last_trade_price;
    return last != 0 ? last : 100 * Tick(s);
  }
  Price StopBeyond(SymbolId s, Side side, int ticks) const {
    const Price beyond = ticks * Tick(s);
    return side == Side::kBuy ? Market(s) + beyond : Market(s) - beyond;
  }

  NewOrder New(const Op& op) const {
    NewOrder n;
    n.account = Account(op);
    n.symbol = Symbol(op);
    n.order_id = static_cast<ClientOrderId>(op.id);
    n.side = op.side == 0 ? Side::kBuy : Side::kSell;
    n.stp = static_cast<StpMode>(op.stp);
    const Price tick = Tick(n.symbol);
    const Quantity lot = Book(n.symbol).instrument.lot_size;
    n.price = 100 * tick + op.price * tick;
    n.quantity = op.lots * lot;
    switch (op.kind) {
      case Kind::kIoc: n.tif = TimeInForce::kIoc; break;
      case Kind::kFok: n.tif = TimeInForce::kFok; break;
      case Kind::kMarket:
        n.type = OrderType::kMarket;
        n.price = 0;
        break;
      case Kind::kPostOnly: n.type = OrderType::kPostOnly; break;
      case Kind::kIceberg:
        n.type = OrderType::kIceberg;
        n.display_quantity = std::min(op.display, op.lots) * lot;
        break;
      case Kind::kStop:
        n.type = OrderType::kStop;
        n.price = 0;
        n.stop_price = StopBeyond(n.symbol, n.side, op.stop);
        break;
      case Kind::kStopLimit:
        n.type = OrderType::kStopLimit;
        n.stop_price = StopBeyond(n.symbol, n.side, op.stop);
        n.price = n.stop_price + (op.price % 3) * tick;
        break;
      default: break;
    }
    switch (op.flaw) {
      case 0: n.price += 1; break;  // off tick in BBB
      case 1: n.quantity = 0; break;
      case 2: n.quantity += 1; break;  // off lot in BBB
      case 3: n.quantity = 20 * lot; break;
      case 4: n.price = 0; break;
      case 5: n.display_quantity = n.quantity + lot; break;
      case 6: n.stop_price += 1; break;
      default: break;
    }
    return n;
  }

  std::vector<const Order*> Live() const {
    std::vector<const Order*> live;
    engine_.ForEachOrder([&](const Order& o) { live.push_back(&o); });
    std::sort(live.begin(), live.end(),
              [](const Order* a, const Order* b) { return a->exchange_id < b->exchange_id; });
    return live;
  }

  CommandBody AboutLiveOrder(const Op& op) const {
    AccountId account = Account(op);
    SymbolId symbol = Symbol(op);
    ClientOrderId id = static_cast<ClientOrderId>(op.id);
    OrderId xid = 0;
    Side side = op.side == 0 ? Side::kBuy : Side::kSell;
    Price price = 100 * Tick(symbol);
    const std::vector<const Order*> live = Live();
    if (op.target > 0 && !live.empty()) {
      const Order& o = *live[static_cast<std::size_t>(op.pick) % live.size()];
      if (op.symbol < 2) symbol = o.symbol;
      side = o.side;
      if (o.price != 0) price = o.price;
      if (op.target <= 5) account = o.account;
      if (op.target <= 3) id = o.client_id;
      if (op.target >= 4) xid = o.exchange_id;
      if (op.target == 5) id = 0;
    }
    if (op.kind == Kind::kCancel) return CancelOrder{account, symbol, id, xid};
    ReplaceOrder r{account, symbol, id, xid, static_cast<ClientOrderId>(op.new_id), 0, 0, 0};
    const Price tick = Tick(symbol);
    if (op.new_price != 0) r.price = price + (op.new_price - 4) * tick;
    if (op.new_lots != 0) r.quantity = op.new_lots * Book(symbol).instrument.lot_size;
    if (op.new_stop != 0) r.stop_price = StopBeyond(symbol, side, op.new_stop - 2);
    if (op.flaw == 0 && r.price != 0) r.price += 1;
    if (op.flaw == 2 && r.quantity != 0) r.quantity += 1;
    if (op.flaw == 4 && r.price != 0) r.price = -r.price;
    return r;
  }

  const Engine& engine_;
};

RC_GTEST_PROP(OrderTrackerProperty, EveryOrderType, ()) {
  // Up to 400 ops, shrinking by removing them. Every op gets the full size
  // (rapidcheck scales ranges with the size, which starts at 0).
  const auto ops =
      *rc::gen::scale(4.0, rc::gen::container<std::vector<Op>>(rc::gen::resize(100, GenOp())));
  const std::size_t cut = *rc::gen::inRange<std::size_t>(0, ops.size() + kSymbols + 1);

  TrackedRun run(cut, /*check_open_every=*/1);
  Timestamp ts = 1'000;
  for (SymbolId s = 0; s < kSymbols; ++s)
    run.Step(Command{ts, AddInstrument{SpecOf(s)}});
  const OpTranslator translate(run.engine());
  for (const Op& op : ops)
    run.Step(translate.Translate(op, ts += 10));
  run.End();
}

}  // namespace
}  // namespace exchange::persistence
