// The exchange-cli subcommands that move funds or set fees (cash risk):
// deposit, withdraw, transfer (between shards: tools/cli/shard_transfer.h)
// and fees. Each publishes journaled commands with confirms.
//
// The main thread of exchange-cli.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <optional>
#include <string>

#include "engine/types.h"
#include "tools/cli/cli_flags.h"
#include "tools/cli/send.h"

namespace exchange::cli {

struct TransferFlags {
  std::string amqp_url = DefaultAmqpUrl();
  SendOptions options;
  AccountId account = 0;
  std::string asset;
  std::int64_t amount = 0;
  TransferId transfer = 0;
  bool json = false;
  CLI::Option* producer_id = nullptr;
};

struct ShardTransferFlags {
  std::string amqp_url = DefaultAmqpUrl();
  AccountId account = 0;
  std::string asset;
  std::int64_t amount = 0;
  TransferId transfer = 0;
  std::string from;
  std::string to;
  std::int64_t timeout_ms = 30000;
};

struct FeesFlags {
  std::string amqp_url = DefaultAmqpUrl();
  SendOptions options;
  std::string symbol;
  std::int32_t maker_ppm = 0;
  std::int32_t taker_ppm = 0;
  std::uint32_t account = 0;
  bool clear = false;
  CLI::Option* account_opt = nullptr;
  CLI::Option* producer_id = nullptr;
};

struct FundsCommands {
  TransferFlags deposit;
  TransferFlags withdraw;
  ShardTransferFlags transfer;
  FeesFlags fees;
};

void AddFundsCommands(CLI::App& app, FundsCommands& c);
// The exit status of subcommand `name` if it is one of these; else nullopt.
std::optional<int> RunFundsCommand(const std::string& name, FundsCommands& c);

}  // namespace exchange::cli
