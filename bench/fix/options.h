// The options of `exchange-bench fix` (the command line, bench/fix_bench.cc)
// and the constants of its flow and of the gateway it configures.
//
// Read-only after parsing; any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "amqp/amqp_client.h"
#include "gateway/fix_tags.h"

namespace exchange::bench::fix_bench {

namespace tag = fix::tag;
namespace msg = fix::msg;

constexpr std::string_view kGatewayCompId = "EXCH";
constexpr std::string_view kPrice = "100.00";  // every order of the flow
constexpr std::string_view kProbePrice = "1.00";
constexpr std::string_view kProbeId = "probe";
constexpr int kHeartbeatSeconds = 30;
constexpr std::int64_t kKeptUpDrainNs = 2'000'000'000;
// The gateway's limit on replies a client has not read yet (default 16 MiB).
// Overloaded, the gateway answers a backlog in bursts faster than the
// receiver thread gets a core on a busy machine, and would drop the session;
// the bench lets it buffer instead (the wait shows in the "out" time).
constexpr std::uint64_t kMaxOutputBytes = 256ULL << 20;

struct Options {
  std::size_t runs = 5;
  double rate = 10'000;
  double seconds = 10;
  double warmup = 2;
  std::size_t sessions = 1;
  std::string engine_bin;
  std::string gateway_bin;
  std::string amqp_url;
  // rabbitmqctl to read RabbitMQ's message counters with ("" none; default
  // EXCHANGE_RABBITMQCTL, as scripts/services.sh env exports it).
  std::string rabbitmqctl;
  double timeout = 30;  // seconds: startup steps, and the wait for answers without progress
  std::string json_file;
};

inline std::string ServicesHint() {
  return "start RabbitMQ and load its settings: scripts/services.sh start; eval \"$(scripts/"
         "services.sh env)\"";
}

inline std::string Where(const amqp::Url& url) {
  return url.host + ":" + std::to_string(url.port) + "/" + url.vhost;
}

}  // namespace exchange::bench::fix_bench
