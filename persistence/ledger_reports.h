// LedgerReports: the reads of the ledger (cash risk; migration 0003): the
// reconciliation that proves no value appeared or vanished, and every
// account's balances at a past time. `exchange-cli report reconcile` and
// `exchange-cli report balances` print them.
//
// Reconcile checks, per asset, that what came in less what went out
// equals what every account holds (the fee and rounding accounts
// included):  Σ deposits − Σ withdrawals = Σ (available + held), and, per
// (shard, account, asset), that the ledger's deltas add up to the balance
// its newest row shows. Amounts are integers in the asset's units; read
// them with the asset's decimals (assets table).
//
// Read only (the read-only role will do). Owns one connection; one thread.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/types.h"
#include "persistence/pg_connection.h"

namespace exchange::persistence {

struct AssetReconciliation {
  std::string asset;
  int decimals = 0;
  __int128 deposited = 0;
  __int128 withdrawn = 0;
  __int128 balances = 0;  // Σ available + held over every account
  __int128 fees = 0;      // of that: the fee account's
  __int128 rounding = 0;  // and the rounding account's
  bool balanced() const { return deposited - withdrawn == balances; }
};

// An account whose ledger rows do not add up to the balance they end in.
struct LedgerMismatch {
  std::string shard;
  AccountId account = 0;
  std::string asset;
  __int128 available_sum = 0, held_sum = 0;  // Σ deltas
  Amount available = 0, held = 0;            // the newest row
};

struct Reconciliation {
  std::vector<AssetReconciliation> assets;  // by asset name
  std::vector<LedgerMismatch> mismatches;   // none when every account adds up
  std::int64_t accounts_checked = 0;        // (shard, account, asset) triples
  std::int64_t rows = 0;                    // ledger rows read
  bool ok() const;
};

struct BalanceAt {
  AccountId account = 0;
  std::string asset;
  int decimals = 0;
  Amount available = 0;  // summed over shards
  Amount held = 0;
};

class LedgerReports {
 public:
  // Throws PgError.
  LedgerReports(const std::string& url, const std::string& schema = "public");

  Reconciliation Reconcile();
  // Each (account, asset)'s balance after the last change before `at`
  // (nanoseconds since the epoch), summed over shards; one account only
  // when `account` is set. By account, then asset; balances that were
  // never touched before `at` are absent.
  std::vector<BalanceAt> BalancesAt(Timestamp at, std::optional<AccountId> account);

 private:
  std::map<std::string, int> AssetDecimals();
  std::unique_ptr<PgConnection> connection_;
};

}  // namespace exchange::persistence
