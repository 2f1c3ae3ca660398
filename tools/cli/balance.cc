#include "tools/cli/balance.h"

#include <iomanip>

#include "base/fixed_point_text.h"
#include "bookstate/book_state_reader.h"
#include "tools/cli/cli_error.h"

namespace exchange::cli {

namespace {

struct Sum {
  __int128 available = 0;
  __int128 held = 0;
  int shards = 0;
};

std::string Amount(__int128 value, const std::map<std::string, int>& decimals,
                   const std::string& asset) {
  const auto it = decimals.find(asset);
  return FixedPoint(value, it == decimals.end() ? 0 : it->second);
}

// Per asset, the sum over its shards (128 bits: shards' int64s may add past 2^63).
std::map<std::string, Sum> Totals(const BalanceRows& rows) {
  std::map<std::string, Sum> totals;
  for (const auto& [field, b] : rows) {
    Sum& sum = totals[field.asset];
    sum.available += b.available;
    sum.held += b.held;
    ++sum.shards;
  }
  return totals;
}

void PrintRow(const std::string& asset, const std::string& shard, __int128 available, __int128 held,
              const std::map<std::string, int>& decimals, std::ostream& out) {
  out << std::left << std::setw(16) << asset << std::setw(12) << shard << std::right
      << std::setw(24) << Amount(available, decimals, asset) << std::setw(24)
      << Amount(held, decimals, asset) << std::setw(24) << Amount(available + held, decimals, asset)
      << "\n";
}

}  // namespace

void PrintBalances(AccountId account, const BalanceRows& rows,
                   const std::map<std::string, int>& decimals, std::ostream& out) {
  out << "account " << account << "\n";
  out << std::left << std::setw(16) << "asset" << std::setw(12) << "shard" << std::right
      << std::setw(24) << "available" << std::setw(24) << "held" << std::setw(24) << "total"
      << "\n";
  const std::map<std::string, Sum> totals = Totals(rows);
  for (auto it = rows.begin(); it != rows.end(); ++it) {
    const auto& [field, b] = *it;
    PrintRow(field.asset, field.shard, b.available, b.held, decimals, out);
    const auto next = std::next(it);
    const Sum& sum = totals.at(field.asset);
    if (sum.shards > 1 && (next == rows.end() || next->first.asset != field.asset)) {
      PrintRow(field.asset, "*", sum.available, sum.held, decimals, out);
    }
  }
}

nlohmann::ordered_json BalancesJson(AccountId account, const BalanceRows& rows,
                                    const std::map<std::string, int>& decimals) {
  nlohmann::ordered_json out;
  out["account"] = account;
  out["balances"] = nlohmann::ordered_json::array();
  for (const auto& [field, b] : rows) {
    nlohmann::ordered_json row;
    row["asset"] = field.asset;
    row["shard"] = field.shard;
    row["available"] = Amount(b.available, decimals, field.asset);
    row["held"] = Amount(b.held, decimals, field.asset);
    row["total"] = Amount(static_cast<__int128>(b.available) + b.held, decimals, field.asset);
    row["sequence"] = b.sequence;
    out["balances"].push_back(row);
  }
  out["totals"] = nlohmann::ordered_json::array();
  for (const auto& [asset, sum] : Totals(rows)) {
    nlohmann::ordered_json row;
    row["asset"] = asset;
    row["available"] = Amount(sum.available, decimals, asset);
    row["held"] = Amount(sum.held, decimals, asset);
    row["total"] = Amount(sum.available + sum.held, decimals, asset);
    out["totals"].push_back(row);
  }
  return out;
}

int RunBalance(redis::RedisClient& client, const BalanceOptions& options, std::ostream& out,
               std::ostream& err) {
  BalanceRows rows;
  std::map<std::string, int> decimals;
  try {
    bookstate::BookStateReader reader(client);
    rows = reader.ReadBalances(options.account);
    decimals = reader.ReadAssetDecimals();
  } catch (const bookstate::ViewError& e) {
    throw CliError(kExitFailure, e.what());
  } catch (const redis::RedisError& e) {
    throw CliError(kExitFailure, e.what());
  }
  if (rows.empty()) {
    err << "account " << options.account << " has no balances\n";
    return kExitNotFound;
  }
  if (options.json) {
    out << BalancesJson(options.account, rows, decimals).dump() << "\n";
  } else {
    PrintBalances(options.account, rows, decimals, out);
  }
  return 0;
}

}  // namespace exchange::cli
