// `exchange-cli apikey`: the API keys of the trading front ends (auth/):
// create-master-key, create, list, revoke, reseal. Secrets are printed once,
// at creation, and kept in PostgreSQL only sealed under the master key file
// (auth/master_key.h says how to rotate it).
//
// The main thread of exchange-cli.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>

#include "engine/types.h"

namespace exchange::cli {

struct ApiKeyFlags {
  std::string pg_url;  // default: $EXCHANGE_PG_URL (the writer role)
  std::string pg_schema = "public";
  std::string key_file;  // default: $EXCHANGE_API_KEY_FILE
  std::string new_key_file;
  AccountId account = 0;
  bool trade = false;
  std::string ip_allow;
  std::string label;
  std::string key;
  bool json = false;
  CLI::Option* account_opt = nullptr;
};

struct ApiKeyCommand {
  ApiKeyFlags flags;
  CLI::App* create_master_key = nullptr;
  CLI::App* create = nullptr;
  CLI::App* list = nullptr;
  CLI::App* revoke = nullptr;
  CLI::App* reseal = nullptr;
};

void AddApiKeyCommand(CLI::App& app, ApiKeyCommand& c);
// The exit status when `apikey` was the subcommand; else nullopt.
std::optional<int> RunApiKeyCommand(const CLI::App& app, ApiKeyCommand& c);

}  // namespace exchange::cli
