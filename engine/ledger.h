// Ledger: who owns what, for the engine's spot ("cash") risk: per account
// and asset an `available` and a `held` amount in the asset's fixed-point
// units, and the transfers (deposits and withdrawals) that bring value in
// and take it out, each applied once, ever, by its transfer id.
//
// Every change of a balance is one of the operations below, and each keeps,
// per asset,
//     Σ over accounts (available + held) == deposited − withdrawn
// with no amount ever negative: value moves between accounts (Hold,
// Release, Settle) or crosses the boundary with a transfer record (Deposit,
// Withdraw), never appears or vanishes. An operation that would break that
// (not enough available, more released than held, a repeated transfer id, a
// sum past int64) is refused with a LedgerResult and changes nothing.
//
// A refused deposit or withdrawal does not use up its transfer id: only a
// transfer that applied is a duplicate when it comes again.
//
// Deterministic: no clock, no randomness; Digest() and Save() visit
// balances and transfer ids in key order. The engine's cash risk
// (engine/risk.cc) is its only writer.
//
// Owned by the engine; one thread.
#pragma once

#include <boost/unordered/unordered_flat_map.hpp>
#include <boost/unordered/unordered_flat_set.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/byte_io.h"
#include "engine/types.h"

namespace exchange {

struct Balance {
  Amount available = 0;
  Amount held = 0;
  bool operator==(const Balance&) const = default;
};

// One trade's movements under cash risk (engine/risk.cc computes them):
// base_amount of the seller's held base goes to the buyer, less buyer_fee
// to the fee account; pay of the buyer's held quote goes to the seller, who
// receives `receive` in all (the rounding account takes pay − receive, or
// tops the seller up when that is negative), less seller_fee to the fee
// account; `over` of the buyer's held quote goes back to its available;
// then rebates (wanted amounts) go from the fee account's available to the
// maker, as far as that goes.
struct TradeSettlement {
  AccountId buyer = 0, seller = 0;
  AssetId base = 0, quote = 0;
  Amount base_amount = 0, buyer_fee = 0;
  Amount pay = 0, receive = 0, seller_fee = 0, over = 0;
  Amount buyer_rebate = 0, seller_rebate = 0;  // wanted
};

// The balances a settlement left, and the rebates it could pay.
struct SettledBalances {
  Balance buyer_base, buyer_quote, seller_base, seller_quote, fee_base, fee_quote, rounding;
  Amount buyer_rebate = 0, seller_rebate = 0;  // paid
};

enum class LedgerResult : std::uint8_t {
  kDone = 0,
  kInsufficientFunds,  // available (or held, for Settle) is less than the amount
  kDuplicateTransfer,  // the transfer id applied before
  kInvalidAmount,      // not positive, or more released than held
  kOverflow,           // a sum would pass the largest int64
};

std::string_view ToString(LedgerResult r);

class Ledger {
 public:
  // A deposit: `amount` (> 0) into `account`'s available.
  LedgerResult Deposit(AccountId account, AssetId asset, Amount amount, TransferId transfer);
  // A withdrawal: `amount` (> 0) out of `account`'s available.
  LedgerResult Withdraw(AccountId account, AssetId asset, Amount amount, TransferId transfer);
  // Available to held (an order's reservation). With `after`, the balance
  // as the operation left it (saves the caller a lookup on the hot path).
  LedgerResult Hold(AccountId account, AssetId asset, Amount amount, Balance* after = nullptr);
  // Held back to available (a cancel, a remainder, an over-reservation).
  LedgerResult Release(AccountId account, AssetId asset, Amount amount, Balance* after = nullptr);
  // `amount` of `from`'s held goes to `to`'s available: one leg of a trade's
  // settlement, or a fee into the fee account. `amount` may be 0 (a fee of
  // nothing) but not negative.
  LedgerResult Settle(AccountId from, AccountId to, AssetId asset, Amount amount);
  // A whole trade's settlement in one step, touching each of its seven
  // balances once (the hot path of cash risk). kInsufficientFunds, and
  // nothing changed, when a hold does not cover it (a broken invariant).
  // No sum can pass int64: every balance of an asset is part of its
  // deposits, which Deposit keeps within int64.
  LedgerResult SettleTrade(const TradeSettlement& s, SettledBalances* after);
  // `amount` (>= 0) of `from`'s available to `to`'s available (a rebate paid
  // out of the fee account).
  LedgerResult Move(AccountId from, AccountId to, AssetId asset, Amount amount);

  Balance Get(AccountId account, AssetId asset) const;
  // Calls f(account, asset, const Balance&) for every balance, in no order.
  template <typename F>
  void ForEach(F&& f) const {
    for (const auto& [key, b] : balances_)
      f(static_cast<AccountId>(key >> 16), static_cast<AssetId>(key & 0xFFFF), b);
  }
  bool TransferApplied(TransferId transfer) const { return transfers_.count(transfer) != 0; }
  // What came in and went out of `asset` through transfers.
  Amount deposited(AssetId asset) const;
  Amount withdrawn(AssetId asset) const;
  // Σ over accounts of available + held of `asset`.
  Amount Total(AssetId asset) const;

  // A 64-bit digest of every balance and transfer id (for the state hash).
  std::uint64_t Digest() const;
  // Appends the ledger's image; Load reads one into an empty ledger and
  // returns "" or what is wrong with the bytes.
  void Save(ByteWriter& out) const;
  std::string Load(ByteReader& in);

 private:
  static std::uint64_t Key(AccountId account, AssetId asset) {
    return (std::uint64_t{account} << 16) | asset;
  }
  Balance& At(AccountId account, AssetId asset) { return balances_[Key(account, asset)]; }
  std::vector<std::uint64_t> SortedKeys() const;
  std::vector<TransferId> SortedTransfers() const;

  // Open addressing: a trade touches about ten balances (hot path).
  boost::unordered_flat_map<std::uint64_t, Balance> balances_;  // Key(account, asset) -> balance
  boost::unordered_flat_set<TransferId> transfers_;             // every transfer that applied
  std::unordered_map<AssetId, Amount> deposited_;
  std::unordered_map<AssetId, Amount> withdrawn_;
};

// Inline: a hold or a release comes with nearly every cash-risk command.
inline LedgerResult Ledger::Hold(AccountId account, AssetId asset, Amount amount, Balance* after) {
  if (amount <= 0) return LedgerResult::kInvalidAmount;
  const auto it = balances_.find(Key(account, asset));  // one probe: the hot path
  if (it == balances_.end() || it->second.available < amount) {
    return LedgerResult::kInsufficientFunds;
  }
  it->second.available -= amount;
  it->second.held += amount;  // cannot pass int64: available + held did not
  if (after) *after = it->second;
  return LedgerResult::kDone;
}

inline LedgerResult Ledger::Release(AccountId account, AssetId asset, Amount amount,
                                    Balance* after) {
  const auto it = balances_.find(Key(account, asset));
  if (amount <= 0 || it == balances_.end() || it->second.held < amount) {
    return LedgerResult::kInvalidAmount;
  }
  it->second.held -= amount;
  it->second.available += amount;
  if (after) *after = it->second;
  return LedgerResult::kDone;
}

}  // namespace exchange
