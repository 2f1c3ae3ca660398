#include "tools/cli/apikey_commands.h"

#include <iostream>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "auth/api_key_store.h"
#include "persistence/migration.h"
#include "tools/cli/cli_error.h"

namespace exchange::cli {
namespace {

std::string EnvOr(const char* name, const std::string& given) {
  if (!given.empty()) return given;
  const char* v = std::getenv(name);
  return v ? v : "";
}

std::string PgUrl(const ApiKeyFlags& f) {
  const std::string url = EnvOr("EXCHANGE_PG_URL", f.pg_url);
  if (url.empty())
    throw CliError(kExitBadInput, "no PostgreSQL URL: give --pg-url or set EXCHANGE_PG_URL");
  return url;
}

std::string KeyFile(const std::string& given) {
  const std::string path = EnvOr("EXCHANGE_API_KEY_FILE", given);
  if (path.empty()) {
    throw CliError(kExitBadInput,
                   "no master key file: give --key-file or set EXCHANGE_API_KEY_FILE");
  }
  return path;
}

auth::MasterKey LoadKey(const std::string& path) {
  try {
    return auth::MasterKey::Load(path);
  } catch (const auth::AuthError& e) {
    throw CliError(kExitBadInput, e.what());
  }
}

// The store, with the schema brought up to date (the table may be new).
auth::ApiKeyStore OpenStore(const ApiKeyFlags& f) {
  const std::string url = PgUrl(f);
  pqxx::connection c(url);
  persistence::ApplyMigrations(c, persistence::kEmbeddedMigrations, f.pg_schema);
  return auth::ApiKeyStore(url, f.pg_schema);
}

nlohmann::json KeyJson(const auth::ApiKey& k) {
  return {{"apiKey", k.key},         {"account", k.account},
          {"canTrade", k.can_trade}, {"ipAllow", auth::IpAllowListText(k.ip_allow)},
          {"label", k.label},        {"createdMs", k.created_ms},
          {"revoked", k.revoked}};
}

int RunCreate(const ApiKeyFlags& f) {
  std::string error;
  const auto ips = auth::ParseIpAllowList(f.ip_allow, error);
  if (!ips) throw CliError(kExitBadInput, "--ip: " + error);
  const auth::MasterKey master = LoadKey(KeyFile(f.key_file));
  auth::ApiKeyStore store = OpenStore(f);
  const auth::OpenedApiKey made = store.Create(f.account, f.trade, *ips, f.label, master);
  nlohmann::json j = KeyJson(made.key);
  j["secretKey"] = made.secret;
  if (f.json) {
    std::cout << j.dump() << std::endl;
  } else {
    std::cout << "api key     " << made.key.key << "\nsecret key  " << made.secret
              << "\naccount     " << f.account << (f.trade ? ", may trade" : ", read only")
              << (ips->empty() ? ", from any address" : ", from " + auth::IpAllowListText(*ips))
              << "\nThe secret is shown only now: keep it." << std::endl;
  }
  return 0;
}

int RunList(ApiKeyFlags& f) {
  auth::ApiKeyStore store = OpenStore(f);
  const auto keys = store.List(f.account_opt->count() ? std::optional(f.account) : std::nullopt);
  if (f.json) {
    nlohmann::json all = nlohmann::json::array();
    for (const auth::ApiKey& k : keys)
      all.push_back(KeyJson(k));
    std::cout << all.dump() << std::endl;
    return 0;
  }
  for (const auth::ApiKey& k : keys) {
    std::cout << k.key << "  account " << k.account << (k.can_trade ? "  trade" : "  read")
              << (k.revoked ? "  REVOKED" : "") << "  ip "
              << (k.ip_allow.empty() ? "any" : auth::IpAllowListText(k.ip_allow))
              << (k.label.empty() ? "" : "  " + k.label) << "\n";
  }
  std::cout << keys.size() << " keys" << std::endl;
  return 0;
}

int RunRevoke(const ApiKeyFlags& f) {
  auth::ApiKeyStore store = OpenStore(f);
  if (!store.Revoke(f.key)) {
    throw CliError(kExitNotFound, "no such key, or it was revoked already: " + f.key);
  }
  std::cout << "revoked " << f.key << std::endl;
  return 0;
}

int RunReseal(const ApiKeyFlags& f) {
  const auth::MasterKey from = LoadKey(KeyFile(f.key_file));
  const auth::MasterKey to = LoadKey(f.new_key_file);
  auth::ApiKeyStore store = OpenStore(f);
  try {
    const std::size_t n = store.Reseal(from, to);
    std::cout << "resealed " << n << " secrets from master key " << from.id() << " to " << to.id()
              << std::endl;
  } catch (const auth::AuthError& e) {
    throw CliError(kExitFailure, std::string(e.what()) + " (nothing was changed)");
  }
  return 0;
}

void AddStoreFlags(CLI::App& sub, ApiKeyFlags& f) {
  sub.add_option("--pg-url", f.pg_url,
                 "PostgreSQL URL, the writer role (default: $EXCHANGE_PG_URL)");
  sub.add_option("--pg-schema", f.pg_schema, "Schema of the tables")->capture_default_str();
}

}  // namespace

void AddApiKeyCommand(CLI::App& app, ApiKeyCommand& c) {
  ApiKeyFlags& f = c.flags;
  CLI::App* apikey = app.add_subcommand(
      "apikey",
      "API keys of the Binance-compatible trading front end: secrets sealed in PostgreSQL under "
      "a master key file (mode 0600). Exit 2 for bad input, 4 for an unknown key.");
  apikey->require_subcommand(1);
  c.create_master_key = apikey->add_subcommand(
      "create-master-key", "Write a new random master key file (never overwrites one)");
  c.create_master_key->add_option("--key-file", f.key_file, "The file to write")->required();
  c.create = apikey->add_subcommand(
      "create", "A new key of --account; prints the key and its secret (shown only now)");
  c.create->add_option("--account", f.account, "Account the key acts for")->required();
  c.create->add_flag("--trade", f.trade, "May place and cancel orders (default: read only)");
  c.create->add_option("--ip", f.ip_allow,
                       "Allowed addresses or networks, comma-separated (default: any)");
  c.create->add_option("--label", f.label, "A note for people");
  c.list = apikey->add_subcommand("list", "Every key (never secrets); --account: its keys only");
  f.account_opt = c.list->add_option("--account", f.account, "Only this account's keys");
  c.revoke = apikey->add_subcommand("revoke", "Revoke a key at once; it is never valid again");
  c.revoke->add_option("key", f.key, "The API key")->required();
  c.reseal = apikey->add_subcommand(
      "reseal", "Rotate the master key: re-seal every secret under --new-key-file, at once");
  c.reseal->add_option("--new-key-file", f.new_key_file, "The new master key file")->required();
  for (CLI::App* sub : {c.create, c.reseal}) {
    sub->add_option("--key-file", f.key_file, "Master key file (default: $EXCHANGE_API_KEY_FILE)");
  }
  for (CLI::App* sub : {c.create, c.list, c.revoke, c.reseal})
    AddStoreFlags(*sub, f);
  for (CLI::App* sub : {c.create, c.list})
    sub->add_flag("--json", f.json, "One JSON document");
}

std::optional<int> RunApiKeyCommand(const CLI::App& app, ApiKeyCommand& c) {
  if (!app.got_subcommand("apikey")) return std::nullopt;
  ApiKeyFlags& f = c.flags;
  if (c.create_master_key->parsed()) {
    try {
      const auth::MasterKey key = auth::MasterKey::Create(f.key_file);
      std::cout << "wrote master key " << key.id() << " to " << f.key_file << std::endl;
      return 0;
    } catch (const auth::AuthError& e) {
      throw CliError(kExitBadInput, e.what());
    }
  }
  if (c.create->parsed()) return RunCreate(f);
  if (c.list->parsed()) return RunList(f);
  if (c.revoke->parsed()) return RunRevoke(f);
  return RunReseal(f);
}

}  // namespace exchange::cli
