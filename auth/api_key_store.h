// ApiKeyStore: the API keys in PostgreSQL (table api_keys, migration 0006),
// as `exchange-cli apikey` manages them and the trading front ends load
// them. A secret is shown once, when its key is created; the table holds it
// sealed under the master key (master_key.h).
//
// Owns one connection (the writer role for Create/Revoke/Reseal, any role
// that may read the table for List/LoadOpened); one thread.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "auth/api_key.h"
#include "auth/master_key.h"
#include "persistence/pg_connection.h"

namespace exchange::auth {

// An API key with its secret opened, as a front end holds it in memory.
struct OpenedApiKey {
  ApiKey key;
  std::string secret;
};

class ApiKeyStore {
 public:
  // Connects; the table must exist (ApplyMigrations). Throws PgError.
  explicit ApiKeyStore(const std::string& url, const std::string& schema = "public");

  // A new key for `account`; its secret (returned once) sealed under
  // `master`.
  OpenedApiKey Create(AccountId account, bool can_trade, const std::vector<IpNetwork>& ip_allow,
                      const std::string& label, const MasterKey& master);
  // Revokes `key`; false when there is no such key or it was revoked.
  bool Revoke(const std::string& key);
  // Every key (revoked ones too), of `account` when given, oldest first.
  std::vector<ApiKey> List(std::optional<AccountId> account = std::nullopt);
  // Every key not revoked, its secret opened with `master`. AuthError when a
  // secret was sealed under another master key or does not open (the
  // message names the key and the key ids).
  std::vector<OpenedApiKey> LoadOpened(const MasterKey& master);
  // Re-seals under `to` every secret sealed under `from`, in one
  // transaction; returns how many. AuthError when one does not open.
  std::size_t Reseal(const MasterKey& from, const MasterKey& to);

 private:
  std::unique_ptr<persistence::PgConnection> connection_;
};

}  // namespace exchange::auth
