// `exchange-cli status`: a health summary of the engine service from its
// Prometheus metrics (http://HOST:PORT/metrics, the exchange_engine_*
// samples), and optionally the depth of a shard's RabbitMQ queue.
//
// Plain functions: any thread, each call touching only its arguments.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "tools/cli/prometheus_text.h"

namespace exchange::cli {

struct StatusOptions {
  std::string metrics = "127.0.0.1:9464";  // HOST:PORT of the metrics endpoint
  bool all = false;                        // also every other sample
  bool json = false;
  bool queue = false;  // also the shard queue's depth
  std::string shard = "main";
  std::string amqp_url;
  std::chrono::milliseconds timeout{3000};
};

struct Endpoint {
  std::string host;
  std::string port;
};

// "HOST:PORT" (or "http://HOST:PORT", "[v6]:PORT"). Throws CliError.
Endpoint ParseEndpoint(std::string_view text);

// The text summary: the known exchange_engine_* metrics that exist, with
// readable titles, then (all) every other sample.
std::string FormatStatusText(const std::string& where, const std::vector<MetricSample>& samples,
                             bool all);

// {"key": value, ...}: the exchange_engine_* samples (and the queue depth,
// rabbitmq_queue_messages_ready{queue="engine.SHARD"}), or every sample
// (all); keys as MetricSample::Key(); integral values as integers, other
// finite values as numbers, +Inf/-Inf/NaN as the strings written.
nlohmann::ordered_json StatusJson(const std::vector<MetricSample>& samples, bool all);

// exchange_engine_up's value, if the service reports one.
std::optional<double> EngineUp(const std::vector<MetricSample>& samples);

// Fetches, parses and prints. Returns the exit status: 0 when the service
// answered (and does not report exchange_engine_up 0); 1 when it could not be
// reached ("engine service not reachable at HOST:PORT: why"), answered with
// an HTTP error, or reports itself down. Malformed metrics lines are reported
// on `err` and skipped. Throws CliError for a bad option or a RabbitMQ
// failure (queue).
int RunStatus(const StatusOptions& options, std::ostream& out, std::ostream& err);

}  // namespace exchange::cli
