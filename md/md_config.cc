// Reading and checking exchange-md's TOML configuration.
#include "md/md_config.h"

#include <toml++/toml.h>

#include <charconv>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>

namespace exchange::md {
namespace {

std::string Where(const std::string& source, const toml::node& node) {
  return source + ":" + std::to_string(node.source().begin.line);
}

using Reader = std::function<void(const toml::node&)>;

Reader StringKey(const std::string& source, std::string* out) {
  return [&source, out](const toml::node& node) {
    if (!node.is_string()) throw ConfigError(Where(source, node) + ": expected a string");
    *out = node.as_string()->get();
  };
}

Reader CountKey(const std::string& source, std::uint64_t* out) {
  return [&source, out](const toml::node& node) {
    if (!node.is_integer() || node.as_integer()->get() < 0) {
      throw ConfigError(Where(source, node) + ": expected a non-negative integer");
    }
    *out = static_cast<std::uint64_t>(node.as_integer()->get());
  };
}

void ReadTable(const std::string& source, const std::string& section, const toml::table& table,
               const std::map<std::string, Reader>& keys) {
  for (const auto& [key_name, value] : table) {
    const std::string key(key_name.str());
    const auto reader = keys.find(key);
    if (reader == keys.end()) {
      std::string message = Where(source, value);
      message += ": unknown key ";
      message += section;
      message += ".";
      message += key;
      throw ConfigError(message);
    }
    reader->second(value);
  }
}

}  // namespace

void ParseMdConfig(const std::string& text, const std::string& source, MdConfig* c) {
  toml::table root;
  try {
    root = toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    throw ConfigError(source + ":" + std::to_string(e.source().begin.line) + ": " +
                      std::string(e.description()));
  }
  const std::map<std::string, std::map<std::string, Reader>> sections = {
      {"md",
       {{"listen", StringKey(source, &c->listen)},
        {"threads", CountKey(source, &c->threads)},
        {"idle_timeout_ms", CountKey(source, &c->idle_timeout_ms)},
        {"gzip_min_bytes", CountKey(source, &c->gzip_min_bytes)},
        {"retry_ms", CountKey(source, &c->retry_ms)}}},
      {"redis", {{"url", StringKey(source, &c->redis_url)}}},
      {"postgres",
       {{"url", StringKey(source, &c->pg_url)}, {"schema", StringKey(source, &c->pg_schema)}}},
      {"log", {{"level", StringKey(source, &c->log_level)}}},
  };
  for (const auto& [section_name, node] : root) {
    const std::string name(section_name.str());
    const auto known = sections.find(name);
    if (known == sections.end() || !node.is_table()) {
      throw ConfigError(Where(source, node) + ": unknown section [" + name + "]");
    }
    ReadTable(source, name, *node.as_table(), known->second);
  }
}

void LoadMdConfig(const std::string& path, MdConfig* config) {
  std::ifstream in(path);
  if (!in) throw ConfigError(path + ": cannot be read");
  std::stringstream text;
  text << in.rdbuf();
  ParseMdConfig(text.str(), path, config);
}

void ApplyEnvironment(MdConfig* config) {
  if (const char* url = std::getenv("EXCHANGE_REDIS_URL"); url && *url) config->redis_url = url;
  if (const char* url = std::getenv("EXCHANGE_PG_READER_URL"); url && *url) config->pg_url = url;
}

ListenAddress ParseListen(const std::string& listen) {
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    throw ConfigError("md.listen must be host:port, not '" + listen + "'");
  }
  ListenAddress address;
  address.host = listen.substr(0, colon);
  if (address.host.size() > 2 && address.host.front() == '[' && address.host.back() == ']') {
    address.host = address.host.substr(1, address.host.size() - 2);
  }
  const std::string port = listen.substr(colon + 1);
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (ec != std::errc() || end != port.data() + port.size() || port.empty() || value > 65535) {
    throw ConfigError("md.listen: bad port in '" + listen + "'");
  }
  address.port = static_cast<std::uint16_t>(value);
  return address;
}

void MdConfig::Validate() const {
  auto fail = [](const std::string& what) { throw ConfigError("md configuration: " + what); };
  ParseListen(listen);
  if (threads == 0 || threads > 256) fail("md.threads must be 1..256");
  if (idle_timeout_ms == 0) fail("md.idle_timeout_ms must be at least 1");
  if (retry_ms > 60'000) fail("md.retry_ms must be at most 60000");
  if (redis_url.empty()) fail("redis.url is empty");
  if (pg_url.empty()) fail("postgres.url is empty");
  if (pg_schema.empty()) fail("postgres.schema is empty");
}

}  // namespace exchange::md
