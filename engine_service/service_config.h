// ServiceConfig: everything exchange-engine can be told, and where it comes
// from. Precedence, lowest first: built-in defaults, the TOML file given by
// --config, environment variables (EXCHANGE_AMQP_URL, EXCHANGE_REDIS_URL),
// command-line flags.
// The keys, flags and defaults are listed in README.md ("Configuration") and
// by `exchange-engine --help`.
//
// Built once on the main thread before any other thread starts.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "config/config_error.h"

namespace exchange {

struct ServiceConfig {
  // [engine]
  std::string shard = "main";           // queue engine.<shard>
  std::string data_dir = "var/engine";  // journal/, snapshots/
  std::string instruments_file = "config/instruments.toml";
  std::vector<std::string> symbols;          // empty: every instrument in the file
  std::uint64_t expected_orders = 1 << 20;   // resting orders to size for
  std::uint64_t snapshot_every = 1'000'000;  // journal records between snapshots; 0: never
  std::uint64_t snapshots_kept = 2;
  std::uint64_t pipeline_slots = 4096;  // messages in flight inside the service
  bool events_after_fsync = false;      // publish events only once fsynced (else: once written)
  // [amqp]
  std::string amqp_url = "amqp://guest:guest@127.0.0.1:5672/";
  std::uint64_t prefetch = 1000;        // unacked deliveries RabbitMQ may send
  std::uint64_t publish_window = 1024;  // unconfirmed event batches
  // [redis]: the book-state view (bookstate/); "" turns that sink off
  std::string redis_url;                            // redis://user:password@host:port/db
  std::uint64_t redis_stream_max_length = 100'000;  // depth deltas kept per symbol (approximate)
  // [postgres]: the trade history, finished orders and candles
  // (persistence/); "" turns that sink off
  std::string pg_url;                        // postgresql://user:password@host:port/db
  std::string pg_schema = "public";          // where the tables live
  std::uint64_t pg_batch_rows = 50'000;      // trades and orders per transaction, at most
  std::uint64_t pg_batch_ms = 50;            // a batch waits no longer for more rows
  std::uint64_t pg_connections = 2;          // connections writing batches at once
  std::uint64_t pg_memory_rows = 1'000'000;  // rows waiting in memory; beyond: a spool file
  // [metrics]
  std::string metrics_listen = "127.0.0.1:9464";  // "" turns the endpoint off; port 0 picks one
  // [log]
  std::string log_level = "info";

  // Checks ranges and relations; throws ConfigError naming the key.
  void Validate() const;
};

// Reads `path` (TOML) into `config`, leaving keys the file lacks as they are.
// Unknown keys are errors (a typo must not silently keep a default).
void LoadConfigFile(const std::string& path, ServiceConfig* config);

// Applies the environment: EXCHANGE_AMQP_URL, EXCHANGE_REDIS_URL.
void ApplyEnvironment(ServiceConfig* config);

}  // namespace exchange
