// MdConfig: everything exchange-md can be told: where it listens, how many
// threads serve requests, the Redis book-state view and the PostgreSQL
// history it reads (with the read-only role), where the chart page's files
// are. Precedence, lowest first: defaults, the TOML file (--config),
// EXCHANGE_REDIS_URL and EXCHANGE_PG_READER_URL, flags. Keys: md/README.md
// ("Configuration").
//
// Built once on the main thread before any other thread starts; read-only
// afterwards (any thread).
#pragma once

#include <cstdint>
#include <string>

#include "config/config_error.h"

namespace exchange::md {

// The build's md-web/ directory (EXCHANGE_MD_WEB_ROOT when exchange_md was
// compiled), or "" when unknown.
std::string DefaultWebRoot();

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
  // [md] web_root: the chart page's files (static_site.h), served at `/`;
  // "" = no page. Default: the md-web/ directory of the build that made
  // the binary (md/CMakeLists.txt).
  std::string web_root = DefaultWebRoot();
  // [md] the klines cache (klines_cache.h): candles kept per serving thread
  // (0: none), and when it reads the history's version again: "on-notify"
  // (after a commit was announced; no query per request) or
  // "every-request" (one single-row query per request; exact).
  std::uint64_t klines_cache_rows = 50'000;
  std::string klines_freshness = "on-notify";
  // [md] Binance's request weight per client IP per minute: counted and
  // shown on every Binance-style response (X-MBX-USED-WEIGHT-1M) and in
  // exchangeInfo; past it a 429 (-1003) when enforced.
  std::uint64_t request_weight_per_minute = 6000;
  bool enforce_request_weight = false;
  // [ws] WebSocket streams (market_feed.h, ws_session.h): the feed reads
  // Redis at most once per batch_ms (a busy market goes out in fewer,
  // larger writes); a client with more than max_pending_bytes waiting is
  // dropped; send_buffer_bytes is each connection's SO_SNDBUF (0: kernel).
  std::uint64_t ws_batch_ms = 2;
  std::uint64_t ws_max_pending_bytes = 4 << 20;
  std::uint64_t ws_send_buffer_bytes = 0;
  // [ws] Binance's rules: the server pings each client every
  // ping_interval_ms (0: no pings) and closes one that has not answered a
  // ping within pong_timeout_ms; more than max_messages_per_second client
  // messages (0: no limit) close the connection, and so does its age
  // reaching max_lifetime_ms (0: none).
  std::uint64_t ws_ping_interval_ms = 20'000;
  std::uint64_t ws_pong_timeout_ms = 60'000;
  std::uint64_t ws_max_messages_per_second = 5;
  std::uint64_t ws_max_lifetime_ms = 24 * 3600 * 1000;
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
