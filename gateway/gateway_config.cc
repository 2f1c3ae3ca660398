// Reading and checking the gateway's TOML configuration.
#include "gateway/gateway_config.h"

#include <toml++/toml.h>

#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>

namespace exchange::fix {
namespace {

std::string Where(const std::string& source, const toml::node& node) {
  return source + ":" + std::to_string(node.source().begin.line);
}

void ReadString(const std::string& source, const toml::node& node, std::string* out) {
  if (!node.is_string()) throw ConfigError(Where(source, node) + ": expected a string");
  *out = node.as_string()->get();
}

void ReadCount(const std::string& source, const toml::node& node, std::uint64_t* out) {
  if (!node.is_integer() || node.as_integer()->get() < 0) {
    throw ConfigError(Where(source, node) + ": expected a non-negative integer");
  }
  *out = static_cast<std::uint64_t>(node.as_integer()->get());
}

using Reader = std::function<void(const toml::node&)>;

void ReadTable(const std::string& source, const std::string& section, const toml::table& table,
               const std::map<std::string, Reader>& keys) {
  for (const auto& [key_name, value] : table) {
    const std::string key(key_name.str());
    const auto reader = keys.find(key);
    if (reader == keys.end()) {
      throw ConfigError(Where(source, value) + ": unknown key " + section + "." + key);
    }
    reader->second(value);
  }
}

SessionConfig ReadSession(const std::string& source, const toml::table& table) {
  SessionConfig s;
  std::uint64_t account = 0, heartbeat = static_cast<std::uint64_t>(s.max_heartbeat_seconds);
  auto str = [&](std::string* f) -> Reader {
    return [&, f](const toml::node& n) { ReadString(source, n, f); };
  };
  ReadTable(
      source, "session", table,
      {{"name", str(&s.name)},
       {"client_comp_id", str(&s.client_comp_id)},
       {"gateway_comp_id", str(&s.gateway_comp_id)},
       {"password", str(&s.password)},
       {"account", [&](const toml::node& n) { ReadCount(source, n, &account); }},
       {"max_heartbeat_seconds", [&](const toml::node& n) { ReadCount(source, n, &heartbeat); }}});
  if (account == 0 || account > UINT32_MAX) {
    throw ConfigError(Where(source, table) + ": session.account must be 1..4294967295");
  }
  if (heartbeat == 0 || heartbeat > 3600) {
    throw ConfigError(Where(source, table) + ": session.max_heartbeat_seconds must be 1..3600");
  }
  s.account = static_cast<std::uint32_t>(account);
  s.max_heartbeat_seconds = static_cast<int>(heartbeat);
  return s;
}

}  // namespace

void ParseGatewayConfig(const std::string& text, const std::string& source, GatewayConfig* c) {
  toml::table root;
  try {
    root = toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    throw ConfigError(source + ":" + std::to_string(e.source().begin.line) + ": " +
                      std::string(e.description()));
  }
  auto str = [&](std::string* f) -> Reader {
    return [&, f](const toml::node& n) { ReadString(source, n, f); };
  };
  auto num = [&](std::uint64_t* f) -> Reader {
    return [&, f](const toml::node& n) { ReadCount(source, n, f); };
  };
  const std::map<std::string, std::map<std::string, Reader>> sections = {
      {"gateway",
       {{"name", str(&c->name)},
        {"listen", str(&c->listen)},
        {"data_dir", str(&c->data_dir)},
        {"instruments", str(&c->instruments_file)},
        {"producer_id", num(&c->producer_id)},
        {"logon_timeout_ms", num(&c->logon_timeout_ms)},
        {"max_messages_per_second", num(&c->max_messages_per_second)},
        {"max_output_bytes", num(&c->max_output_bytes)}}},
      {"amqp", {{"url", str(&c->amqp_url)}, {"prefetch", num(&c->prefetch)}}},
      {"log", {{"level", str(&c->log_level)}}},
  };
  for (const auto& [section_name, node] : root) {
    const std::string name(section_name.str());
    if (name == "session") {
      const toml::array* sessions = node.as_array();
      if (sessions == nullptr) {
        throw ConfigError(Where(source, node) + ": [[session]] must be an array of tables");
      }
      for (const toml::node& item : *sessions) {
        if (!item.is_table()) throw ConfigError(Where(source, item) + ": expected a table");
        c->sessions.push_back(ReadSession(source, *item.as_table()));
      }
      continue;
    }
    const auto known = sections.find(name);
    if (known == sections.end() || !node.is_table()) {
      throw ConfigError(Where(source, node) + ": unknown section [" + name + "]");
    }
    ReadTable(source, name, *node.as_table(), known->second);
  }
}

void LoadGatewayConfig(const std::string& path, GatewayConfig* c) {
  std::ifstream in(path);
  if (!in) throw ConfigError(path + ": cannot be read");
  std::stringstream text;
  text << in.rdbuf();
  ParseGatewayConfig(text.str(), path, c);
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
  if (sessions.empty()) fail("no [[session]] configured: no client could log on");
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
