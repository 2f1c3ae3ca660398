// One run of `exchange-bench fix`: fresh engine and gateway processes, the
// FIX client's sessions, the open loop, the figures. The run's (main) thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "amqp/amqp_client.h"
#include "bench/broker_counters.h"
#include "bench/cpu_sampler.h"
#include "bench/fix/options.h"
#include "bench/latency_report.h"

namespace exchange::bench::fix_bench {

// ---------------------------------------------------------------- results

struct RunResult {
  std::string shard;
  std::string symbol;
  std::uint64_t orders_sent = 0;
  std::uint64_t orders_measured = 0;
  std::uint64_t answered = 0;  // measured orders with a New or Rejected report
  std::uint64_t missing = 0;   // measured orders without one
  std::uint64_t rejected = 0;  // measured orders Rejected
  std::uint64_t rejects_all = 0, news_all = 0, fills = 0, cancels = 0, session_rejects = 0;
  std::uint64_t messages_received = 0, reads = 0;
  std::uint64_t writes = 0;         // the sender's wake-ups that wrote orders
  std::uint64_t first_not_new = 0;  // measured orders whose first report was not New/Rejected
  double achieved_rate = 0;
  double p50 = 0, p90 = 0, p99 = 0, p999 = 0, max = 0;  // microseconds
  double first_half_p50 = 0, second_half_p50 = 0;
  double send_lag_p50 = 0, send_lag_p99 = 0, send_lag_max = 0;  // microseconds
  // Milliseconds (FIX timestamps: millisecond resolution).
  double in_p50 = 0, in_p99 = 0, gateway_p50 = 0, gateway_p99 = 0, out_p50 = 0, out_p99 = 0;
  double drain_ms = 0;        // last answer minus the last due time (-1: some never came)
  double send_behind_ms = 0;  // how late the last order was written
  double max_backlog_kb = 0;  // most bytes waiting in one session's buffer (socket full)
  ProcessUse gateway_cpu, engine_cpu, bench_cpu;
  double rabbitmq_cpu_pct = -1;  // every beam.smp seen (-1: none)
  // RabbitMQ's own counters over the orders sent, per order (--rabbitmqctl).
  std::optional<BrokerCounts> broker_per_order;
  double machine_busy_pct = -1;  // all cores, 0..100
  bool kept_up = false;
  std::string gateway_exit, engine_exit;  // "" when it stopped cleanly
  std::string first_error;
  LatencyTrace latency_trace;  // the measured orders' latencies, for the pictures
};

// Runs the open loop once against a fresh engine and gateway.
RunResult RunOnce(const Options& o, const amqp::Url& url, std::size_t run);

}  // namespace exchange::bench::fix_bench
