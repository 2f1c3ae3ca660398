// One run of `exchange-bench e2e`: RunThroughput and RunOpenLoop build the
// run's environment, send the flow and measure; RunResult is what a run
// found. The run's (main) thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "bench/e2e/flows.h"
#include "bench/e2e/options.h"
#include "bench/e2e/rss.h"
#include "bench/latency_report.h"

namespace exchange::bench::e2e {

struct RunResult {
  std::string shard;
  std::string engine_exit;  // "" when it stopped cleanly
  Rss rss;
  // throughput
  std::uint64_t commands = 0;
  double seconds = 0;
  double commands_per_second = 0;
  double publish_seconds = 0;
  std::uint64_t messages = 0;
  std::uint64_t event_records = 0;
  std::uint64_t event_messages = 0;
  // open loop
  std::uint64_t orders_sent = 0;
  std::uint64_t orders_measured = 0;
  double achieved_rate = 0;
  double p50 = 0, p90 = 0, p99 = 0, p999 = 0, max = 0;  // microseconds
  std::uint64_t missing = 0;
  // Where the time goes, p50 and p99 in microseconds: scheduled time → the
  // producer's publish call; publish → the engine service's ingest thread
  // (the event's timestamp); ingest → the consumer's receipt.
  double send_p50 = 0, send_p99 = 0, to_ingest_p50 = 0, to_ingest_p99 = 0;
  double ingest_to_receipt_p50 = 0, ingest_to_receipt_p99 = 0;
  std::uint64_t lag_at_end = 0;  // orders sent but unanswered when sending ended
  std::uint64_t max_lag = 0;
  double drain_ms = 0;        // from the last scheduled send to the last answer
  double send_behind_ms = 0;  // how late the last message was sent
  bool kept_up = true;
  struct LagSample {
    double seconds;
    std::uint64_t sent, answered;
  };
  std::vector<LagSample> lag_samples;
  LatencyTrace latency_trace;  // open loop: the measured orders' latencies, for the pictures
};

// Throughput mode: the whole flow as fast as confirms allow.
RunResult RunThroughput(const Options& o, const std::string& instruments_path,
                        const ThroughputFlow& flow, std::size_t run);

// Latency and soak modes: pairs sent open loop at --rate.
RunResult RunOpenLoop(const Options& o, const std::string& instruments_path, Mode mode,
                      std::size_t run);

}  // namespace exchange::bench::e2e
