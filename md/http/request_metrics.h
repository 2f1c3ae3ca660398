// RequestStats and RequestMetrics: what /metrics reports, in Prometheus
// text format: requests and their latency per endpoint (a histogram), and
// responses per status.
//
// Each serving thread owns one RequestStats and is its only writer: plain
// relaxed atomic increments, no lock, no sharing of cache lines between
// threads. RequestMetrics owns them all and, at scrape time, from whichever
// thread serves /metrics, sums them into metric families (prometheus-cpp's
// types and TextSerializer). Built on the main thread before the serving
// threads start; lives until they have stopped.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "md/http/endpoint.h"
#include "md/ws/ws_stats.h"

namespace exchange::md {

// Latency bucket upper bounds, seconds.
inline constexpr std::array<double, 14> kLatencyBounds = {
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5};

// The statuses counted one by one; any other counts as "other".
inline constexpr std::array<unsigned, 9> kCountedStatuses = {200, 204, 304, 400, 404,
                                                             405, 413, 500, 503};

class alignas(64) RequestStats {
 public:
  // One request answered: its endpoint, status and time to answer.
  void Record(Endpoint endpoint, unsigned status, std::chrono::nanoseconds elapsed);

 private:
  friend class RequestMetrics;
  using Counter = std::atomic<std::uint64_t>;
  struct EndpointStats {
    Counter requests{0};
    Counter nanoseconds{0};                                // sum of latencies
    std::array<Counter, kLatencyBounds.size()> buckets{};  // not cumulative
  };
  std::array<EndpointStats, kEndpointCount> endpoints_{};
  std::array<Counter, kCountedStatuses.size() + 1> statuses_{};  // the last: other
};

class RequestMetrics {
 public:
  explicit RequestMetrics(std::size_t threads);

  RequestStats& stats_of(std::size_t thread) { return *stats_[thread]; }
  // Adds the WebSocket counters to the exposition; before the serving
  // threads start.
  void AttachWsStats(const WsStats* ws) { ws_ = ws; }
  // Every metric in Prometheus text exposition format (version 0.0.4).
  std::string Exposition() const;

 private:
  std::vector<std::unique_ptr<RequestStats>> stats_;
  const WsStats* ws_ = nullptr;
};

}  // namespace exchange::md
