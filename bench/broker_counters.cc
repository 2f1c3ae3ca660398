#include "bench/broker_counters.h"

#include <array>
#include <cstdio>
#include <sstream>

#include "bench/run_summary.h"

namespace exchange::bench {

namespace {

// One line per counter: "<queue type or all> <name> <value>".
constexpr const char* kEval =
    " eval '[io:format(\"~p ~p ~p~n\", [proplists:get_value(queue_type, K, all), N, V]) || "
    "{K, M} <- maps:to_list(rabbit_global_counters:overview()), "
    "proplists:get_value(protocol, K) =:= amqp091, {N, V} <- maps:to_list(M)], ok.' 2>&1";

void Add(BrokerCounts& c, const std::string& scope, const std::string& name, double value) {
  if (scope == "all") {
    if (name == "messages_received_total") c.published += value;
    if (name == "messages_confirmed_total") c.confirmed += value;
    if (name == "messages_routed_total") c.routed += value;
    if (name == "messages_unroutable_dropped_total") c.unroutable += value;
    return;
  }
  if (name == "messages_delivered_total") c.delivered += value;
  if (name == "messages_acknowledged_total") c.acked += value;
}

}  // namespace

std::optional<BrokerCounts> ReadBrokerCounts(const std::string& command, std::string* error) {
  FILE* pipe = ::popen((command + kEval).c_str(), "r");
  if (pipe == nullptr) {
    *error = "cannot run '" + command + "'";
    return std::nullopt;
  }
  std::string output;
  std::array<char, 4096> buffer;
  while (std::size_t n = std::fread(buffer.data(), 1, buffer.size(), pipe))
    output.append(buffer.data(), n);
  const int status = ::pclose(pipe);
  BrokerCounts counts;
  int lines = 0;
  std::istringstream in(output);
  std::string scope, name;
  double value = 0;
  while (in >> scope >> name >> value) {
    Add(counts, scope, name, value);
    ++lines;
  }
  if (status != 0 || lines == 0) {
    *error = "'" + command + " eval' failed (status " + std::to_string(status) +
             "): " + output.substr(0, 200);
    return std::nullopt;
  }
  return counts;
}

BrokerCounts CountsPer(const BrokerCounts& before, const BrokerCounts& after, double per) {
  const double d = per > 0 ? per : 1;
  return {(after.published - before.published) / d, (after.confirmed - before.confirmed) / d,
          (after.routed - before.routed) / d,       (after.unroutable - before.unroutable) / d,
          (after.delivered - before.delivered) / d, (after.acked - before.acked) / d};
}

nlohmann::json ToJson(const BrokerCounts& c) {
  return {{"published", c.published},   {"confirmed", c.confirmed}, {"routed", c.routed},
          {"unroutable", c.unroutable}, {"delivered", c.delivered}, {"acked", c.acked}};
}

std::string Describe(const BrokerCounts& c) {
  return Fixed(c.published, 2) + " published (" + Fixed(c.routed, 2) + " routed, " +
         Fixed(c.unroutable, 2) + " unroutable), " + Fixed(c.confirmed, 2) + " confirms, " +
         Fixed(c.delivered, 2) + " deliveries, " + Fixed(c.acked, 2) + " acks";
}

}  // namespace exchange::bench
