// `exchange-cli balance`: one account's balances as the Redis book-state
// view has them (bookstate/balance_view.h, README "Book state in Redis"),
// in each asset's decimals, as text or JSON.
//
// Plain functions: any thread, each call touching only its arguments.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>

#include "bookstate/balance_view.h"
#include "bookstate/redis_client.h"
#include "bookstate/view_keys.h"

namespace exchange::cli {

struct BalanceOptions {
  AccountId account = 0;
  bool json = false;
};

using BalanceRows = std::map<bookstate::BalanceField, bookstate::AccountBalance>;

// "ASSET  SHARD  available  held  total" rows, amounts in the asset's
// decimals (raw units when the decimals are unknown); an asset held on
// several shards gets a row of its sum, shard "*".
void PrintBalances(AccountId account, const BalanceRows& rows,
                   const std::map<std::string, int>& decimals, std::ostream& out);
// {"account", "balances": [{"asset","shard","available","held","total",
// "sequence"}], "totals": [{"asset","available","held","total"}]} (totals:
// over the shards), amounts as decimal strings.
nlohmann::ordered_json BalancesJson(AccountId account, const BalanceRows& rows,
                                    const std::map<std::string, int>& decimals);

// Reads and prints the account's balances; 0, or kExitNotFound (after
// saying so on `err`) when the account has none. Throws CliError
// (kExitFailure) when Redis fails or a value is malformed.
int RunBalance(redis::RedisClient& client, const BalanceOptions& options, std::ostream& out,
               std::ostream& err);

}  // namespace exchange::cli
