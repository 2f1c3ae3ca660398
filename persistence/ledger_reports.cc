#include "persistence/ledger_reports.h"

#include <charconv>

#include "persistence/copy_text.h"

namespace exchange::persistence {

namespace {

// The newest row of every (shard, account, asset), with the sums of its
// deltas: the balance it shows and what the rows add up to.
constexpr char kAccountsSql[] = R"(
WITH sums AS (
  SELECT shard, account, asset, sum(available_delta) AS available_sum,
         sum(held_delta) AS held_sum, max(sequence) AS newest, count(*) AS rows
  FROM ledger GROUP BY shard, account, asset)
SELECT s.shard, s.account, s.asset, s.available_sum, s.held_sum, l.available, l.held, s.rows
FROM sums s JOIN ledger l ON l.shard = s.shard AND l.sequence = s.newest
ORDER BY s.asset, s.shard, s.account)";

constexpr char kTransfersSql[] = R"(
SELECT asset,
       coalesce(sum(available_delta) FILTER (WHERE reason = 'DEPOSIT'), 0),
       coalesce(-sum(available_delta) FILTER (WHERE reason = 'WITHDRAW'), 0)
FROM ledger GROUP BY asset)";

constexpr char kBalancesAtSql[] = R"(
SELECT account, asset, sum(available), sum(held) FROM (
  SELECT DISTINCT ON (shard, account, asset) shard, account, asset, available, held
  FROM ledger WHERE time < to_timestamp($1::numeric / 1e9) AND ($2 = '' OR account = $2::bigint)
  ORDER BY shard, account, asset, sequence DESC) newest
GROUP BY account, asset ORDER BY account, asset)";

__int128 ToInt128(std::string_view text) {
  __int128 v = 0;
  const bool negative = !text.empty() && text[0] == '-';
  for (char c : text.substr(negative ? 1 : 0)) {
    if (c < '0' || c > '9') break;
    v = v * 10 + (c - '0');
  }
  return negative ? -v : v;
}

std::int64_t ToInt64(std::string_view text) {
  std::int64_t v = 0;
  std::from_chars(text.data(), text.data() + text.size(), v);
  return v;
}

}  // namespace

bool Reconciliation::ok() const {
  for (const AssetReconciliation& a : assets) {
    if (!a.balanced()) return false;
  }
  return mismatches.empty();
}

LedgerReports::LedgerReports(const std::string& url, const std::string& schema)
    : connection_(std::make_unique<PgConnection>(url)) {
  connection_->Exec("SET search_path TO " + QuoteIdentifier(schema));
  connection_->Exec("SET TIME ZONE 'UTC'");
}

std::map<std::string, int> LedgerReports::AssetDecimals() {
  std::map<std::string, int> out;
  const PgResult r = connection_->Exec("SELECT asset, decimals FROM assets");
  for (int i = 0; i < r.rows(); ++i)
    out[std::string(r.value(i, 0))] = static_cast<int>(ToInt64(r.value(i, 1)));
  return out;
}

Reconciliation LedgerReports::Reconcile() {
  // One snapshot of the tables for both reads.
  connection_->Exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  Reconciliation out;
  std::map<std::string, AssetReconciliation> assets;
  const std::map<std::string, int> decimals = AssetDecimals();
  const PgResult accounts = connection_->Exec(kAccountsSql);
  for (int i = 0; i < accounts.rows(); ++i) {
    LedgerMismatch row;
    row.shard = std::string(accounts.value(i, 0));
    row.account = static_cast<AccountId>(ToInt64(accounts.value(i, 1)));
    row.asset = std::string(accounts.value(i, 2));
    row.available_sum = ToInt128(accounts.value(i, 3));
    row.held_sum = ToInt128(accounts.value(i, 4));
    row.available = ToInt64(accounts.value(i, 5));
    row.held = ToInt64(accounts.value(i, 6));
    out.rows += ToInt64(accounts.value(i, 7));
    ++out.accounts_checked;
    AssetReconciliation& a = assets[row.asset];
    const __int128 total = static_cast<__int128>(row.available) + row.held;
    a.balances += total;
    if (row.account == kFeeAccount) a.fees += total;
    if (row.account == kRoundingAccount) a.rounding += total;
    if (row.available_sum != row.available || row.held_sum != row.held) {
      out.mismatches.push_back(row);
    }
  }
  const PgResult transfers = connection_->Exec(kTransfersSql);
  for (int i = 0; i < transfers.rows(); ++i) {
    AssetReconciliation& a = assets[std::string(transfers.value(i, 0))];
    a.deposited = ToInt128(transfers.value(i, 1));
    a.withdrawn = ToInt128(transfers.value(i, 2));
  }
  connection_->Exec("COMMIT");
  for (auto& [name, a] : assets) {
    a.asset = name;
    const auto d = decimals.find(name);
    a.decimals = d == decimals.end() ? 0 : d->second;
    out.assets.push_back(a);
  }
  return out;
}

std::vector<BalanceAt> LedgerReports::BalancesAt(Timestamp at, std::optional<AccountId> account) {
  const std::map<std::string, int> decimals = AssetDecimals();
  const PgResult r = connection_->Exec(
      kBalancesAtSql, {std::to_string(at), account ? std::to_string(*account) : std::string()});
  std::vector<BalanceAt> out;
  for (int i = 0; i < r.rows(); ++i) {
    BalanceAt b;
    b.account = static_cast<AccountId>(ToInt64(r.value(i, 0)));
    b.asset = std::string(r.value(i, 1));
    b.available = ToInt64(r.value(i, 2));
    b.held = ToInt64(r.value(i, 3));
    const auto d = decimals.find(b.asset);
    b.decimals = d == decimals.end() ? 0 : d->second;
    out.push_back(b);
  }
  return out;
}

}  // namespace exchange::persistence
