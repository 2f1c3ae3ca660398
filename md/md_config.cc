// Reading and checking exchange-md's TOML configuration.
#include "md/md_config.h"

#include <charconv>
#include <cstdlib>
#include <map>

#include "config/toml_config.h"
#include "md/history/klines_cache.h"  // ParseKlinesFreshness

// md/CMakeLists.txt defines it as the build's md-web/ directory.
#ifndef EXCHANGE_MD_WEB_ROOT
#define EXCHANGE_MD_WEB_ROOT ""
#endif

namespace exchange::md {

std::string DefaultWebRoot() {
  return EXCHANGE_MD_WEB_ROOT;
}

void ParseMdConfig(const std::string& text, const std::string& source, MdConfig* c) {
  const toml::table root = ParseToml(text, source);
  const std::map<std::string, TomlKeys> sections = {
      {"md",
       {{"listen", StringKey(source, &c->listen)},
        {"threads", CountKey(source, &c->threads)},
        {"idle_timeout_ms", CountKey(source, &c->idle_timeout_ms)},
        {"gzip_min_bytes", CountKey(source, &c->gzip_min_bytes)},
        {"retry_ms", CountKey(source, &c->retry_ms)},
        {"web_root", StringKey(source, &c->web_root)},
        {"klines_cache_rows", CountKey(source, &c->klines_cache_rows)},
        {"klines_freshness", StringKey(source, &c->klines_freshness)},
        {"request_weight_per_minute", CountKey(source, &c->request_weight_per_minute)},
        {"enforce_request_weight", BoolKey(source, &c->enforce_request_weight)}}},
      {"ws",
       {{"batch_ms", CountKey(source, &c->ws_batch_ms)},
        {"max_pending_bytes", CountKey(source, &c->ws_max_pending_bytes)},
        {"send_buffer_bytes", CountKey(source, &c->ws_send_buffer_bytes)},
        {"ping_interval_ms", CountKey(source, &c->ws_ping_interval_ms)},
        {"pong_timeout_ms", CountKey(source, &c->ws_pong_timeout_ms)},
        {"max_messages_per_second", CountKey(source, &c->ws_max_messages_per_second)},
        {"max_lifetime_ms", CountKey(source, &c->ws_max_lifetime_ms)}}},
      {"redis", {{"url", StringKey(source, &c->redis_url)}}},
      {"postgres",
       {{"url", StringKey(source, &c->pg_url)}, {"schema", StringKey(source, &c->pg_schema)}}},
      {"log", {{"level", StringKey(source, &c->log_level)}}},
  };
  ReadTomlSections(source, root, sections);
}

void LoadMdConfig(const std::string& path, MdConfig* config) {
  ParseMdConfig(ReadConfigText(path), path, config);
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
  if (!ParseKlinesFreshness(klines_freshness)) {
    fail("md.klines_freshness must be \"on-notify\" or \"every-request\", not \"" +
         klines_freshness + "\"");
  }
  if (request_weight_per_minute == 0 || request_weight_per_minute > 1'000'000'000) {
    fail("md.request_weight_per_minute must be 1..1000000000");
  }
  if (ws_batch_ms > 1000) fail("ws.batch_ms must be at most 1000");
  if (ws_max_pending_bytes < 4096) fail("ws.max_pending_bytes must be at least 4096");
  if (ws_ping_interval_ms > 0 && ws_pong_timeout_ms == 0) {
    fail("ws.pong_timeout_ms must be at least 1 while the server pings");
  }
  if (redis_url.empty()) fail("redis.url is empty");
  if (pg_url.empty()) fail("postgres.url is empty");
  if (pg_schema.empty()) fail("postgres.schema is empty");
}

}  // namespace exchange::md
