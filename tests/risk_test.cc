// Cash risk in the engine: holds on entry, settlement with fees and
// rebates, rounding residues, releases, transfers and their snapshot.
// Instrument BTC-USD: price in cents (2 decimals), quantity in 0.0001 BTC (4
// decimals); assets BTC (8 decimals) and USD (2 decimals): so a quantity unit
// is 10^4 BTC units and price × quantity × 10^-4 is cents.
#include <gtest/gtest.h>

#include <cstring>
#include <map>

#include "engine/engine.h"

namespace exchange {
namespace {

constexpr AssetId kBtc = 0;
constexpr AssetId kUsd = 1;
constexpr AccountId kAlice = 1;
constexpr AccountId kBob = 2;
constexpr AccountId kCarol = 3;

InstrumentSpec BtcUsd() {
  InstrumentSpec s;
  s.symbol = SymbolName("BTC-USD");
  s.tick_size = 1;
  s.lot_size = 1;
  s.min_quantity = 1;
  s.max_quantity = 1'000'000;
  s.market_protection_ticks = 100;  // one dollar
  s.risk = RiskMode::kCash;
  s.base_asset = kBtc;
  s.quote_asset = kUsd;
  s.base_multiplier = 10'000;
  s.quote_exponent = -4;
  return s;
}

class RiskTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Run(AddAsset{{SymbolName("BTC"), 8}});
    Run(AddAsset{{SymbolName("USD"), 2}});
    ASSERT_EQ(Run(AddInstrument{BtcUsd()}).at(0).type, EventType::kInstrumentAdded);
  }
  void TearDown() override { ExpectConserved(); }

  std::vector<Event> Run(CommandBody body) {
    auto span = engine_.Process(Command{++now_, std::move(body)});
    last_ = std::vector<Event>(span.begin(), span.end());
    return last_;
  }
  std::vector<Event> Fund(AccountId a, AssetId asset, Amount amount) {
    return Run(Deposit{a, asset, amount, ++transfer_});
  }
  static NewOrder Order(AccountId a, ClientOrderId id, Side side, Price price, Quantity qty,
                        OrderType type = OrderType::kLimit) {
    NewOrder o;
    o.account = a;
    o.symbol = 0;
    o.order_id = id;
    o.side = side;
    o.type = type;
    o.price = price;
    o.quantity = qty;
    return o;
  }
  Balance Of(AccountId a, AssetId asset) const { return engine_.ledger().Get(a, asset); }
  static Balance B(Amount available, Amount held) { return Balance{available, held}; }
  static std::vector<Event> Balances(const std::vector<Event>& events) {
    std::vector<Event> out;
    for (const Event& e : events) {
      if (e.type == EventType::kBalance) out.push_back(e);
    }
    return out;
  }
  static std::size_t OfType(const std::vector<Event>& events, EventType type) {
    std::size_t n = 0;
    for (const Event& e : events)
      n += e.type == type;
    return n;
  }
  static RejectReason RejectOf(const std::vector<Event>& events) {
    EXPECT_EQ(events.size(), 1u);
    return events.empty() ? RejectReason::kNone : events[0].reject_reason;
  }

  // Per asset: balances (fee and rounding accounts included) add up to
  // deposits less withdrawals; every account's held equals what its open
  // orders hold, and each order holds exactly what its leaves need.
  void ExpectConserved() const {
    EXPECT_EQ(engine_.settlement_faults(), 0u);
    for (AssetId asset : {kBtc, kUsd}) {
      EXPECT_EQ(engine_.ledger().Total(asset),
                engine_.ledger().deposited(asset) - engine_.ledger().withdrawn(asset))
          << "asset " << asset;
    }
    std::map<std::pair<AccountId, AssetId>, Amount> held;
    engine_.ForEachOrder([&](const exchange::Order& o) {
      const AssetId asset = o.side == Side::kBuy ? kUsd : kBtc;
      held[{o.account, asset}] += o.held;
      if (!o.by_quote) {
        EXPECT_EQ(o.held,
                  engine_.HoldFor(BtcUsd(), o.side, o.hold_price, o.leaves, o.traded_notional));
      }
    });
    engine_.ledger().ForEach([&](AccountId a, AssetId asset, const Balance& b) {
      EXPECT_GE(b.available, 0);
      EXPECT_EQ(b.held, (held[{a, asset}])) << "account " << a << " asset " << asset;
    });
  }

  Engine engine_;
  std::vector<Event> last_;
  Timestamp now_ = 1000;
  TransferId transfer_ = 0;
};

TEST_F(RiskTest, AnOrderWithoutFundsIsRejectedAndHoldsNothing) {
  EXPECT_EQ(RejectOf(Run(Order(kAlice, 1, Side::kBuy, 6'500'000, 10'000))),
            RejectReason::kInsufficientFunds);
  EXPECT_EQ(RejectOf(Run(Order(kBob, 1, Side::kSell, 6'500'000, 1))),
            RejectReason::kInsufficientFunds);
  Fund(kAlice, kUsd, 6'499'999);  // one cent short of 1 BTC at 65,000.00
  EXPECT_EQ(RejectOf(Run(Order(kAlice, 1, Side::kBuy, 6'500'000, 10'000))),
            RejectReason::kInsufficientFunds);
  EXPECT_EQ(Of(kAlice, kUsd), B(6'499'999, 0));
  EXPECT_EQ(engine_.live_orders(), 0u);
}

TEST_F(RiskTest, ABuyHoldsItsNotionalAndACancelReleasesIt) {
  Fund(kAlice, kUsd, 10'000'000);
  const auto events = Run(Order(kAlice, 1, Side::kBuy, 6'500'000, 10'000));
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].type, EventType::kAccepted);
  EXPECT_EQ(events[1].type, EventType::kBalance);
  EXPECT_EQ(events[1].balance_reason, BalanceReason::kHold);
  EXPECT_EQ(events[1].held_delta, 6'500'000);
  EXPECT_EQ(events[1].exchange_order_id, events[0].exchange_order_id);
  EXPECT_EQ(Of(kAlice, kUsd), B(3'500'000, 6'500'000));
  const auto canceled = Run(CancelOrder{kAlice, 0, 1, 0});
  ASSERT_EQ(Balances(canceled).size(), 1u);
  EXPECT_EQ(Balances(canceled)[0].balance_reason, BalanceReason::kRelease);
  EXPECT_EQ(Of(kAlice, kUsd), B(10'000'000, 0));
}

TEST_F(RiskTest, ATradeSettlesBothSidesAtTheTradePriceWithFeesOnWhatEachReceives) {
  Run(SetFees{0, false, 0, false, FeeRates{1'000, 2'000}});  // maker 0.1%, taker 0.2%
  Fund(kAlice, kBtc, 100'000'000);                           // 1 BTC
  Fund(kBob, kUsd, 10'000'000);                              // 100,000.00 USD
  Run(Order(kAlice, 1, Side::kSell, 6'500'000, 10'000));     // maker sells 1 BTC at 65,000
  EXPECT_EQ(Of(kAlice, kBtc), B(0, 100'000'000));
  const auto events = Run(Order(kBob, 1, Side::kBuy, 6'600'000, 10'000));  // taker, limit 66,000
  // Bob paid 65,000.00 (his hold at 66,000 released the difference at once)
  // and received 1 BTC less the 0.2% taker fee; Alice received 65,000.00
  // less the 0.1% maker fee.
  EXPECT_EQ(Of(kBob, kUsd), B(3'500'000, 0));
  EXPECT_EQ(Of(kBob, kBtc), B(99'800'000, 0));
  EXPECT_EQ(Of(kAlice, kBtc), B(0, 0));
  EXPECT_EQ(Of(kAlice, kUsd), B(6'493'500, 0));
  EXPECT_EQ(Of(kFeeAccount, kBtc), B(200'000, 0));
  EXPECT_EQ(Of(kFeeAccount, kUsd), B(6'500, 0));
  // Every balance event of the trade names the trade.
  Sequence trade = 0;
  for (const Event& e : events) {
    if (e.type == EventType::kTrade) trade = e.sequence;
    if (e.type == EventType::kBalance && e.balance_reason != BalanceReason::kHold) {
      EXPECT_EQ(e.trade_sequence, trade);
      EXPECT_NE(trade, 0u);
    }
  }
  const auto balances = Balances(events);
  EXPECT_EQ(balances.size(), 1u + 4u + 2u);  // hold; buyer ×2, seller ×2; fees ×2
}

TEST_F(RiskTest, ARoundingResidueGoesToTheRoundingAccount) {
  Fund(kAlice, kBtc, 10'000);  // 0.0001 BTC: one quantity unit
  Fund(kBob, kUsd, 10);
  Run(Order(kAlice, 1, Side::kSell, 1, 1));  // 0.0001 BTC at 0.01 USD: 0.000001 USD
  Run(Order(kBob, 1, Side::kBuy, 1, 1));
  // The buyer pays the notional rounded up (1 cent), the seller receives it
  // rounded down (0); the cent is the rounding account's.
  EXPECT_EQ(Of(kBob, kUsd), B(9, 0));
  EXPECT_EQ(Of(kAlice, kUsd), B(0, 0));
  EXPECT_EQ(Of(kRoundingAccount, kUsd), B(1, 0));
  EXPECT_EQ(Of(kBob, kBtc), B(10'000, 0));
}

TEST_F(RiskTest, AMakerRebateIsPaidFromCollectedFeesAsFarAsTheyGo) {
  Run(SetFees{0, false, 0, false, FeeRates{-500, 1'000}});  // maker rebate 0.05%
  Fund(kAlice, kBtc, 200'000'000);
  Fund(kBob, kUsd, 20'000'000);
  Fund(kCarol, kUsd, 20'000'000);
  // Bob buys as maker from Alice (the taker, selling): Alice pays 0.1% of the
  // USD she receives; Bob's rebate is in BTC and there are no BTC fees yet.
  Run(Order(kBob, 1, Side::kBuy, 6'500'000, 10'000));
  Run(Order(kAlice, 1, Side::kSell, 6'500'000, 10'000));
  EXPECT_EQ(Of(kAlice, kUsd), B(6'493'500, 0));
  EXPECT_EQ(Of(kBob, kBtc), B(100'000'000, 0));  // no BTC fees collected: no rebate
  EXPECT_EQ(Of(kFeeAccount, kUsd), B(6'500, 0));
  // Alice sells as maker to Carol (taker, buying): Carol pays 0.1% in BTC;
  // Alice's rebate (0.05% of 65,000.00 = 32.50) comes from the 65.00 USD fees.
  Run(Order(kAlice, 2, Side::kSell, 6'500'000, 10'000));
  Run(Order(kCarol, 1, Side::kBuy, 6'500'000, 10'000));
  EXPECT_EQ(Of(kAlice, kUsd), B(6'493'500 + 6'500'000 + 3'250, 0));
  EXPECT_EQ(Of(kFeeAccount, kUsd), B(6'500 - 3'250, 0));
  EXPECT_EQ(Of(kFeeAccount, kBtc), B(100'000, 0));
}

TEST_F(RiskTest, AnAccountOverrideChangesOnlyThatAccountsRates) {
  Run(SetFees{0, false, 0, false, FeeRates{1'000, 1'000}});
  Run(SetFees{0, true, kBob, false, FeeRates{0, 0}});  // Bob's tier: no fees
  EXPECT_EQ(engine_.FeesFor(0, kBob), (FeeRates{0, 0}));
  EXPECT_EQ(engine_.FeesFor(0, kAlice), (FeeRates{1'000, 1'000}));
  Fund(kAlice, kBtc, 100'000'000);
  Fund(kBob, kUsd, 10'000'000);
  Run(Order(kAlice, 1, Side::kSell, 6'500'000, 10'000));
  Run(Order(kBob, 1, Side::kBuy, 6'500'000, 10'000));
  EXPECT_EQ(Of(kBob, kBtc), B(100'000'000, 0));
  EXPECT_EQ(Of(kAlice, kUsd), B(6'493'500, 0));
  Run(SetFees{0, true, kBob, true, FeeRates{}});  // cleared: the symbol's rates again
  EXPECT_EQ(engine_.FeesFor(0, kBob), (FeeRates{1'000, 1'000}));
  EXPECT_EQ(RejectOf(Run(SetFees{0, false, 0, false, FeeRates{0, -1}})),
            RejectReason::kInvalidFeeSchedule);
  EXPECT_EQ(RejectOf(Run(SetFees{0, false, 0, false, FeeRates{0, 100'001}})),
            RejectReason::kInvalidFeeSchedule);
}

TEST_F(RiskTest, AMarketBuyHoldsAtItsProtectionPriceAndReleasesTheRest) {
  Fund(kAlice, kBtc, 100'000'000);
  Fund(kBob, kUsd, 10'000'000);
  Run(Order(kAlice, 1, Side::kSell, 6'500'000, 5'000));  // 0.5 BTC
  const auto events = Run(Order(kBob, 1, Side::kBuy, 0, 10'000, OrderType::kMarket));
  // Held at 65,000 + 1.00 (100 ticks) for 1 BTC; bought 0.5 BTC at 65,000;
  // the remainder was canceled and everything else released.
  EXPECT_EQ(Balances(events).front().held_delta, 6'500'100);
  EXPECT_EQ(Of(kBob, kUsd), B(10'000'000 - 3'250'000, 0));
  EXPECT_EQ(Of(kBob, kBtc), B(50'000'000, 0));
}

TEST_F(RiskTest, AMarketBuyByQuoteAmountSpendsAtMostThatAmount) {
  Fund(kAlice, kBtc, 100'000'000);
  Fund(kBob, kUsd, 10'000'000);
  Run(Order(kAlice, 1, Side::kSell, 6'500'000, 1'000));  // 0.1 BTC at 65,000
  Run(Order(kAlice, 2, Side::kSell, 6'500'100, 9'000));  // 0.9 BTC at 65,001.00
  NewOrder buy = Order(kBob, 1, Side::kBuy, 0, 0, OrderType::kMarket);
  buy.quote_quantity = 1'000'000;  // 10,000.00 USD
  const auto events = Run(buy);
  // Accepted for what 10,000.00 buys at the best ask (0.1538 BTC); 0.1 BTC
  // for 6,500.00, then the 0.0538 BTC that 3,500.00 buys at 65,001.00
  // (3,497.0538 USD, paid 3,497.06); the 0.94 USD left is released.
  EXPECT_EQ(events.at(0).quantity, 1'538);
  Quantity bought = 0;
  for (const Event& e : events) {
    if (e.type == EventType::kTrade) bought += e.quantity;
  }
  EXPECT_EQ(bought, 1'538);
  EXPECT_EQ(Of(kBob, kUsd), B(10'000'000 - 999'706, 0));
  EXPECT_EQ(Of(kBob, kBtc), B(15'380'000, 0));
  EXPECT_EQ(Of(kRoundingAccount, kUsd), B(1, 0));
  NewOrder sell_by_quote = Order(kBob, 2, Side::kSell, 0, 0, OrderType::kMarket);
  sell_by_quote.quote_quantity = 100;
  EXPECT_EQ(RejectOf(Run(sell_by_quote)), RejectReason::kInvalidOrder);
}

TEST_F(RiskTest, StopsHoldAtPlacementAndAnIcebergHoldsItsTotal) {
  Fund(kAlice, kUsd, 20'000'000);
  Fund(kBob, kBtc, 100'000'000);
  NewOrder stop = Order(kAlice, 1, Side::kBuy, 0, 10'000, OrderType::kStop);
  stop.stop_price = 7'000'000;
  Run(stop);  // held at 70,000 + 1.00 protection
  EXPECT_EQ(Of(kAlice, kUsd).held, 7'000'100);
  NewOrder stop_limit = Order(kAlice, 2, Side::kBuy, 7'100'000, 10'000, OrderType::kStopLimit);
  stop_limit.stop_price = 7'000'000;
  Run(stop_limit);  // held at its limit
  EXPECT_EQ(Of(kAlice, kUsd).held, 7'000'100 + 7'100'000);
  NewOrder iceberg = Order(kBob, 1, Side::kSell, 7'500'000, 10'000, OrderType::kIceberg);
  iceberg.display_quantity = 1'000;
  Run(iceberg);
  EXPECT_EQ(Of(kBob, kBtc), B(0, 100'000'000));
}

TEST_F(RiskTest, AReplaceUpNeedsTheLargerHoldAndADownReleases) {
  Fund(kAlice, kUsd, 7'000'000);
  Run(Order(kAlice, 1, Side::kBuy, 6'500'000, 10'000));
  ReplaceOrder up;
  up.account = kAlice;
  up.symbol = 0;
  up.order_id = 1;
  up.quantity = 20'000;  // would hold 130,000.00
  EXPECT_EQ(RejectOf(Run(up)), RejectReason::kInsufficientFunds);
  EXPECT_EQ(engine_.FindOrder(kAlice, 1)->quantity, 10'000);
  EXPECT_EQ(Of(kAlice, kUsd), B(500'000, 6'500'000));
  up.quantity = 10'000;
  up.price = 7'000'000;  // exactly what she has
  const auto raised = Run(up);
  EXPECT_EQ(raised.at(0).type, EventType::kReplaced);
  EXPECT_EQ(Of(kAlice, kUsd), B(0, 7'000'000));
  ReplaceOrder down = up;
  down.price = 0;
  down.quantity = 5'000;
  const auto lowered = Run(down);
  ASSERT_EQ(Balances(lowered).size(), 1u);
  EXPECT_EQ(Balances(lowered)[0].balance_reason, BalanceReason::kRelease);
  EXPECT_EQ(Of(kAlice, kUsd), B(3'500'000, 3'500'000));
}

TEST_F(RiskTest, SelfTradePreventionReleasesTheCanceledOrdersHold) {
  Fund(kAlice, kBtc, 100'000'000);
  Fund(kAlice, kUsd, 10'000'000);
  Run(Order(kAlice, 1, Side::kSell, 6'500'000, 10'000));
  Run(Order(kAlice, 2, Side::kBuy, 6'500'000, 10'000));  // cancels the resting sell
  EXPECT_EQ(Of(kAlice, kBtc), B(100'000'000, 0));
  EXPECT_EQ(Of(kAlice, kUsd), B(3'500'000, 6'500'000));
}

TEST_F(RiskTest, TransfersApplyOnceAndAWithdrawalNeedsAvailableFunds) {
  EXPECT_EQ(Run(Deposit{kAlice, kUsd, 1'000, 77}).at(0).balance_reason, BalanceReason::kDeposit);
  EXPECT_EQ(RejectOf(Run(Deposit{kAlice, kUsd, 1'000, 77})), RejectReason::kDuplicateTransfer);
  EXPECT_EQ(RejectOf(Run(Deposit{kAlice, 9, 1'000, 78})), RejectReason::kUnknownAsset);
  EXPECT_EQ(RejectOf(Run(Deposit{kAlice, kUsd, 0, 79})), RejectReason::kInvalidAmount);
  Run(Order(kAlice, 1, Side::kBuy, 100, 10'000));  // holds 100
  EXPECT_EQ(RejectOf(Run(Withdraw{kAlice, kUsd, 901, 80})), RejectReason::kInsufficientFunds);
  const auto out = Run(Withdraw{kAlice, kUsd, 900, 80});
  EXPECT_EQ(out.at(0).available_delta, -900);
  EXPECT_EQ(out.at(0).order_id, 80u);
  EXPECT_EQ(Of(kAlice, kUsd), B(0, 100));
  EXPECT_EQ(RejectOf(Run(Withdraw{kAlice, kUsd, 1, 80})), RejectReason::kDuplicateTransfer);
}

TEST_F(RiskTest, TheFeeAndRoundingAccountsCannotTradeAndRoundingIsNeverWithdrawn) {
  EXPECT_EQ(RejectOf(Run(Withdraw{kRoundingAccount, kUsd, 1, 77})), RejectReason::kReservedAccount);
  Fund(kFeeAccount, kUsd, 1'000'000);
  EXPECT_EQ(Run(Withdraw{kFeeAccount, kUsd, 1'000, 78}).at(0).type, EventType::kBalance);
  EXPECT_EQ(RejectOf(Run(Order(kFeeAccount, 1, Side::kBuy, 100, 1))),
            RejectReason::kReservedAccount);
  EXPECT_EQ(RejectOf(Run(Order(kRoundingAccount, 1, Side::kSell, 100, 1))),
            RejectReason::kReservedAccount);
}

TEST_F(RiskTest, AnInstrumentWithoutRiskKeepsNoBalances) {
  InstrumentSpec plain = BtcUsd();
  plain.symbol = SymbolName("PLAIN");
  plain.risk = RiskMode::kNone;
  Run(AddInstrument{plain});
  NewOrder sell = Order(kAlice, 1, Side::kSell, 100, 10);
  sell.symbol = 1;
  NewOrder buy = Order(kBob, 1, Side::kBuy, 100, 10);
  buy.symbol = 1;
  EXPECT_TRUE(Balances(Run(sell)).empty());
  EXPECT_TRUE(Balances(Run(buy)).empty());
  EXPECT_EQ(engine_.ledger().Total(kUsd), 0);
}

TEST_F(RiskTest, ACashInstrumentNeedsKnownAssets) {
  InstrumentSpec bad = BtcUsd();
  bad.symbol = SymbolName("ETH-USD");
  bad.base_asset = 7;
  EXPECT_EQ(RejectOf(Run(AddInstrument{bad})), RejectReason::kUnknownAsset);
  EXPECT_EQ(RejectOf(Run(AddAsset{{SymbolName("USD"), 2}})), RejectReason::kDuplicateAsset);
}

TEST_F(RiskTest, ASnapshotKeepsBalancesHoldsAndFeesAndRefusesAForgedHold) {
  Run(SetFees{0, false, 0, false, FeeRates{-100, 700}});
  Run(SetFees{0, true, kBob, false, FeeRates{50, 60}});
  Fund(kAlice, kBtc, 100'000'000);
  Fund(kBob, kUsd, 10'000'000);
  Run(Order(kAlice, 1, Side::kSell, 6'500'000, 4'000));
  Run(Order(kBob, 1, Side::kBuy, 6'600'000, 10'000));  // 0.4 filled, 0.6 resting
  std::string image;
  engine_.SaveState(image);
  Engine copy;
  ASSERT_EQ(copy.LoadState(image), "");
  EXPECT_EQ(copy.StateHash(), engine_.StateHash());
  EXPECT_EQ(copy.ledger().Get(kBob, kUsd), Of(kBob, kUsd));
  EXPECT_EQ(copy.FeesFor(0, kBob), (FeeRates{50, 60}));
  // The same next command gives the same events in both.
  const Command next{++now_, Order(kAlice, 2, Side::kSell, 6'600'000, 6'000)};
  const auto a = engine_.Process(next);
  const std::vector<Event> expected(a.begin(), a.end());
  const auto b = copy.Process(next);
  ASSERT_EQ(b.size(), expected.size());
  for (std::size_t i = 0; i < b.size(); ++i) {
    EXPECT_EQ(b[i].available, expected[i].available);
    EXPECT_EQ(b[i].held, expected[i].held);
  }
  EXPECT_EQ(copy.StateHash(), engine_.StateHash());
  // An order that claims to hold less than its leaves need is refused.
  Run(Order(kBob, 2, Side::kBuy, 6'000'000, 1'000));
  engine_.SaveState(image);
  const exchange::Order* o = engine_.FindOrder(kBob, 2);
  std::string needle(16, '\0');
  std::memcpy(needle.data(), &o->held, 8);
  std::memcpy(needle.data() + 8, &o->hold_price, 8);  // little-endian, as the image
  const auto at = image.rfind(needle);
  ASSERT_NE(at, std::string::npos);
  image[at] ^= 1;
  Engine forged;
  EXPECT_NE(forged.LoadState(image), "");
}

// A buy pays the rounding of its cumulative notional up front, so after a
// fill its rest can hold nothing; with its account's balance emptied, the
// snapshot (which leaves out emptied balances) still loads. The check of
// holds against the ledger once wanted a balance row for every resting order
// and refused it.
TEST_F(RiskTest, AnOrderThatHoldsNothingNeedsNoBalanceAndSurvivesASnapshot) {
  Fund(kCarol, kUsd, 1);
  Fund(kAlice, kBtc, 10'000);
  Run(Order(kCarol, 1, Side::kBuy, 1, 2));  // notional 2e-4 USD: holds 1 cent
  EXPECT_EQ(Of(kCarol, kUsd), B(0, 1));
  Run(Order(kAlice, 1, Side::kSell, 1, 1));  // pays ceil(1e-4) = 1 cent
  EXPECT_EQ(Of(kCarol, kUsd), B(0, 0));
  ASSERT_NE(engine_.FindOrder(kCarol, 1), nullptr);
  EXPECT_EQ(engine_.FindOrder(kCarol, 1)->held, 0);
  std::string image;
  engine_.SaveState(image);
  Engine copy;
  ASSERT_EQ(copy.LoadState(image), "");
  EXPECT_EQ(copy.StateHash(), engine_.StateHash());
}

// Thousands of accounts appear while trades settle: the ledger's table grows
// under the settlement (which keeps references into it) and loses nothing.
TEST_F(RiskTest, SettlementStaysExactWhileTheLedgerGrows) {
  Fund(kAlice, kBtc, 100'000'000'000);
  ASSERT_EQ(Run(Order(kAlice, 1, Side::kSell, 100, 1'000'000)).at(0).type, EventType::kAccepted);
  for (AccountId buyer = 100; buyer < 1'100; ++buyer) {  // 2,000 new balances
    Fund(buyer, kUsd, 1'000);
    const auto events = Run(Order(buyer, 1, Side::kBuy, 100, 1'000));
    ASSERT_EQ(OfType(events, EventType::kTrade), 1u) << "buyer " << buyer;
  }
  EXPECT_EQ(engine_.live_orders(), 0u);
  EXPECT_EQ(Of(kAlice, kBtc), B(100'000'000'000 - Amount{1'000'000} * 10'000, 0));
  for (AccountId buyer : {100u, 555u, 1'099u}) {
    EXPECT_EQ(Of(buyer, kBtc), B(1'000 * 10'000, 0));
    EXPECT_EQ(Of(buyer, kUsd), B(990, 0));  // 100 × 1,000 × 10^-4 = 10 cents
  }
  EXPECT_EQ(Of(kAlice, kUsd), B(1'000 * 10, 0));
}

// Two shards: funds move between them only as a withdrawal on one and a
// deposit on the other under one transfer id; repeating either leg (a
// retry after a crash) changes nothing.
TEST_F(RiskTest, AShardTransferIsAWithdrawalAndADepositUnderOneIdEachOnce) {
  Engine other;
  other.Process(Command{1, AddAsset{{SymbolName("BTC"), 8}}});
  other.Process(Command{2, AddAsset{{SymbolName("USD"), 2}}});
  Fund(kAlice, kUsd, 1'000);
  const TransferId move = 5'000;
  for (int attempt = 0; attempt < 2; ++attempt) {
    Run(Withdraw{kAlice, kUsd, 400, move});
    other.Process(Command{3, Deposit{kAlice, kUsd, 400, move}});
  }
  EXPECT_EQ(Of(kAlice, kUsd), B(600, 0));
  EXPECT_EQ(other.ledger().Get(kAlice, kUsd), B(400, 0));
  EXPECT_EQ(engine_.ledger().Total(kUsd) + other.ledger().Total(kUsd), 1'000);
}

}  // namespace
}  // namespace exchange
