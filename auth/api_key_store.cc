#include "auth/api_key_store.h"

#include <sodium.h>

#include "persistence/copy_text.h"

namespace exchange::auth {

namespace {

constexpr char kColumns[] =
    "SELECT api_key, account, can_trade, ip_allow, label,"
    " (extract(epoch FROM created_at) * 1000)::bigint, revoked_at IS NOT NULL,"
    " master_key_id, sealed_secret FROM api_keys";

std::string ByteaParam(std::string_view bytes) {
  std::string hex(2 * bytes.size() + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                 bytes.size());
  hex.pop_back();
  return "\\x" + hex;
}

std::string FromBytea(std::string_view text) {  // "\x..." (bytea_output hex)
  if (text.substr(0, 2) != "\\x") throw AuthError("api_keys.sealed_secret: not hex bytea");
  text.remove_prefix(2);
  std::string out(text.size() / 2, '\0');
  std::size_t n = 0;
  if (sodium_hex2bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                     text.size(), nullptr, &n, nullptr) != 0) {
    throw AuthError("api_keys.sealed_secret: malformed hex");
  }
  out.resize(n);
  return out;
}

ApiKey KeyOf(const persistence::PgResult& r, int row) {
  ApiKey k;
  k.key = std::string(r.value(row, 0));
  k.account = static_cast<AccountId>(std::stoll(std::string(r.value(row, 1))));
  k.can_trade = r.value(row, 2) == "t";
  std::string error;
  const auto networks = ParseIpAllowList(r.value(row, 3), error);
  if (!networks) throw AuthError("api key " + k.key.substr(0, 8) + "…: ip_allow: " + error);
  k.ip_allow = *networks;
  k.label = std::string(r.value(row, 4));
  k.created_ms = std::stoll(std::string(r.value(row, 5)));
  k.revoked = r.value(row, 6) == "t";
  return k;
}

// `sealed` opened with `master`, or AuthError naming the key.
std::string OpenSecret(const persistence::PgResult& r, int row, const MasterKey& master) {
  const std::string key(r.value(row, 0));
  const std::string_view sealed_by = r.value(row, 7);
  if (sealed_by != master.id()) {
    throw AuthError("api key " + key.substr(0, 8) + "… was sealed under master key " +
                    std::string(sealed_by) + ", but the key file given is " + master.id() +
                    " (wrong key file, or run `exchange-cli apikey reseal`)");
  }
  auto secret = master.Open(FromBytea(r.value(row, 8)));
  if (!secret) {
    throw AuthError("api key " + key.substr(0, 8) + "…: its sealed secret does not open: altered");
  }
  return std::move(*secret);
}

}  // namespace

ApiKeyStore::ApiKeyStore(const std::string& url, const std::string& schema)
    : connection_(std::make_unique<persistence::PgConnection>(url)) {
  connection_->Exec("SET search_path TO " + persistence::QuoteIdentifier(schema));
}

OpenedApiKey ApiKeyStore::Create(AccountId account, bool can_trade,
                                 const std::vector<IpNetwork>& ip_allow, const std::string& label,
                                 const MasterKey& master) {
  OpenedApiKey made;
  made.key.key = NewApiKeyText();
  made.secret = NewApiKeyText();
  const persistence::PgResult r = connection_->Exec(
      "INSERT INTO api_keys (api_key, account, can_trade, ip_allow, label, master_key_id,"
      " sealed_secret) VALUES ($1, $2, $3, $4, $5, $6, $7::bytea)"
      " RETURNING (extract(epoch FROM created_at) * 1000)::bigint",
      {made.key.key, std::to_string(account), can_trade ? "t" : "f", IpAllowListText(ip_allow),
       label, master.id(), ByteaParam(master.Seal(made.secret))});
  made.key.account = account;
  made.key.can_trade = can_trade;
  made.key.ip_allow = ip_allow;
  made.key.label = label;
  made.key.created_ms = std::stoll(std::string(r.value(0, 0)));
  return made;
}

bool ApiKeyStore::Revoke(const std::string& key) {
  const persistence::PgResult r = connection_->Exec(
      "UPDATE api_keys SET revoked_at = now() WHERE api_key = $1 AND revoked_at IS NULL"
      " RETURNING api_key",
      {key});
  return r.rows() == 1;
}

std::vector<ApiKey> ApiKeyStore::List(std::optional<AccountId> account) {
  const std::string order = " ORDER BY created_at, api_key";
  const persistence::PgResult r =
      account ? connection_->Exec(std::string(kColumns) + " WHERE account = $1" + order,
                                  {std::to_string(*account)})
              : connection_->Exec(std::string(kColumns) + order);
  std::vector<ApiKey> out;
  for (int i = 0; i < r.rows(); ++i)
    out.push_back(KeyOf(r, i));
  return out;
}

std::vector<OpenedApiKey> ApiKeyStore::LoadOpened(const MasterKey& master) {
  const persistence::PgResult r =
      connection_->Exec(std::string(kColumns) + " WHERE revoked_at IS NULL ORDER BY api_key");
  std::vector<OpenedApiKey> out;
  for (int i = 0; i < r.rows(); ++i)
    out.push_back(OpenedApiKey{KeyOf(r, i), OpenSecret(r, i, master)});
  return out;
}

std::size_t ApiKeyStore::Reseal(const MasterKey& from, const MasterKey& to) {
  connection_->Exec("BEGIN");
  try {
    const persistence::PgResult r = connection_->Exec(
        std::string(kColumns) + " WHERE master_key_id = $1 FOR UPDATE", {from.id()});
    for (int i = 0; i < r.rows(); ++i) {
      const std::string secret = OpenSecret(r, i, from);
      connection_->Exec(
          "UPDATE api_keys SET master_key_id = $2, sealed_secret = $3::bytea WHERE api_key = $1",
          {std::string(r.value(i, 0)), to.id(), ByteaParam(to.Seal(secret))});
    }
    connection_->Exec("COMMIT");
    return static_cast<std::size_t>(r.rows());
  } catch (...) {
    if (connection_->ok()) connection_->Exec("ROLLBACK");
    throw;
  }
}

}  // namespace exchange::auth
