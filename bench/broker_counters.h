// BrokerCounters: RabbitMQ's own message counters (rabbit_global_counters,
// node-wide since the node started), read with `rabbitmqctl eval` so that a
// benchmark can say, from the broker's side, how many messages, confirms,
// deliveries and acks a run cost. The command is the benchmark's to give:
// scripts/services.sh exports EXCHANGE_RABBITMQCTL for its node. The
// counters are node-wide: anything else using the broker during the run is
// counted too.
//
// Plain functions; any thread (each read runs rabbitmqctl, about a second).
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace exchange::bench {

struct BrokerCounts {
  double published = 0;   // messages received from publishers
  double confirmed = 0;   // publisher confirms sent
  double routed = 0;      // published messages that reached at least one queue
  double unroutable = 0;  // published messages that reached none (dropped)
  double delivered = 0;   // deliveries to consumers, every queue type
  double acked = 0;       // consumer acknowledgements, every queue type
};

// Runs `rabbitmqctl eval` through `command` (a shell command line, e.g.
// "/path/scripts/services.sh rabbitmqctl"); nullopt, with the reason in
// `error`, when it fails or prints nothing usable.
std::optional<BrokerCounts> ReadBrokerCounts(const std::string& command, std::string* error);

// after - before, each divided by `per` (e.g. orders).
BrokerCounts CountsPer(const BrokerCounts& before, const BrokerCounts& after, double per);

nlohmann::json ToJson(const BrokerCounts& c);
// "1.71 published (1.71 routed, 0.00 unroutable), 1.71 confirms, 1.71 deliveries, 1.71 acks"
std::string Describe(const BrokerCounts& c);

}  // namespace exchange::bench
