// Ledger (engine/ledger.h): every rule of its operations, and, over random
// sequences of them (rapidcheck), value conservation per asset, no negative
// amount, refusals that change nothing, transfers that apply once, and an
// image that loads back to the same ledger.
#include "engine/ledger.h"

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <string>
#include <vector>

namespace exchange {
namespace {

std::string ImageOf(const Ledger& ledger) {
  std::string image;
  ByteWriter w(image);
  ledger.Save(w);
  return image;
}

TEST(LedgerTest, ADepositAppliesOnceEvenWhenItComesAgain) {
  Ledger l;
  EXPECT_EQ(l.Deposit(7, 1, 500, 42), LedgerResult::kDone);
  EXPECT_EQ(l.Deposit(7, 1, 500, 42), LedgerResult::kDuplicateTransfer);
  EXPECT_EQ(l.Deposit(8, 2, 1, 42), LedgerResult::kDuplicateTransfer);  // ids are global
  EXPECT_EQ(l.Get(7, 1), (Balance{500, 0}));
  EXPECT_EQ(l.deposited(1), 500);
  EXPECT_TRUE(l.TransferApplied(42));
}

TEST(LedgerTest, AWithdrawalAboveAvailableIsRefusedAndDoesNotUseItsId) {
  Ledger l;
  ASSERT_EQ(l.Deposit(7, 1, 500, 1), LedgerResult::kDone);
  ASSERT_EQ(l.Hold(7, 1, 200), LedgerResult::kDone);
  EXPECT_EQ(l.Withdraw(7, 1, 301, 2), LedgerResult::kInsufficientFunds);  // held is not available
  EXPECT_FALSE(l.TransferApplied(2));
  EXPECT_EQ(l.Withdraw(7, 1, 300, 2), LedgerResult::kDone);
  EXPECT_EQ(l.Withdraw(7, 1, 1, 2), LedgerResult::kDuplicateTransfer);
  EXPECT_EQ(l.Get(7, 1), (Balance{0, 200}));
  EXPECT_EQ(l.withdrawn(1), 300);
}

TEST(LedgerTest, HoldAndReleaseMoveBetweenAvailableAndHeldOnly) {
  Ledger l;
  ASSERT_EQ(l.Deposit(7, 1, 100, 1), LedgerResult::kDone);
  EXPECT_EQ(l.Hold(7, 1, 101), LedgerResult::kInsufficientFunds);
  EXPECT_EQ(l.Hold(7, 1, 0), LedgerResult::kInvalidAmount);
  EXPECT_EQ(l.Hold(7, 1, 60), LedgerResult::kDone);
  EXPECT_EQ(l.Get(7, 1), (Balance{40, 60}));
  EXPECT_EQ(l.Release(7, 1, 61), LedgerResult::kInvalidAmount);
  EXPECT_EQ(l.Release(7, 1, 25), LedgerResult::kDone);
  EXPECT_EQ(l.Get(7, 1), (Balance{65, 35}));
  EXPECT_EQ(l.Total(1), 100);
}

TEST(LedgerTest, SettleMovesHeldValueToAnotherAccountsAvailable) {
  Ledger l;
  ASSERT_EQ(l.Deposit(1, 0, 1000, 1), LedgerResult::kDone);  // the buyer's quote
  ASSERT_EQ(l.Deposit(2, 5, 10, 2), LedgerResult::kDone);    // the seller's base
  ASSERT_EQ(l.Hold(1, 0, 1000), LedgerResult::kDone);
  ASSERT_EQ(l.Hold(2, 5, 10), LedgerResult::kDone);
  constexpr AccountId kFees = 0;
  // 10 base at 99 quote each; fees of 1 on each side's receipt.
  EXPECT_EQ(l.Settle(1, 2, 0, 989), LedgerResult::kDone);
  EXPECT_EQ(l.Settle(1, kFees, 0, 1), LedgerResult::kDone);
  EXPECT_EQ(l.Settle(2, 1, 5, 9), LedgerResult::kDone);
  EXPECT_EQ(l.Settle(2, kFees, 5, 1), LedgerResult::kDone);
  EXPECT_EQ(l.Release(1, 0, 10), LedgerResult::kDone);  // the buy's over-reservation
  EXPECT_EQ(l.Get(1, 0), (Balance{10, 0}));
  EXPECT_EQ(l.Get(1, 5), (Balance{9, 0}));
  EXPECT_EQ(l.Get(2, 0), (Balance{989, 0}));
  EXPECT_EQ(l.Get(2, 5), (Balance{0, 0}));
  EXPECT_EQ(l.Get(kFees, 0), (Balance{1, 0}));
  EXPECT_EQ(l.Get(kFees, 5), (Balance{1, 0}));
  EXPECT_EQ(l.Settle(2, 1, 5, 1), LedgerResult::kInsufficientFunds);
  EXPECT_EQ(l.Settle(1, 2, 0, -1), LedgerResult::kInvalidAmount);
  EXPECT_EQ(l.Settle(1, 2, 0, 0), LedgerResult::kDone);  // a fee of nothing
}

TEST(LedgerTest, SumsPastInt64AreRefused) {
  Ledger l;
  const Amount max = std::numeric_limits<Amount>::max();
  ASSERT_EQ(l.Deposit(1, 0, max, 1), LedgerResult::kDone);
  EXPECT_EQ(l.Deposit(2, 0, 1, 2), LedgerResult::kOverflow);  // the asset's deposits
  EXPECT_EQ(l.Deposit(1, 0, 1, 3), LedgerResult::kOverflow);
  EXPECT_FALSE(l.TransferApplied(2));
  EXPECT_EQ(l.Get(2, 0), Balance{});
}

TEST(LedgerTest, ADamagedImageIsRefusedNamingWhy) {
  Ledger l;
  ASSERT_EQ(l.Deposit(1, 0, 50, 1), LedgerResult::kDone);
  std::string image = ImageOf(l);
  {
    Ledger back;
    ByteReader r(std::string_view(image).substr(0, image.size() - 3));
    EXPECT_NE(back.Load(r).find("ends early"), std::string::npos);
  }
  image[4 + 8 + 4 + 2] ^= 1;  // the first balance's available: 50 becomes 51
  Ledger back;
  ByteReader r(image);
  EXPECT_NE(back.Load(r).find("do not add up"), std::string::npos);
}

// One random operation on a small set of accounts and assets.
struct Op {
  int kind;  // 0 deposit, 1 withdraw, 2 hold, 3 release, 4 settle
  AccountId account, other;
  AssetId asset;
  Amount amount;
  TransferId transfer;
};

LedgerResult Apply(Ledger& l, const Op& op) {
  switch (op.kind) {
    case 0: return l.Deposit(op.account, op.asset, op.amount, op.transfer);
    case 1: return l.Withdraw(op.account, op.asset, op.amount, op.transfer);
    case 2: return l.Hold(op.account, op.asset, op.amount);
    case 3: return l.Release(op.account, op.asset, op.amount);
    default: return l.Settle(op.account, op.other, op.asset, op.amount);
  }
}

void CheckInvariants(const Ledger& l) {
  for (AssetId asset = 0; asset < 3; ++asset) {
    RC_ASSERT(l.Total(asset) == l.deposited(asset) - l.withdrawn(asset));
    for (AccountId account = 0; account < 4; ++account) {
      const Balance b = l.Get(account, asset);
      RC_ASSERT(b.available >= 0);
      RC_ASSERT(b.held >= 0);
    }
  }
}

RC_GTEST_PROP(LedgerProperty, ValueIsConservedAndRefusalsChangeNothing, ()) {
  const auto ops = *rc::gen::container<std::vector<Op>>(
      rc::gen::build<Op>(rc::gen::set(&Op::kind, rc::gen::inRange(0, 5)),
                         rc::gen::set(&Op::account, rc::gen::inRange<AccountId>(0, 4)),
                         rc::gen::set(&Op::other, rc::gen::inRange<AccountId>(0, 4)),
                         rc::gen::set(&Op::asset, rc::gen::inRange<AssetId>(0, 3)),
                         rc::gen::set(&Op::amount, rc::gen::inRange<Amount>(-5, 1000)),
                         rc::gen::set(&Op::transfer, rc::gen::inRange<TransferId>(0, 40))));
  Ledger l;
  Amount paid_in = 0;
  for (const Op& op : ops) {
    const std::string before = ImageOf(l);
    const bool seen = l.TransferApplied(op.transfer);
    const LedgerResult result = Apply(l, op);
    if (result != LedgerResult::kDone) {
      RC_ASSERT(ImageOf(l) == before);  // a refusal changes nothing
    } else if (op.kind == 0) {
      RC_ASSERT(!seen);  // a transfer id never pays twice
      paid_in += op.amount;
    }
    CheckInvariants(l);
  }
  Amount deposited = 0;
  for (AssetId asset = 0; asset < 3; ++asset)
    deposited += l.deposited(asset);
  RC_ASSERT(deposited == paid_in);

  Ledger back;  // the image loads back to the same ledger
  const std::string image = ImageOf(l);
  ByteReader r(image);
  RC_ASSERT(back.Load(r).empty());
  RC_ASSERT(ImageOf(back) == image);
  RC_ASSERT(back.Digest() == l.Digest());
}

}  // namespace
}  // namespace exchange
