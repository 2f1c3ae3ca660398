#include "engine_service/service_metrics.h"

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include <stdexcept>
#include <vector>

namespace exchange {

namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

double Load(const std::atomic<std::uint64_t>& v) {
  return static_cast<double>(v.load(std::memory_order_relaxed));
}
double Load(const std::atomic<int>& v) {
  return v.load(std::memory_order_relaxed);
}

// Builds metric families from the stats at scrape time.
class StatsCollector : public prometheus::Collectable {
 public:
  StatsCollector(const ServiceStats& stats, const SlotPool& pool) : s_(stats), pool_(pool) {}

  std::vector<MetricFamily> Collect() const override {
    std::vector<MetricFamily> out;
    auto family = [&](const char* name, const char* help, MetricType type) -> MetricFamily& {
      out.push_back(MetricFamily{std::string("exchange_engine_") + name, help, type, {}});
      return out.back();
    };
    auto add = [](MetricFamily& f, double value, std::vector<ClientMetric::Label> labels = {}) {
      ClientMetric m;
      m.label = std::move(labels);
      if (f.type == MetricType::Counter) {
        m.counter.value = value;
      } else {
        m.gauge.value = value;
      }
      f.metric.push_back(std::move(m));
    };
    const auto counter = MetricType::Counter;
    const auto gauge = MetricType::Gauge;

    add(family("up", "1 while the service runs", gauge), 1);
    add(family("sequence", "engine sequence of the last event produced", gauge),
        Load(s_.engine_sequence));
    add(family("durable_sequence", "engine sequence of the last event made durable", gauge),
        Load(s_.durable_sequence));
    add(family("journal_index", "index of the next journal record", gauge), Load(s_.journal_index));
    add(family("journal_syncs_total", "journal group commits (fdatasync)", counter),
        Load(s_.journal_syncs));
    add(family("published_up_to", "every event up to this sequence is confirmed by RabbitMQ",
               gauge),
        Load(s_.published_up_to));

    auto& messages = family("messages_total", "AMQP messages taken from the orders queue", counter);
    add(messages, Load(s_.messages_in) - Load(s_.messages_dead_lettered), {{"result", "decoded"}});
    add(messages, Load(s_.messages_dead_lettered), {{"result", "dead_lettered"}});
    add(family("records_total", "command records decoded", counter), Load(s_.records_in));
    auto& commands = family("commands_total", "commands by what the engine did with them", counter);
    add(commands, Load(s_.commands_applied), {{"result", "applied"}});
    add(commands, Load(s_.commands_duplicate), {{"result", "duplicate"}});
    add(family("events_total", "events produced", counter), Load(s_.events));
    add(family("acked_total", "deliveries acknowledged to RabbitMQ", counter),
        Load(s_.acked_deliveries));

    auto& depth = family("queue_depth", "slots waiting in each internal queue", gauge);
    add(depth, Load(s_.ingest_queued) - Load(s_.engine_taken), {{"queue", "engine"}});
    add(depth, Load(s_.committer_queued) - Load(s_.committer_taken), {{"queue", "committer"}});
    add(depth, Load(s_.publisher.queued) - Load(s_.publisher.done), {{"queue", "sink_amqp"}});
    if (s_.bookstate_on) {
      add(depth, Load(s_.bookstate.queued) - Load(s_.bookstate.done), {{"queue", "sink_redis"}});
    }
    if (s_.history_on) {
      add(depth, Load(s_.history.queued) - Load(s_.history.done), {{"queue", "sink_postgres"}});
    }
    add(family("slots_in_use", "pipeline slots in use (of slots_total)", gauge),
        static_cast<double>(pool_.in_use()));
    add(family("slots_total", "pipeline slots", gauge), static_cast<double>(pool_.size()));
    add(family("ingest_stalls_total", "times ingest found no free slot (back-pressure)", counter),
        Load(s_.ingest_stalls));

    const double engine_sequence = Load(s_.engine_sequence);
    auto& sink_sequence =
        family("sink_sequence", "highest event sequence each sink has delivered", gauge);
    auto& sink_lag = family("sink_lag", "engine sequence minus the sink's sequence", gauge);
    auto& sink_messages =
        family("sink_messages_total",
               "messages (amqp), commands (redis) or rows (postgres) each sink wrote", counter);
    auto sink = [&](const char* name, const SinkStats& stats) {
      add(sink_sequence, Load(stats.sequence), {{"sink", name}});
      add(sink_lag, std::max(0.0, engine_sequence - Load(stats.sequence)), {{"sink", name}});
      add(sink_messages, Load(stats.messages), {{"sink", name}});
    };
    sink("amqp", s_.publisher);
    if (s_.bookstate_on) sink("redis", s_.bookstate);
    if (s_.history_on) sink("postgres", s_.history);

    auto& connected = family("amqp_connected", "1 while the AMQP connection is up", gauge);
    add(connected, Load(s_.ingest_connected), {{"connection", "ingest"}});
    add(connected, Load(s_.publisher.connected), {{"connection", "publisher"}});
    auto& reconnects = family("amqp_reconnects_total", "AMQP connections re-established", counter);
    add(reconnects, Load(s_.ingest_reconnects), {{"connection", "ingest"}});
    add(reconnects, Load(s_.publisher.reconnects), {{"connection", "publisher"}});
    if (s_.bookstate_on) {
      add(family("redis_connected", "1 while the book-state sink's Redis connection is up", gauge),
          Load(s_.bookstate.connected));
      add(family("redis_connects_total", "Redis connections the book-state sink made", counter),
          Load(s_.bookstate.reconnects));
    }
    if (s_.history_on) {
      add(family("postgres_connected", "1 while the history sink's PostgreSQL connection is up",
                 gauge),
          Load(s_.history.connected));
      add(family("postgres_connects_total", "PostgreSQL connections the history sink made",
                 counter),
          Load(s_.history.reconnects));
      add(family("history_refused_rows_total",
                 "rows PostgreSQL refused (logged, kept in <data_dir>/history-refused.tsv)",
                 counter),
          Load(s_.history_refused));
    }

    auto& snapshots = family("snapshots_total", "background snapshots", counter);
    add(snapshots, Load(s_.snapshots_started), {{"state", "started"}});
    add(snapshots, Load(s_.snapshots_completed), {{"state", "completed"}});
    add(snapshots, Load(s_.snapshots_failed), {{"state", "failed"}});
    add(family("snapshot_journal_index", "journal index the newest snapshot covers", gauge),
        Load(s_.last_snapshot_index));
    return out;
  }

 private:
  const ServiceStats& s_;
  const SlotPool& pool_;
};

}  // namespace

ServiceMetrics::ServiceMetrics(const std::string& listen, const ServiceStats& stats,
                               const SlotPool& pool)
    : registry_(std::make_shared<prometheus::Registry>()),
      stats_collector_(std::make_shared<StatsCollector>(stats, pool)) {
  fsync_seconds_ =
      &prometheus::BuildHistogram()
           .Name("exchange_engine_journal_fsync_seconds")
           .Help("journal group-commit fdatasync latency")
           .Register(*registry_)
           .Add({}, prometheus::Histogram::BucketBoundaries{0.0001, 0.00025, 0.0005, 0.001, 0.0025,
                                                            0.005, 0.01, 0.025, 0.05, 0.1, 0.25});
  bookstate_lag_seconds_ =
      &prometheus::BuildHistogram()
           .Name("exchange_engine_bookstate_lag_seconds")
           .Help("from the committer handing a batch to the book-state sink to Redis applying it")
           .Register(*registry_)
           .Add({},
                prometheus::Histogram::BucketBoundaries{0.0001, 0.00025, 0.0005, 0.001, 0.0025,
                                                        0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0});
  try {
    exposer_ = std::make_unique<prometheus::Exposer>(listen);
  } catch (const std::exception& e) {
    throw std::runtime_error("metrics endpoint cannot listen on " + listen + ": " + e.what());
  }
  exposer_->RegisterCollectable(registry_);
  exposer_->RegisterCollectable(stats_collector_);
}

ServiceMetrics::~ServiceMetrics() = default;

int ServiceMetrics::port() const {
  const auto ports = exposer_->GetListeningPorts();
  return ports.empty() ? 0 : ports.front();
}

}  // namespace exchange
