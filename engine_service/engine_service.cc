#include "engine_service/engine_service.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <set>

#include "config/instruments_file.h"
#include "engine_service/pipeline/engine_loop.h"
#include "engine_service/pipeline/journal_committer.h"
#include "engine_service/pipeline/order_ingest.h"
#include "engine_service/pipeline/publish_watermark.h"
#include "engine_service/service_metrics.h"
#include "engine_service/sinks/book_state_sink.h"
#include "engine_service/sinks/event_publisher.h"
#include "engine_service/sinks/history_sink.h"

namespace exchange {

EngineService::EngineService(ServiceConfig config)
    : config_(std::move(config)),
      pool_(config_.pipeline_slots),
      to_engine_(config_.pipeline_slots),
      to_committer_(config_.pipeline_slots),
      publisher_channel_("amqp", config_.pipeline_slots, stats_.publisher),
      bookstate_channel_("redis", config_.pipeline_slots, stats_.bookstate),
      history_channel_("postgres", config_.pipeline_slots, stats_.history) {
  config_.Validate();
  LoadInstruments();
  std::filesystem::create_directories(config_.data_dir);

  std::string watermark_problem;
  published_up_to_ = ReadWatermarkFile(PublishWatermarkPath(config_.data_dir), &watermark_problem);
  if (!watermark_problem.empty()) spdlog::warn("recovery: {}", watermark_problem);

  EngineCore::Options options;
  options.data_dir = config_.data_dir;
  options.expected_orders = config_.expected_orders;
  options.snapshots_kept = config_.snapshots_kept;
  RecoveryHooks hooks;
  if (!config_.pg_url.empty()) {
    // The history sink derives its order tracker from the events: it needs
    // the state at or below what PostgreSQL has, and every event after it.
    history_saved_ = ReadWatermarkFile(HistoryWatermarkPath(config_.data_dir), &watermark_problem);
    if (!watermark_problem.empty()) spdlog::warn("recovery: {}", watermark_problem);
    hooks.base_at_most = history_saved_;
    hooks.on_base = [this](const Engine& engine) { history_tracker_.Seed(engine); };
    hooks.on_replayed = [this](const wire::EventRecord& r) { history_replayed_.push_back(r); };
    stats_.history_on = 1;
    stats_.history_saved = history_saved_;
  }
  core_ = std::make_unique<EngineCore>(options, published_up_to_, &recovery_, hooks);
  spdlog::info(
      "recovery: {} snapshot (journal index {}), {} journal records replayed, engine sequence "
      "{}, published up to {}, {} events to republish",
      recovery_.from_snapshot ? "from" : "no", recovery_.snapshot_index, recovery_.replayed_records,
      core_->last_sequence(), published_up_to_, recovery_.republish.size());
  if (!recovery_.journal_damage.empty()) {
    spdlog::warn("recovery: journal tail cut: {}", recovery_.journal_damage);
  }
  if (!recovery_.snapshot_damage.empty()) {
    spdlog::warn("recovery: snapshots skipped: {}", recovery_.snapshot_damage);
  }
  if (!recovery_.unpublished_gap.empty()) spdlog::error("recovery: {}", recovery_.unpublished_gap);

  recovered_up_to_ = core_->last_sequence();
  std::vector<wire::EventRecord> events = std::move(recovery_.republish);
  recovery_.republish.clear();
  core_->EnsureInstruments(assets_, instruments_, &events);
  QueueStartupEvents(std::move(events));
  if (!config_.redis_url.empty()) {
    try {
      redis::ParseRedisUrl(config_.redis_url);
    } catch (const redis::RedisError& e) {
      throw ConfigError(std::string("redis.url: ") + e.what());
    }
    seed_views_ = bookstate::SeedBookViews(core_->engine());
    seeded_up_to_ = core_->last_sequence();
    stats_.bookstate_on = 1;
  }
  stats_.engine_sequence = core_->last_sequence();
  stats_.journal_index = core_->journal_index();

  if (!config_.metrics_listen.empty()) {
    metrics_ = std::make_unique<ServiceMetrics>(config_.metrics_listen, stats_, pool_);
    spdlog::info("metrics: http://{}:{}/metrics",
                 config_.metrics_listen.substr(0, config_.metrics_listen.rfind(':')),
                 metrics_->port());
  }
}

EngineService::~EngineService() {
  Stop();
}

void EngineService::LoadInstruments() {
  const InstrumentsFile file = LoadInstrumentsFile(config_.instruments_file);
  assets_ = file.assets;
  std::set<std::string> wanted(config_.symbols.begin(), config_.symbols.end());
  for (const auto& instrument : file.instruments) {
    const std::string name(instrument.spec.symbol.view());
    if (!wanted.empty() && !wanted.erase(name)) continue;
    instruments_.push_back(instrument.spec);
    symbols_.push_back(name);
    persistence::InstrumentRow row{name, instrument.price_decimals, instrument.quantity_decimals,
                                   instrument.spec.tick_size, instrument.spec.lot_size};
    row.min_quantity = instrument.spec.min_quantity;
    row.max_quantity = instrument.spec.max_quantity;
    row.base_asset = instrument.base_asset;
    row.quote_asset = instrument.quote_asset;
    row.default_stp = instrument.spec.default_stp;
    history_instruments_.push_back(std::move(row));
  }
  if (!wanted.empty()) {
    throw ConfigError("engine.symbols names " + *wanted.begin() + ", which " +
                      config_.instruments_file + " does not define");
  }
  if (symbols_.empty()) throw ConfigError(config_.instruments_file + " defines no instrument");
}

// Replayed events not yet confirmed as published, and the events of adding
// instruments: already journaled, they go down the pipeline as one slot
// (delivery 0: nothing to ack) before any new input.
void EngineService::QueueStartupEvents(std::vector<wire::EventRecord> events) {
  core_->FlushJournal();
  if (events.empty()) return;
  PipelineSlot* slot = pool_.Acquire();
  slot->events = std::move(events);
  to_committer_.push(slot);
  stats_.committer_queued.fetch_add(1);
}

template <typename Body>
std::thread EngineService::Spawn(const char* name, Body body) {
  return std::thread([name, body] {
    try {
      body();
    } catch (const std::exception& e) {
      // The engine, the journal or a sink failed in a way it cannot recover
      // from here: stop the process before anything unsafe is acked.
      spdlog::critical("{} thread failed: {}; exiting", name, e.what());
      spdlog::shutdown();
      std::_Exit(70);
    }
  });
}

void EngineService::Start() {
  if (running_) return;
  running_ = true;
  const amqp::Url url = amqp::ParseUrl(config_.amqp_url);

  publisher_ = std::make_unique<EventPublisher>(
      EventPublisher::Options{url, config_.publish_window, PublishWatermarkPath(config_.data_dir),
                              config_.shard},
      publisher_channel_, pool_, stats_, published_up_to_);
  std::vector<SinkChannel*> sinks = {&publisher_channel_};
  if (!config_.pg_url.empty()) {
    HistorySink::Options history;
    history.writer.url = config_.pg_url;
    history.writer.schema = config_.pg_schema;
    history.writer.shard = config_.shard;
    history.batch_rows = config_.pg_batch_rows;
    history.batch_age = std::chrono::milliseconds(config_.pg_batch_ms);
    history.watermark_path = HistoryWatermarkPath(config_.data_dir);
    history.refused_path = config_.data_dir + "/history-refused.tsv";
    history.instruments = history_instruments_;
    history.assets = assets_;
    history.redis_url = config_.redis_url;
    history.connections = config_.pg_connections;
    history.memory_rows = config_.pg_memory_rows;
    history.spool_path = config_.data_dir + "/history-spool";
    history_ = std::make_unique<HistorySink>(std::move(history), history_channel_, pool_, stats_,
                                             std::move(history_tracker_),
                                             std::move(history_replayed_), recovered_up_to_);
    sinks.push_back(&history_channel_);
  }
  if (!config_.redis_url.empty()) {
    BookStateSink::LagObserver observe_lag;
    if (metrics_) {
      observe_lag = [histogram = &metrics_->bookstate_lag_seconds()](auto dispatched,
                                                                     auto written) {
        histogram->Observe(std::chrono::duration<double>(written - dispatched).count());
      };
    }
    bookstate_ = std::make_unique<BookStateSink>(
        BookStateSink::Options{redis::ParseRedisUrl(config_.redis_url),
                               config_.redis_stream_max_length, config_.shard},
        bookstate_channel_, pool_, std::move(seed_views_), seeded_up_to_, std::move(observe_lag));
    sinks.push_back(&bookstate_channel_);
  }
  committer_ = std::make_unique<JournalCommitter>(
      *core_, to_committer_, committer_bell_, pool_, sinks, durable_, stats_,
      metrics_ ? &metrics_->fsync_seconds() : nullptr, config_.events_after_fsync);
  engine_loop_ = std::make_unique<EngineLoop>(*core_, to_engine_, engine_bell_, to_committer_,
                                              committer_bell_, config_.snapshot_every,
                                              /*collect_depth=*/bookstate_ != nullptr, stats_);
  ingest_ = std::make_unique<OrderIngest>(
      OrderIngest::Options{url, config_.shard, symbols_,
                           static_cast<std::uint16_t>(config_.prefetch)},
      pool_, to_engine_, engine_bell_, durable_, stats_);

  publisher_thread_ = Spawn("publisher", [this] { publisher_->Run(stop_sinks_); });
  if (bookstate_) bookstate_thread_ = Spawn("bookstate", [this] { bookstate_->Run(stop_sinks_); });
  if (history_) history_thread_ = Spawn("history", [this] { history_->Run(stop_sinks_); });
  committer_thread_ = Spawn("committer", [this] { committer_->Run(engine_done_); });
  engine_thread_ = Spawn("engine", [this] {
    engine_loop_->Run(stop_engine_);
    engine_done_.store(true, std::memory_order_release);
    committer_bell_.Wake();
  });
  ingest_thread_ = Spawn("ingest", [this] { ingest_->Run(stop_ingest_); });
  spdlog::info("engine service started: shard {} ({} symbols), data in {}", config_.shard,
               symbols_.size(), config_.data_dir);
}

// In pipeline order, each stage draining what the one before handed over.
void EngineService::Stop() {
  if (!running_) return;
  running_ = false;
  stop_ingest_ = true;
  ingest_thread_.join();
  stop_engine_ = true;
  engine_bell_.Wake();
  engine_thread_.join();
  committer_thread_.join();
  stop_sinks_ = true;
  publisher_channel_.bell.Wake();
  publisher_thread_.join();
  if (bookstate_) {
    bookstate_channel_.bell.Wake();
    bookstate_thread_.join();
  }
  if (history_) {
    history_channel_.bell.Wake();
    history_thread_.join();
  }
  core_->SnapshotNow();
  spdlog::info("engine service stopped at engine sequence {}, journal index {}",
               core_->last_sequence(), core_->journal_index());
}

int EngineService::metrics_port() const {
  return metrics_ ? metrics_->port() : 0;
}

}  // namespace exchange
