#include "tools/cli/balance.h"

#include <iomanip>

#include "base/fixed_point_text.h"
#include "bookstate/book_state_reader.h"
#include "tools/cli/cli_error.h"

namespace exchange::cli {

namespace {

std::string Amount(__int128 value, const std::map<std::string, int>& decimals,
                   const std::string& asset) {
  const auto it = decimals.find(asset);
  return FixedPoint(value, it == decimals.end() ? 0 : it->second);
}

}  // namespace

void PrintBalances(AccountId account, const std::map<std::string, bookstate::AccountBalance>& rows,
                   const std::map<std::string, int>& decimals, std::ostream& out) {
  out << "account " << account << "\n";
  out << std::left << std::setw(16) << "asset" << std::right << std::setw(24) << "available"
      << std::setw(24) << "held" << std::setw(24) << "total"
      << "\n";
  for (const auto& [asset, b] : rows) {
    out << std::left << std::setw(16) << asset << std::right << std::setw(24)
        << Amount(b.available, decimals, asset) << std::setw(24) << Amount(b.held, decimals, asset)
        << std::setw(24) << Amount(static_cast<__int128>(b.available) + b.held, decimals, asset)
        << "\n";
  }
}

nlohmann::ordered_json BalancesJson(AccountId account,
                                    const std::map<std::string, bookstate::AccountBalance>& rows,
                                    const std::map<std::string, int>& decimals) {
  nlohmann::ordered_json out;
  out["account"] = account;
  out["balances"] = nlohmann::ordered_json::array();
  for (const auto& [asset, b] : rows) {
    nlohmann::ordered_json row;
    row["asset"] = asset;
    row["available"] = Amount(b.available, decimals, asset);
    row["held"] = Amount(b.held, decimals, asset);
    row["total"] = Amount(static_cast<__int128>(b.available) + b.held, decimals, asset);
    row["sequence"] = b.sequence;
    out["balances"].push_back(row);
  }
  return out;
}

int RunBalance(redis::RedisClient& client, const BalanceOptions& options, std::ostream& out,
               std::ostream& err) {
  std::map<std::string, bookstate::AccountBalance> rows;
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
