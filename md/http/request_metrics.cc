#include "md/http/request_metrics.h"

#include <prometheus/metric_family.h>
#include <prometheus/text_serializer.h>

#include <limits>
#include <sstream>

namespace exchange::md {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

std::uint64_t Load(const std::atomic<std::uint64_t>& v) {
  return v.load(std::memory_order_relaxed);
}

void Bump(std::atomic<std::uint64_t>& v, std::uint64_t by = 1) {
  // One writer per counter: a load and a store, no locked instruction.
  v.store(v.load(std::memory_order_relaxed) + by, std::memory_order_relaxed);
}

std::size_t StatusIndex(unsigned status) {
  for (std::size_t i = 0; i < kCountedStatuses.size(); ++i) {
    if (kCountedStatuses[i] == status) return i;
  }
  return kCountedStatuses.size();
}

}  // namespace

void RequestStats::Record(Endpoint endpoint, unsigned status, std::chrono::nanoseconds elapsed) {
  EndpointStats& e = endpoints_[static_cast<std::size_t>(endpoint)];
  Bump(e.requests);
  Bump(e.nanoseconds, static_cast<std::uint64_t>(elapsed.count()));
  const double seconds = static_cast<double>(elapsed.count()) / 1e9;
  for (std::size_t i = 0; i < kLatencyBounds.size(); ++i) {
    if (seconds <= kLatencyBounds[i]) {
      Bump(e.buckets[i]);
      break;
    }
  }
  Bump(statuses_[StatusIndex(status)]);
}

RequestMetrics::RequestMetrics(std::size_t threads) {
  for (std::size_t i = 0; i < threads; ++i)
    stats_.push_back(std::make_unique<RequestStats>());
}

std::string RequestMetrics::Exposition() const {
  MetricFamily requests{"exchange_md_requests_total",
                        "HTTP requests answered, per endpoint",
                        MetricType::Counter,
                        {}};
  MetricFamily latency{"exchange_md_request_duration_seconds",
                       "time from a request read to its response ready, per endpoint",
                       MetricType::Histogram,
                       {}};
  MetricFamily responses{
      "exchange_md_responses_total", "HTTP responses, per status", MetricType::Counter, {}};
  for (std::size_t e = 0; e < kEndpointCount; ++e) {
    std::uint64_t count = 0, nanoseconds = 0;
    std::array<std::uint64_t, kLatencyBounds.size()> buckets{};
    for (const auto& stats : stats_) {
      const RequestStats::EndpointStats& s = stats->endpoints_[e];
      count += Load(s.requests);
      nanoseconds += Load(s.nanoseconds);
      for (std::size_t b = 0; b < buckets.size(); ++b)
        buckets[b] += Load(s.buckets[b]);
    }
    const std::vector<ClientMetric::Label> labels = {
        {"endpoint", std::string(EndpointName(static_cast<Endpoint>(e)))}};
    ClientMetric counter;
    counter.label = labels;
    counter.counter.value = static_cast<double>(count);
    requests.metric.push_back(counter);

    ClientMetric histogram;
    histogram.label = labels;
    histogram.histogram.sample_count = count;
    histogram.histogram.sample_sum = static_cast<double>(nanoseconds) / 1e9;
    std::uint64_t cumulative = 0;
    for (std::size_t b = 0; b < buckets.size(); ++b) {
      cumulative += buckets[b];
      histogram.histogram.bucket.push_back({cumulative, kLatencyBounds[b]});
    }
    histogram.histogram.bucket.push_back({count, std::numeric_limits<double>::infinity()});
    latency.metric.push_back(histogram);
  }
  for (std::size_t i = 0; i <= kCountedStatuses.size(); ++i) {
    std::uint64_t count = 0;
    for (const auto& stats : stats_)
      count += Load(stats->statuses_[i]);
    ClientMetric m;
    m.label = {{"status", i < kCountedStatuses.size() ? std::to_string(kCountedStatuses[i])
                                                      : std::string("other")}};
    m.counter.value = static_cast<double>(count);
    responses.metric.push_back(m);
  }
  std::vector<MetricFamily> families = {requests, latency, responses};
  if (ws_ != nullptr) {
    auto family = [&](const char* name, const char* help, MetricType type, double value) {
      ClientMetric m;
      if (type == MetricType::Gauge) {
        m.gauge.value = value;
      } else {
        m.counter.value = value;
      }
      families.push_back(MetricFamily{name, help, type, {m}});
    };
    const auto v = [](const auto& atomic) {
      return static_cast<double>(atomic.load(std::memory_order_relaxed));
    };
    family("exchange_md_ws_connections", "WebSocket connections open", MetricType::Gauge,
           v(ws_->connections));
    family("exchange_md_ws_messages_total", "stream messages queued to WebSocket clients",
           MetricType::Counter, v(ws_->messages_sent));
    family("exchange_md_ws_bytes_total", "bytes written to WebSocket clients", MetricType::Counter,
           v(ws_->bytes_sent));
    family("exchange_md_ws_slow_dropped_total", "WebSocket clients dropped for not reading",
           MetricType::Counter, v(ws_->slow_dropped));
    family("exchange_md_ws_protocol_errors_total", "WebSocket clients closed for bad frames",
           MetricType::Counter, v(ws_->protocol_errors));
    family("exchange_md_ws_ping_timeouts_total",
           "WebSocket clients closed for not answering the server's ping", MetricType::Counter,
           v(ws_->ping_timeouts));
    family("exchange_md_ws_rate_limited_total",
           "WebSocket clients closed for sending more than 5 messages a second",
           MetricType::Counter, v(ws_->rate_limited));
    family("exchange_md_ws_lifetime_closed_total",
           "WebSocket connections closed at the end of their lifetime (24 h)", MetricType::Counter,
           v(ws_->lifetime_closed));
    family("exchange_md_feed_batches_total", "batches the market feed published",
           MetricType::Counter, v(ws_->feed_batches));
    family("exchange_md_feed_resyncs_total", "books the market feed took a new snapshot of",
           MetricType::Counter, v(ws_->feed_resyncs));
    family("exchange_md_feed_wait_seconds_total",
           "time the market feed waited for the serving threads to deliver its previous batch",
           MetricType::Counter, static_cast<double>(ws_->feed_wait_us.load()) / 1e6);
  }
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, families);
  return out.str();
}

}  // namespace exchange::md
