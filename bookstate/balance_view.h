// BalanceView: every account's balances as the engine's BALANCE events
// leave them (cash risk, engine/risk.cc), with the assets' decimals, and
// which accounts changed since the last write. The book-state writer puts
// it in Redis next to the books (view_keys.h: balance:{ACCOUNT},
// exchange:assets), in the same MULTI/EXEC as the book changes of the
// same engine batches.
//
// Owned by BookViews; one thread (the book-state sink's, or a test's).
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "engine/types.h"

namespace exchange::bookstate {

struct AccountBalance {
  Amount available = 0;
  Amount held = 0;
  Sequence sequence = 0;  // the engine event that left it so
  bool operator==(const AccountBalance&) const = default;
};

class BalanceView {
 public:
  // One asset's balance of one account, after event `sequence`.
  void Set(AccountId account, std::string_view asset, const AccountBalance& balance);
  void SetAssetDecimals(std::string_view asset, int decimals);

  // (account, asset) → balance, in that order.
  using Balances = std::map<std::pair<AccountId, std::string>, AccountBalance, std::less<>>;
  const Balances& balances() const { return balances_; }
  const std::map<std::string, int, std::less<>>& asset_decimals() const { return decimals_; }

  bool changed() const { return !changed_accounts_.empty() || assets_changed_; }
  // The accounts that changed since the last call (and whether any asset
  // was added), starting afresh.
  std::set<AccountId> TakeChangedAccounts();
  bool TakeAssetsChanged();

 private:
  Balances balances_;
  std::map<std::string, int, std::less<>> decimals_;
  std::set<AccountId> changed_accounts_;
  bool assets_changed_ = false;
};

}  // namespace exchange::bookstate
