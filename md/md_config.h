// MdConfig: everything exchange-md can be told: where it listens, how many
// threads serve requests, the Redis book-state view and the PostgreSQL
// history it reads (with the read-only role). Precedence, lowest first:
// defaults, the TOML file (--config), EXCHANGE_REDIS_URL and
// EXCHANGE_PG_READER_URL, flags. Keys: md/README.md ("Configuration").
//
// Built once on the main thread before any other thread starts; read-only
// afterwards (any thread).
#pragma once

#include <cstdint>
#include <string>

#include "orderflow/instruments_file.h"  // ConfigError

namespace exchange::md {

struct MdConfig {
  // [md]
  std::string listen = "127.0.0.1:8080";   // host:port; port 0 picks a free one
  std::uint64_t threads = 2;               // each runs its own io_context and backend connections
  std::uint64_t idle_timeout_ms = 30'000;  // a keep-alive connection idle this long is closed
  std::uint64_t gzip_min_bytes = 256;      // smaller bodies are never compressed
  // [redis]: the book-state view and the live candles
  std::string redis_url = "redis://127.0.0.1:6379";
  // [postgres]: trade history, candles and instruments, read-only role
  std::string pg_url = "postgresql://127.0.0.1:5432/exchange";
  std::string pg_schema = "public";
  // Both backends: after a failure to connect, requests are answered 503 at
  // once for this long before the next attempt.
  std::uint64_t retry_ms = 250;
  // [log]
  std::string log_level = "info";

  // Checks ranges; throws ConfigError naming the key.
  void Validate() const;
};

// Reads `path` (TOML) into `config`, leaving keys the file lacks as they
// are. Unknown sections and keys are errors.
void LoadMdConfig(const std::string& path, MdConfig* config);
void ParseMdConfig(const std::string& toml_text, const std::string& source_name, MdConfig* config);

// EXCHANGE_REDIS_URL and EXCHANGE_PG_READER_URL, when set and not empty.
void ApplyEnvironment(MdConfig* config);

// "host:port" split; throws ConfigError when it is not one.
struct ListenAddress {
  std::string host;
  std::uint16_t port = 0;
};
ListenAddress ParseListen(const std::string& listen);

}  // namespace exchange::md
