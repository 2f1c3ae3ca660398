// Reading and checking the gateway's TOML configuration.
#include "gateway/gateway_config.h"
#include <map>
#include <set>

#include "config/toml_config.h"

namespace exchange::fix {
namespace {

SessionConfig ReadSession(const std::string& source, const toml::table& table) {
  SessionConfig s;
  std::uint64_t account = 0, heartbeat = static_cast<std::uint64_t>(s.max_heartbeat_seconds);
  ReadTomlTable(source, "session", table,
                {{"name", StringKey(source, &s.name)},
                 {"client_comp_id", StringKey(source, &s.client_comp_id)},
                 {"gateway_comp_id", StringKey(source, &s.gateway_comp_id)},
                 {"password", StringKey(source, &s.password)},
                 {"account", CountKey(source, &account)},
                 {"max_heartbeat_seconds", CountKey(source, &heartbeat)}});
  if (account == 0 || account > UINT32_MAX) {
    throw ConfigError(TomlWhere(source, table) + ": session.account must be 1..4294967295");
  }
  if (heartbeat == 0 || heartbeat > 3600) {
    throw ConfigError(TomlWhere(source, table) + ": session.max_heartbeat_seconds must be 1..3600");
  }
  s.account = static_cast<std::uint32_t>(account);
  s.max_heartbeat_seconds = static_cast<int>(heartbeat);
  return s;
}

}  // namespace

void ParseGatewayConfig(const std::string& text, const std::string& source, GatewayConfig* c) {
  const toml::table root = ParseToml(text, source);
  auto str = [&](std::string* f) { return StringKey(source, f); };
  auto num = [&](std::uint64_t* f) { return CountKey(source, f); };
  const std::map<std::string, TomlKeys> sections = {
      {"gateway",
       {{"name", str(&c->name)},
        {"listen", str(&c->listen)},
        {"data_dir", str(&c->data_dir)},
        {"instruments", str(&c->instruments_file)},
        {"producer_id", num(&c->producer_id)},
        {"logon_timeout_ms", num(&c->logon_timeout_ms)},
        {"max_messages_per_second", num(&c->max_messages_per_second)},
        {"max_output_bytes", num(&c->max_output_bytes)}}},
      {"amqp",
       {{"url", str(&c->amqp_url)},
        {"prefetch", num(&c->prefetch)},
        {"publish_interval_us", num(&c->publish_interval_us)}}},
      {"binance",
       {{"listen", str(&c->binance_listen)},
        {"key_file", str(&c->api_key_file)},
        {"pg_url", str(&c->api_pg_url)},
        {"pg_schema", str(&c->api_pg_schema)},
        {"redis_url", str(&c->api_redis_url)},
        {"keys_reload_ms", num(&c->api_keys_reload_ms)},
        {"orders_per_10s", num(&c->api_orders_per_10s)},
        {"orders_per_day", num(&c->api_orders_per_day)},
        {"request_weight_per_minute", num(&c->api_request_weight_per_minute)},
        {"enforce_weight", BoolKey(source, &c->api_enforce_weight)}}},
      {"log", {{"level", str(&c->log_level)}}},
  };
  for (const auto& [section_name, node] : root) {
    const std::string name(section_name.str());
    if (name == "session") {
      const toml::array* sessions = node.as_array();
      if (sessions == nullptr) {
        throw ConfigError(TomlWhere(source, node) + ": [[session]] must be an array of tables");
      }
      for (const toml::node& item : *sessions) {
        if (!item.is_table()) throw ConfigError(TomlWhere(source, item) + ": expected a table");
        c->sessions.push_back(ReadSession(source, *item.as_table()));
      }
      continue;
    }
    const auto known = sections.find(name);
    if (known == sections.end() || !node.is_table()) {
      throw ConfigError(TomlWhere(source, node) + ": unknown section [" + name + "]");
    }
    ReadTomlTable(source, name, *node.as_table(), known->second);
  }
}

void LoadGatewayConfig(const std::string& path, GatewayConfig* c) {
  ParseGatewayConfig(ReadConfigText(path), path, c);
}

void GatewayConfig::Validate() const {
  auto fail = [](const std::string& what) { throw ConfigError("gateway configuration: " + what); };
  auto printable = [](const std::string& s) {
    if (s.empty()) return false;
    for (const char ch : s)
      if (ch <= ' ' || ch > '~') return false;
    return true;
  };
  if (!printable(name)) fail("gateway.name must be printable ASCII without spaces");
  if (listen.find(':') == std::string::npos) fail("gateway.listen must be host:port");
  if (data_dir.empty()) fail("gateway.data_dir is empty");
  if (logon_timeout_ms == 0) fail("gateway.logon_timeout_ms must be at least 1");
  if (max_messages_per_second == 0) fail("gateway.max_messages_per_second must be at least 1");
  if (max_output_bytes < 65536) fail("gateway.max_output_bytes must be at least 65536");
  if (prefetch == 0 || prefetch > 65535) fail("amqp.prefetch must be 1..65535");
  if (publish_interval_us > 100'000) fail("amqp.publish_interval_us must be 0..100000");
  if (sessions.empty() && binance_listen.empty()) {
    fail("no [[session]] configured and no [binance] listen: no client could trade");
  }
  if (!binance_listen.empty()) {
    if (binance_listen.find(':') == std::string::npos) fail("binance.listen must be host:port");
    if (api_key_file.empty()) {
      fail("binance.key_file (or EXCHANGE_API_KEY_FILE) is needed to open the API keys' secrets");
    }
    if (api_pg_url.empty())
      fail("binance.pg_url (or EXCHANGE_PG_URL) is needed to read the API keys");
    if (api_keys_reload_ms < 100) fail("binance.keys_reload_ms must be at least 100");
  }
  std::set<std::string> names;
  std::set<std::pair<std::string, std::string>> comp_ids;
  for (const SessionConfig& s : sessions) {
    if (!printable(s.name)) fail("a session's name is empty or not printable");
    if (!printable(s.client_comp_id) || !printable(s.gateway_comp_id)) {
      fail("session " + s.name + ": client_comp_id and gateway_comp_id are required");
    }
    if (s.password.empty()) fail("session " + s.name + ": password is empty");
    if (!names.insert(s.name).second) fail("two sessions are named " + s.name);
    if (!comp_ids.insert({s.client_comp_id, s.gateway_comp_id}).second) {
      fail("two sessions share CompIDs " + s.client_comp_id + " -> " + s.gateway_comp_id);
    }
  }
}

std::uint64_t GatewayConfig::EffectiveProducerId() const {
  if (producer_id != 0) return producer_id;
  // FNV-1a of the name, with the top bit set so it never meets the small
  // numbers tools are given by hand.
  std::uint64_t h = 1469598103934665603ull;
  for (const char ch : name) {
    h ^= static_cast<unsigned char>(ch);
    h *= 1099511628211ull;
  }
  return h | (1ull << 63);
}

}  // namespace exchange::fix
