#include "bookstate/balance_view.h"

namespace exchange::bookstate {

void BalanceView::Set(AccountId account, std::string_view asset, const AccountBalance& balance) {
  balances_[{account, std::string(asset)}] = balance;
  changed_accounts_.insert(account);
}

void BalanceView::SetAssetDecimals(std::string_view asset, int decimals) {
  auto [it, added] = decimals_.emplace(std::string(asset), decimals);
  if (added || it->second != decimals) {
    it->second = decimals;
    assets_changed_ = true;
  }
}

std::set<AccountId> BalanceView::TakeChangedAccounts() {
  std::set<AccountId> out;
  out.swap(changed_accounts_);
  return out;
}

bool BalanceView::TakeAssetsChanged() {
  const bool changed = assets_changed_;
  assets_changed_ = false;
  return changed;
}

}  // namespace exchange::bookstate
