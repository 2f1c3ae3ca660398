// ServiceMetrics: the engine service's Prometheus endpoint (prometheus-cpp's
// Exposer, GET /metrics). At each scrape it reads ServiceStats, so the
// threads that count never touch a lock; the journal fsync latency is a
// prometheus-cpp Histogram that only the committer thread observes. Metric
// names and meanings are listed in README.md ("Metrics"); `exchange-cli
// status` reads them.
//
// Built on the main thread; the Exposer's own thread serves scrapes.
#pragma once

#include <prometheus/exposer.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <memory>
#include <string>

#include "engine_service/pipeline/pipeline_slot.h"
#include "engine_service/service_stats.h"

namespace exchange {

class ServiceMetrics {
 public:
  // listen: "host:port" (port 0 picks a free one). Throws std::runtime_error
  // naming the address when it cannot listen.
  ServiceMetrics(const std::string& listen, const ServiceStats& stats, const SlotPool& pool);
  ~ServiceMetrics();

  prometheus::Histogram& fsync_seconds() { return *fsync_seconds_; }
  // From the committer handing a slot to the book-state sink to Redis
  // having applied it (EXEC returned). Observed by the sink thread only.
  prometheus::Histogram& bookstate_lag_seconds() { return *bookstate_lag_seconds_; }
  int port() const;

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  std::shared_ptr<prometheus::Collectable> stats_collector_;
  prometheus::Histogram* fsync_seconds_ = nullptr;
  prometheus::Histogram* bookstate_lag_seconds_ = nullptr;
  std::unique_ptr<prometheus::Exposer> exposer_;
};

}  // namespace exchange
