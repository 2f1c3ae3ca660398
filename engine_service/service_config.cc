#include "engine_service/service_config.h"

#include <cstdlib>
#include <map>
#include <set>

#include "config/toml_config.h"

namespace exchange {

void LoadConfigFile(const std::string& path, ServiceConfig* c) {
  const toml::table root = ParseToml(ReadConfigText(path), path);
  auto str = [&](std::string* f) { return StringKey(path, f); };
  auto num = [&](std::uint64_t* f) { return CountKey(path, f); };
  const std::map<std::string, TomlKeys> keys = {
      {"engine",
       {{"shard", str(&c->shard)},
        {"data_dir", str(&c->data_dir)},
        {"instruments", str(&c->instruments_file)},
        {"symbols", StringsKey(path, &c->symbols)},
        {"expected_orders", num(&c->expected_orders)},
        {"snapshot_every", num(&c->snapshot_every)},
        {"snapshots_kept", num(&c->snapshots_kept)},
        {"pipeline_slots", num(&c->pipeline_slots)},
        {"events_after_fsync", BoolKey(path, &c->events_after_fsync)}}},
      {"amqp",
       {{"url", str(&c->amqp_url)},
        {"prefetch", num(&c->prefetch)},
        {"publish_window", num(&c->publish_window)}}},
      {"redis",
       {{"url", str(&c->redis_url)}, {"stream_max_length", num(&c->redis_stream_max_length)}}},
      {"postgres",
       {{"url", str(&c->pg_url)},
        {"schema", str(&c->pg_schema)},
        {"batch_rows", num(&c->pg_batch_rows)},
        {"batch_ms", num(&c->pg_batch_ms)},
        {"connections", num(&c->pg_connections)},
        {"memory_rows", num(&c->pg_memory_rows)}}},
      {"metrics", {{"listen", str(&c->metrics_listen)}}},
      {"log", {{"level", str(&c->log_level)}}},
  };
  ReadTomlSections(path, root, keys);
}

void ApplyEnvironment(ServiceConfig* c) {
  if (const char* url = std::getenv("EXCHANGE_AMQP_URL"); url && *url) c->amqp_url = url;
  if (const char* url = std::getenv("EXCHANGE_REDIS_URL"); url && *url) c->redis_url = url;
  if (const char* url = std::getenv("EXCHANGE_PG_URL"); url && *url) c->pg_url = url;
}

void ServiceConfig::Validate() const {
  auto fail = [](const std::string& what) { throw ConfigError("configuration: " + what); };
  if (shard.empty()) fail("engine.shard is empty");
  for (char ch : shard) {
    if (ch <= ' ' || ch > '~' || ch == '@') {
      fail("engine.shard holds '@' or a character outside '!'..'~'");
    }
  }
  if (data_dir.empty()) fail("engine.data_dir is empty");
  if (prefetch == 0 || prefetch > 65535) fail("amqp.prefetch must be 1..65535");
  if (pipeline_slots < 16) fail("engine.pipeline_slots must be at least 16");
  if (pipeline_slots < prefetch + 8) {
    fail("engine.pipeline_slots (" + std::to_string(pipeline_slots) +
         ") must exceed amqp.prefetch (" + std::to_string(prefetch) + ") by at least 8");
  }
  if (publish_window == 0 || publish_window > pipeline_slots) {
    fail("amqp.publish_window must be 1..engine.pipeline_slots");
  }
  if (redis_stream_max_length == 0) fail("redis.stream_max_length must be at least 1");
  if (pg_schema.empty()) fail("postgres.schema is empty");
  if (pg_batch_rows == 0) fail("postgres.batch_rows must be at least 1");
  if (pg_batch_ms == 0 || pg_batch_ms > 60'000) fail("postgres.batch_ms must be 1..60000");
  if (pg_connections == 0 || pg_connections > 16) fail("postgres.connections must be 1..16");
  if (pg_memory_rows < pg_batch_rows)
    fail("postgres.memory_rows must be at least postgres.batch_rows");
  if (snapshots_kept == 0) fail("engine.snapshots_kept must be at least 1");
  if (expected_orders == 0) fail("engine.expected_orders must be at least 1");
  static const std::set<std::string> levels = {"trace", "debug", "info", "warn", "error", "off"};
  if (!levels.contains(log_level)) fail("log.level must be one of trace debug info warn error off");
  std::set<std::string> seen;
  for (const auto& s : symbols) {
    if (!seen.insert(s).second) fail("engine.symbols lists " + s + " twice");
  }
}

}  // namespace exchange
