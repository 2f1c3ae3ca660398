// GatewayConfig: everything exchange-gateway can be told: where it listens,
// where it keeps its session stores, the instruments file (for decimal
// prices), RabbitMQ, and the FIX sessions it accepts (CompIDs, password,
// account), and the Binance-compatible API. Precedence, lowest first: defaults, the TOML file
// (--config), EXCHANGE_AMQP_URL, flags. Keys: README.md ("FIX gateway").
//
// Built once on the main thread before any other thread starts.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "config/config_error.h"
#include "gateway/fix_session.h"

namespace exchange::fix {

struct GatewayConfig {
  // [gateway]
  std::string name = "main";  // its event queue is gateway.<name>
  std::string listen = "127.0.0.1:9878";
  std::string data_dir = "var/gateway";  // session stores
  std::string instruments_file = "config/instruments.toml";
  std::uint64_t producer_id = 0;  // 0: derived from the name (must differ from other producers')
  std::uint64_t logon_timeout_ms = 10'000;          // a connection must log on within this
  std::uint64_t max_messages_per_second = 100'000;  // per connection; beyond: logout
  std::uint64_t max_output_bytes = 16 << 20;        // unsent bytes per connection; beyond: dropped
  // [amqp]
  std::string amqp_url = "amqp://guest:guest@127.0.0.1:5672/";
  std::uint64_t prefetch = 1000;
  // Under load, at most one command message per this many microseconds (what
  // arrives meanwhile joins it); an idle gateway publishes at once. 0: every
  // round of the I/O thread publishes.
  std::uint64_t publish_interval_us = 500;
  // [binance]: the Binance-compatible trading API (gateway/binance/); off
  // while listen is empty
  std::string binance_listen;
  std::string api_key_file;  // master key file; env EXCHANGE_API_KEY_FILE
  std::string api_pg_url;    // the api_keys table; env EXCHANGE_PG_URL
  std::string api_pg_schema = "public";
  std::string api_redis_url;  // balances (the book-state view); env EXCHANGE_REDIS_URL
  std::uint64_t api_keys_reload_ms = 2000;  // a created or revoked key takes effect within this
  // Each account's unfilled ORDERS limits (Binance spot's, as exchange-md advertises); 0: none.
  std::uint64_t api_orders_per_10s = 100;
  std::uint64_t api_orders_per_day = 200'000;
  // Request weight per client IP and minute (X-MBX-USED-WEIGHT-1M); past it
  // 429 (-1003) only when enforced.
  std::uint64_t api_request_weight_per_minute = 6000;
  bool api_enforce_weight = false;
  // [log]
  std::string log_level = "info";
  // [[session]]
  std::vector<SessionConfig> sessions;

  // Checks ranges, unique CompID pairs and names; throws ConfigError.
  void Validate() const;
  // The producer id used on the wire (producer_id, or one derived from name).
  std::uint64_t EffectiveProducerId() const;
};

// Reads `path` into `config`; unknown sections and keys are errors.
void LoadGatewayConfig(const std::string& path, GatewayConfig* config);
void ParseGatewayConfig(const std::string& toml_text, const std::string& source_name,
                        GatewayConfig* config);

}  // namespace exchange::fix
