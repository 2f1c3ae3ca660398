// Unit tests of the matching engine: every order type, every reject reason,
// self-trade prevention, replace rules, stop triggering, icebergs, halts.
#include <gtest/gtest.h>

#include "tests/engine_fixture.h"

namespace exchange::testing {
namespace {

using E = EventType;
constexpr Side B = Side::kBuy;
constexpr Side S = Side::kSell;

class EngineTest : public EngineFixture {};

// ------------------------------------------------------------------ limit

TEST(EngineTypes, CancelReasonNamesParseBack) {
  for (int r = 0; r <= static_cast<int>(CancelReason::kFokCannotFill); ++r) {
    const auto reason = static_cast<CancelReason>(r);
    EXPECT_EQ(ParseCancelReason(ToString(reason)), reason) << ToString(reason);
  }
  EXPECT_EQ(ParseCancelReason("EXPIRED"), std::nullopt);
  EXPECT_EQ(ParseCancelReason(""), std::nullopt);
}

TEST_F(EngineTest, LimitOrderRestsAndIsAccepted) {
  auto ev = Buy(1, 1, 100, 50);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].type, E::kAccepted);
  EXPECT_EQ(ev[0].leaves, 50);
  ASSERT_EQ(Bids().size(), 1u);
  EXPECT_EQ(Bids()[0].price, 100);
  EXPECT_EQ(Bids()[0].quantity, 50);
}

TEST_F(EngineTest, CrossingLimitTradesAtRestingPriceBestFirst) {
  Sell(1, 1, 110, 20);
  Sell(1, 2, 105, 20);
  auto ev = Buy(2, 9, 115, 30);
  auto trades = OfType(ev, E::kTrade);
  ASSERT_EQ(trades.size(), 2u);
  EXPECT_EQ(trades[0].price, 105);
  EXPECT_EQ(trades[0].quantity, 20);
  EXPECT_EQ(trades[0].maker_order_id, 2u);
  EXPECT_EQ(trades[1].price, 110);
  EXPECT_EQ(trades[1].quantity, 10);
  EXPECT_EQ(trades[1].leaves, 0);
  EXPECT_EQ(trades[1].maker_leaves, 10);
  EXPECT_TRUE(Bids().empty());
  ASSERT_EQ(Asks().size(), 1u);
  EXPECT_EQ(Asks()[0].quantity, 10);
}

TEST_F(EngineTest, TimePriorityWithinALevel) {
  Sell(1, 1, 100, 10);
  Sell(2, 2, 100, 10);
  Sell(3, 3, 100, 10);
  EXPECT_EQ(Makers(Buy(4, 4, 100, 30)), (std::vector<ClientOrderId>{1, 2, 3}));
}

TEST_F(EngineTest, RemainderOfCrossingGtcRests) {
  Sell(1, 1, 100, 10);
  Buy(2, 2, 100, 30);
  ASSERT_EQ(Bids().size(), 1u);
  EXPECT_EQ(Bids()[0].quantity, 20);
  EXPECT_TRUE(Asks().empty());
}

TEST_F(EngineTest, IocRemainderIsCancelled) {
  Sell(1, 1, 100, 10);
  auto ev = Buy(2, 2, 100, 30, TimeInForce::kIoc);
  auto cancels = OfType(ev, E::kCanceled);
  ASSERT_EQ(cancels.size(), 1u);
  EXPECT_EQ(cancels[0].cancel_reason, CancelReason::kIocRemainder);
  EXPECT_EQ(cancels[0].quantity, 20);
  EXPECT_TRUE(Bids().empty());
  EXPECT_EQ(engine_.live_orders(), 0u);
}

TEST_F(EngineTest, FokFillsCompletelyOrNothing) {
  Sell(1, 1, 100, 10);
  Sell(1, 2, 105, 10);
  EXPECT_EQ(RejectOf(Buy(2, 3, 105, 30, TimeInForce::kFok)), RejectReason::kFokCannotFill);
  EXPECT_EQ(Asks().size(), 2u);  // nothing traded
  auto ev = Buy(2, 4, 105, 20, TimeInForce::kFok);
  EXPECT_EQ(OfType(ev, E::kTrade).size(), 2u);
  EXPECT_TRUE(Asks().empty());
}

TEST_F(EngineTest, FokIgnoresOwnOrdersUnderCancelResting) {
  Sell(1, 1, 100, 10);
  Sell(2, 2, 100, 10);
  // Account 2 cannot trade with its own 10: only 10 is really available.
  EXPECT_EQ(RejectOf(Buy(2, 3, 100, 20, TimeInForce::kFok)), RejectReason::kFokCannotFill);
  auto ev = Buy(2, 4, 100, 10, TimeInForce::kFok);
  EXPECT_EQ(Makers(ev), (std::vector<ClientOrderId>{1}));
}

TEST_F(EngineTest, FokUnderCancelIncomingCountsOnlyAheadOfOwnOrder) {
  Sell(1, 1, 100, 10);
  Sell(2, 2, 100, 10);  // own order of the taker
  Sell(3, 3, 100, 10);
  auto o = Limit(2, 4, B, 100, 20, TimeInForce::kFok);
  o.stp = StpMode::kCancelIncoming;
  EXPECT_EQ(RejectOf(Run(o)), RejectReason::kFokCannotFill);
  o.quantity = 10;
  EXPECT_EQ(Makers(Run(o)), (std::vector<ClientOrderId>{1}));
}

// ------------------------------------------------------------------ market

TEST_F(EngineTest, MarketOrderTradesUpToProtectionPrice) {
  Sell(1, 1, 100, 10);
  Sell(1, 2, 120, 10);  // 100 + 4 ticks × 5 = 120: inside protection
  Sell(1, 3, 125, 10);  // beyond protection
  NewOrder m = Limit(2, 9, B, 0, 50);
  m.type = OrderType::kMarket;
  auto ev = Run(m);
  EXPECT_EQ(Makers(ev), (std::vector<ClientOrderId>{1, 2}));
  auto cancels = OfType(ev, E::kCanceled);
  ASSERT_EQ(cancels.size(), 1u);
  EXPECT_EQ(cancels[0].cancel_reason, CancelReason::kProtectionReached);
  EXPECT_EQ(cancels[0].quantity, 30);
  EXPECT_EQ(Asks().size(), 1u);
  EXPECT_TRUE(Bids().empty());
}

TEST_F(EngineTest, MarketOrderIgnoresTimeInForceAndNeverRests) {
  Buy(1, 1, 100, 10);
  NewOrder m = Limit(2, 9, S, 0, 30, TimeInForce::kGtc);
  m.type = OrderType::kMarket;
  auto ev = Run(m);
  EXPECT_EQ(OfType(ev, E::kTrade).size(), 1u);
  EXPECT_EQ(OfType(ev, E::kCanceled).at(0).cancel_reason, CancelReason::kIocRemainder);
  EXPECT_TRUE(Asks().empty());
}

TEST_F(EngineTest, MarketOrderWithoutLiquidityIsRejected) {
  NewOrder m = Limit(2, 9, B, 0, 30);
  m.type = OrderType::kMarket;
  EXPECT_EQ(RejectOf(Run(m)), RejectReason::kNoLiquidity);
}

// ------------------------------------------------------------------ post-only

TEST_F(EngineTest, PostOnlyRejectedWhenItWouldTrade) {
  Sell(1, 1, 100, 10);
  NewOrder p = Limit(2, 2, B, 100, 10);
  p.type = OrderType::kPostOnly;
  EXPECT_EQ(RejectOf(Run(p)), RejectReason::kPostOnlyWouldTrade);
  p.price = 95;
  EXPECT_EQ(Run(p).at(0).type, E::kAccepted);
  EXPECT_EQ(Bids().at(0).price, 95);
}

// ------------------------------------------------------------------ iceberg

TEST_F(EngineTest, IcebergShowsDisplayAndRefillsToBackOfLevel) {
  NewOrder ice = Limit(1, 1, S, 100, 50);
  ice.type = OrderType::kIceberg;
  ice.display_quantity = 20;
  Run(ice);
  Sell(2, 2, 100, 10);
  EXPECT_EQ(Asks().at(0).quantity, 30);  // 20 shown + 10

  // Takes the shown 20; the iceberg refills to 20 behind order 2.
  auto ev = Buy(3, 3, 100, 20);
  EXPECT_EQ(Makers(ev), (std::vector<ClientOrderId>{1}));
  EXPECT_EQ(Asks().at(0).quantity, 30);
  // Next buyer meets order 2 first, then the refilled iceberg.
  ev = Buy(3, 4, 100, 20);
  EXPECT_EQ(Makers(ev), (std::vector<ClientOrderId>{2, 1}));
  EXPECT_EQ(engine_.FindOrder(1, 1)->leaves, 20);
  EXPECT_EQ(Asks().at(0).quantity, 10);  // 20 shown minus 10 taken
}

TEST_F(EngineTest, IcebergAsTakerUsesFullQuantity) {
  Sell(1, 1, 100, 40);
  NewOrder ice = Limit(2, 2, B, 100, 60);
  ice.type = OrderType::kIceberg;
  ice.display_quantity = 10;
  auto ev = Run(ice);
  EXPECT_EQ(OfType(ev, E::kTrade).at(0).quantity, 40);
  EXPECT_EQ(Bids().at(0).quantity, 10);  // 20 left, 10 shown
  EXPECT_EQ(engine_.FindOrder(2, 2)->leaves, 20);
}

TEST_F(EngineTest, IcebergSweptInOneCommandTradesAllRefills) {
  NewOrder ice = Limit(1, 1, S, 100, 50);
  ice.type = OrderType::kIceberg;
  ice.display_quantity = 20;
  Run(ice);
  auto trades = OfType(Buy(2, 2, 100, 50), E::kTrade);
  ASSERT_EQ(trades.size(), 3u);  // 20 + 20 + 10
  EXPECT_EQ(trades[2].quantity, 10);
  EXPECT_EQ(trades[2].maker_leaves, 0);
  EXPECT_TRUE(Asks().empty());
}

TEST_F(EngineTest, IcebergInvalidDisplayRejected) {
  NewOrder ice = Limit(1, 1, S, 100, 50);
  ice.type = OrderType::kIceberg;
  ice.display_quantity = 60;
  EXPECT_EQ(RejectOf(Run(ice)), RejectReason::kInvalidDisplayQuantity);
  ice.display_quantity = 0;
  EXPECT_EQ(RejectOf(Run(ice)), RejectReason::kInvalidDisplayQuantity);
  ice.display_quantity = 15;  // off lot
  EXPECT_EQ(RejectOf(Run(ice)), RejectReason::kInvalidDisplayQuantity);
}

// ------------------------------------------------------------------ stops

NewOrder Stop(AccountId a, ClientOrderId id, Side side, Price stop, Quantity q, Price limit = 0) {
  NewOrder o;
  o.account = a;
  o.symbol = 0;
  o.order_id = id;
  o.side = side;
  o.type = limit ? OrderType::kStopLimit : OrderType::kStop;
  o.stop_price = stop;
  o.price = limit;
  o.quantity = q;
  return o;
}

TEST_F(EngineTest, BuyStopTriggersWhenLastReachesStop) {
  Sell(1, 1, 100, 10);
  Sell(1, 2, 110, 10);
  Buy(2, 3, 100, 10);  // last = 100
  auto ev = Run(Stop(3, 4, B, 105, 10));
  EXPECT_EQ(ev.at(0).type, E::kAccepted);
  EXPECT_TRUE(OfType(ev, E::kTrade).empty());
  Sell(1, 5, 105, 10);
  ev = Buy(2, 6, 105, 10);  // last = 105 → stop triggers, buys the 110 offer
  auto triggered = OfType(ev, E::kTriggered);
  ASSERT_EQ(triggered.size(), 1u);
  EXPECT_EQ(triggered[0].order_id, 4u);
  auto trades = OfType(ev, E::kTrade);
  ASSERT_EQ(trades.size(), 2u);
  EXPECT_EQ(trades[1].order_id, 4u);
  EXPECT_EQ(trades[1].price, 110);
}

TEST_F(EngineTest, StopLimitRestsAfterTrigger) {
  Sell(1, 1, 100, 10);
  Buy(2, 2, 100, 10);  // last 100
  Run(Stop(3, 3, S, 95, 20, 90));
  Buy(1, 4, 95, 10);
  auto ev = Sell(2, 5, 95, 10);  // last = 95 → triggers sell stop-limit at 90
  EXPECT_EQ(OfType(ev, E::kTriggered).size(), 1u);
  // Nothing left to buy at ≥ 90: it rests at 90.
  ASSERT_EQ(Asks().size(), 1u);
  EXPECT_EQ(Asks()[0].price, 90);
  EXPECT_EQ(engine_.FindOrder(3, 3)->type, OrderType::kLimit);
}

TEST_F(EngineTest, SeveralStopsTriggerInStopPriceOrderThenTime) {
  Sell(1, 1, 100, 10);
  Buy(2, 2, 100, 10);  // last 100
  Run(Stop(3, 10, B, 115, 10, 150));
  Run(Stop(4, 11, B, 105, 10, 150));
  Run(Stop(5, 12, B, 110, 10, 150));
  Run(Stop(6, 13, B, 105, 10, 150));
  for (ClientOrderId i = 20; i < 24; ++i)
    Sell(7, i, 120, 10);
  Sell(1, 30, 115, 10);
  auto ev = Buy(2, 31, 115, 10);  // last 115: all four trigger
  std::vector<ClientOrderId> order;
  for (const Event& e : OfType(ev, E::kTriggered))
    order.push_back(e.order_id);
  EXPECT_EQ(order, (std::vector<ClientOrderId>{11, 13, 12, 10}));
}

TEST_F(EngineTest, StopAlreadyReachedIsRejected) {
  Sell(1, 1, 100, 10);
  Buy(2, 2, 100, 10);  // last 100
  EXPECT_EQ(RejectOf(Run(Stop(3, 3, B, 100, 10))), RejectReason::kInvalidStopPrice);
  EXPECT_EQ(RejectOf(Run(Stop(3, 4, S, 105, 10))), RejectReason::kInvalidStopPrice);
  EXPECT_EQ(RejectOf(Run(Stop(3, 5, B, 0, 10))), RejectReason::kInvalidStopPrice);
  EXPECT_EQ(RejectOf(Run(Stop(3, 6, B, 107, 10))), RejectReason::kInvalidStopPrice);  // off tick
}

TEST_F(EngineTest, TriggeredStopWithoutLiquidityIsCancelled) {
  Sell(1, 1, 100, 10);
  Buy(2, 2, 100, 10);
  Run(Stop(3, 3, B, 105, 10));
  Sell(1, 4, 105, 10);
  auto ev = Buy(2, 5, 105, 10);
  auto cancels = OfType(ev, E::kCanceled);
  ASSERT_EQ(cancels.size(), 1u);
  EXPECT_EQ(cancels[0].order_id, 3u);
  EXPECT_EQ(cancels[0].cancel_reason, CancelReason::kNoLiquidity);
}

TEST_F(EngineTest, HeldStopCanBeCancelled) {
  Run(Stop(3, 3, B, 105, 10));
  EXPECT_EQ(Cancel(3, 3).at(0).type, E::kCanceled);
  EXPECT_EQ(engine_.live_orders(), 0u);
}

// ------------------------------------------------------------------ replace

TEST_F(EngineTest, QuantityDecreaseKeepsPriority) {
  Sell(1, 1, 100, 30);
  Sell(2, 2, 100, 10);
  auto ev = Replace(1, 1, 0, 20);
  EXPECT_EQ(ev.at(0).type, E::kReplaced);
  EXPECT_EQ(ev.at(0).leaves, 20);
  EXPECT_EQ(Makers(Buy(3, 3, 100, 10)), (std::vector<ClientOrderId>{1}));
}

TEST_F(EngineTest, QuantityIncreaseLosesPriority) {
  Sell(1, 1, 100, 10);
  Sell(2, 2, 100, 10);
  Replace(1, 1, 0, 20);
  EXPECT_EQ(Makers(Buy(3, 3, 100, 10)), (std::vector<ClientOrderId>{2}));
}

TEST_F(EngineTest, PriceChangeLosesPriorityEvenWhenMovedBack) {
  Sell(1, 1, 100, 10);
  Sell(2, 2, 100, 10);
  Replace(1, 1, 105, 0);
  Replace(1, 1, 100, 0);
  EXPECT_EQ(Makers(Buy(3, 3, 100, 10)), (std::vector<ClientOrderId>{2}));
}

TEST_F(EngineTest, ReplacedPriceMayTradeAtOnce) {
  Sell(1, 1, 110, 10);
  Buy(2, 2, 100, 10);
  auto ev = Replace(2, 2, 110, 0);
  EXPECT_EQ(ev.at(0).type, E::kReplaced);
  EXPECT_EQ(Makers(ev), (std::vector<ClientOrderId>{1}));
  EXPECT_EQ(engine_.live_orders(), 0u);
}

TEST_F(EngineTest, ReplaceUsesFixLeavesSemantics) {
  Sell(1, 1, 100, 50);
  Buy(2, 2, 100, 20);              // order 1 filled 20, leaves 30
  auto ev = Replace(1, 1, 0, 40);  // new total 40 → leaves 20 (decrease: keeps priority)
  EXPECT_EQ(ev.at(0).leaves, 20);
  ev = Replace(1, 1, 0, 20);  // new total 20 ≤ filled → done
  EXPECT_EQ(ev.at(0).type, E::kReplaced);
  EXPECT_EQ(ev.at(0).leaves, 0);
  EXPECT_TRUE(Asks().empty());
  EXPECT_EQ(engine_.FindOrder(1, 1), nullptr);
}

TEST_F(EngineTest, ReplaceWithNewClientOrderId) {
  Sell(1, 1, 100, 10);
  ReplaceOrder r;
  r.account = 1;
  r.symbol = 0;
  r.order_id = 1;
  r.new_order_id = 7;
  r.quantity = 10;
  EXPECT_EQ(Run(r).at(0).order_id, 7u);
  EXPECT_EQ(engine_.FindOrder(1, 1), nullptr);
  ASSERT_NE(engine_.FindOrder(1, 7), nullptr);
  Sell(1, 1, 100, 10);  // the old id is free again
  r.order_id = 7;
  r.new_order_id = 1;  // now taken
  EXPECT_EQ(RejectOf(Run(r)), RejectReason::kDuplicateClientOrderId);
}

TEST_F(EngineTest, PostOnlyReplaceThatWouldTradeIsRejected) {
  Sell(1, 1, 110, 10);
  NewOrder p = Limit(2, 2, B, 100, 10);
  p.type = OrderType::kPostOnly;
  Run(p);
  EXPECT_EQ(RejectOf(Replace(2, 2, 110, 0)), RejectReason::kPostOnlyWouldTrade);
  EXPECT_EQ(Bids().at(0).price, 100);
}

// ------------------------------------------------------------------ STP

TEST_F(EngineTest, StpCancelRestingCancelsOwnOrderAndKeepsMatching) {
  Sell(1, 1, 100, 10);  // own
  Sell(2, 2, 100, 10);
  auto ev = Buy(1, 3, 100, 10);
  auto cancels = OfType(ev, E::kCanceled);
  ASSERT_EQ(cancels.size(), 1u);
  EXPECT_EQ(cancels[0].order_id, 1u);
  EXPECT_EQ(cancels[0].cancel_reason, CancelReason::kSelfTrade);
  EXPECT_EQ(Makers(ev), (std::vector<ClientOrderId>{2}));
}

TEST_F(EngineTest, StpCancelIncomingCancelsTheRestOfTheTaker) {
  Sell(2, 1, 100, 10);
  Sell(1, 2, 100, 10);  // own
  Sell(2, 3, 100, 10);
  NewOrder o = Limit(1, 4, B, 100, 30);
  o.stp = StpMode::kCancelIncoming;
  auto ev = Run(o);
  EXPECT_EQ(Makers(ev), (std::vector<ClientOrderId>{1}));
  auto cancels = OfType(ev, E::kCanceled);
  ASSERT_EQ(cancels.size(), 1u);
  EXPECT_EQ(cancels[0].order_id, 4u);
  EXPECT_EQ(cancels[0].quantity, 20);
  EXPECT_EQ(cancels[0].cancel_reason, CancelReason::kSelfTrade);
  EXPECT_EQ(Asks().at(0).quantity, 20);  // own order 2 and order 3 still rest
}

TEST_F(EngineTest, StpCancelBothCancelsBoth) {
  Sell(1, 1, 100, 10);
  Sell(2, 2, 100, 10);
  NewOrder o = Limit(1, 3, B, 100, 10);
  o.stp = StpMode::kCancelBoth;
  auto ev = Run(o);
  auto cancels = OfType(ev, E::kCanceled);
  ASSERT_EQ(cancels.size(), 2u);
  EXPECT_EQ(cancels[0].order_id, 1u);
  EXPECT_EQ(cancels[1].order_id, 3u);
  EXPECT_TRUE(OfType(ev, E::kTrade).empty());
  EXPECT_EQ(Asks().at(0).quantity, 10);
}

TEST_F(EngineTest, InstrumentDefaultStpApplies) {
  InstrumentSpec s = TestInstrument();
  s.symbol = SymbolName("INC");
  s.default_stp = StpMode::kCancelIncoming;
  Run(AddInstrument{s});
  NewOrder a = Limit(1, 1, S, 100, 10);
  a.symbol = 1;
  Run(a);
  NewOrder b = Limit(1, 2, B, 100, 10);
  b.symbol = 1;
  auto ev = Run(b);
  EXPECT_EQ(OfType(ev, E::kCanceled).at(0).order_id, 2u);  // the incoming
  EXPECT_NE(engine_.FindOrder(1, 1), nullptr);
}

TEST_F(EngineTest, StpAppliesToAReplaceThatTrades) {
  Sell(1, 1, 100, 10);
  Buy(1, 2, 95, 10);
  auto ev = Replace(1, 2, 100, 0);  // would trade with own ask: resting one cancelled
  EXPECT_EQ(OfType(ev, E::kCanceled).at(0).order_id, 1u);
  EXPECT_TRUE(OfType(ev, E::kTrade).empty());
  EXPECT_EQ(Bids().at(0).price, 100);
}

// ------------------------------------------------------------------ rejects

TEST_F(EngineTest, RejectReasons) {
  NewOrder o = Limit(1, 1, B, 100, 10);
  o.symbol = 42;
  EXPECT_EQ(RejectOf(Run(o)), RejectReason::kUnknownSymbol);
  EXPECT_EQ(RejectOf(Buy(1, 1, 102, 10)), RejectReason::kPriceNotOnTick);
  EXPECT_EQ(RejectOf(Buy(1, 1, 0, 10)), RejectReason::kInvalidPrice);
  EXPECT_EQ(RejectOf(Buy(1, 1, 100, 15)), RejectReason::kQuantityNotOnLot);
  EXPECT_EQ(RejectOf(Buy(1, 1, 100, 0)), RejectReason::kQuantityOutOfRange);
  EXPECT_EQ(RejectOf(Buy(1, 1, 100, 200000)), RejectReason::kQuantityOutOfRange);
  EXPECT_EQ(RejectOf(Cancel(1, 99)), RejectReason::kUnknownOrder);
  EXPECT_EQ(RejectOf(Replace(1, 99, 100, 0)), RejectReason::kUnknownOrder);
  Buy(1, 1, 100, 10);
  EXPECT_EQ(RejectOf(Buy(1, 1, 100, 10)), RejectReason::kDuplicateClientOrderId);
  EXPECT_EQ(Buy(2, 1, 100, 10).at(0).type, E::kAccepted);  // ids are per account

  NewOrder bad = Limit(1, 5, B, 100, 10);
  bad.type = static_cast<OrderType>(17);
  EXPECT_EQ(RejectOf(Run(bad)), RejectReason::kInvalidOrder);
}

TEST_F(EngineTest, NotYourOrderByExchangeId) {
  auto ev = Buy(1, 1, 100, 10);
  const OrderId exchange_id = ev.at(0).exchange_order_id;
  EXPECT_EQ(RejectOf(Run(CancelOrder{2, 0, 1, exchange_id})), RejectReason::kNotYourOrder);
  ReplaceOrder r;
  r.account = 2;
  r.symbol = 0;
  r.exchange_order_id = exchange_id;
  r.quantity = 20;
  EXPECT_EQ(RejectOf(Run(r)), RejectReason::kNotYourOrder);
  EXPECT_EQ(Run(CancelOrder{1, 0, 0, exchange_id}).at(0).type, E::kCanceled);
}

TEST_F(EngineTest, PriceBandAroundLastTrade) {
  Sell(1, 1, 1000, 10);
  Buy(2, 2, 1000, 10);  // last 1000, band ±50% → 500..1500
  EXPECT_EQ(Buy(1, 3, 500, 10).at(0).type, E::kAccepted);
  EXPECT_EQ(RejectOf(Buy(1, 4, 495, 10)), RejectReason::kPriceOutsideBand);
  EXPECT_EQ(RejectOf(Sell(1, 5, 1505, 10)), RejectReason::kPriceOutsideBand);
}

TEST_F(EngineTest, AddInstrumentRejectsDuplicatesAndNonsense) {
  EXPECT_EQ(RejectOf(Run(AddInstrument{TestInstrument()})), RejectReason::kDuplicateSymbol);
  InstrumentSpec s = TestInstrument();
  s.symbol = SymbolName("X");
  s.tick_size = 0;
  EXPECT_EQ(RejectOf(Run(AddInstrument{s})), RejectReason::kInvalidInstrument);
  EXPECT_EQ(engine_.symbol_count(), 1u);
  EXPECT_EQ(engine_.FindSymbol("TEST"), std::optional<SymbolId>(0));
}

// ------------------------------------------------------------------ halt, mass cancel

TEST_F(EngineTest, HaltRejectsOrdersButAllowsCancels) {
  Buy(1, 1, 100, 10);
  EXPECT_EQ(Run(HaltSymbol{0}).at(0).type, E::kHalted);
  EXPECT_EQ(RejectOf(Sell(2, 2, 100, 10)), RejectReason::kHalted);
  EXPECT_EQ(RejectOf(Replace(1, 1, 105, 0)), RejectReason::kHalted);
  EXPECT_EQ(Cancel(1, 1).at(0).type, E::kCanceled);
  EXPECT_EQ(Run(ResumeSymbol{0}).at(0).type, E::kResumed);
  EXPECT_EQ(Sell(2, 2, 100, 10).at(0).type, E::kAccepted);
  EXPECT_EQ(RejectOf(Run(HaltSymbol{9})), RejectReason::kUnknownSymbol);
}

TEST_F(EngineTest, MassCancelPerAccountAndSymbol) {
  InstrumentSpec s = TestInstrument();
  s.symbol = SymbolName("OTHER");
  Run(AddInstrument{s});
  Buy(1, 1, 100, 10);
  Sell(1, 2, 200, 10);
  Buy(2, 3, 100, 10);
  Run(Stop(1, 4, B, 300, 10));
  NewOrder other = Limit(1, 5, B, 100, 10);
  other.symbol = 1;
  Run(other);

  auto ev = Run(MassCancel{1, 0});
  EXPECT_EQ(OfType(ev, E::kCanceled).size(), 3u);
  for (const Event& e : ev)
    EXPECT_EQ(e.cancel_reason, CancelReason::kMassCancel);
  EXPECT_NE(engine_.FindOrder(1, 5), nullptr);  // other symbol untouched
  EXPECT_NE(engine_.FindOrder(2, 3), nullptr);  // other account untouched
  EXPECT_EQ(OfType(Run(MassCancel{1, kAllSymbols}), E::kCanceled).size(), 1u);
  EXPECT_EQ(engine_.live_orders(), 1u);
}

// ------------------------------------------------------------------ determinism

TEST_F(EngineTest, SequenceNumbersAreConsecutive) {
  std::vector<Event> all;
  for (auto ev : {Sell(1, 1, 100, 10), Buy(2, 2, 100, 20), Cancel(2, 2), Cancel(2, 2)}) {
    all.insert(all.end(), ev.begin(), ev.end());
  }
  Sequence expected = 2;  // the instrument took 1
  for (const Event& e : all)
    EXPECT_EQ(e.sequence, expected++);
  EXPECT_EQ(engine_.last_sequence(), expected - 1);
}

TEST_F(EngineTest, StateHashChangesWithStateAndMatchesAReplay) {
  const std::uint64_t empty = engine_.StateHash();
  Buy(1, 1, 100, 10);
  EXPECT_NE(engine_.StateHash(), empty);

  Engine twin;
  now_ = 1000;
  for (const auto& body :
       {CommandBody{AddInstrument{TestInstrument()}}, CommandBody{Limit(1, 1, B, 100, 10)}}) {
    twin.Process(Command{++now_, body});
  }
  EXPECT_EQ(twin.StateHash(), engine_.StateHash());
}

}  // namespace
}  // namespace exchange::testing
