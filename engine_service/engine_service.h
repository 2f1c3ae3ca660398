// EngineService: the running engine service (exchange-engine) assembled from
// its parts, threads and queues:
//
//   ingest thread (OrderIngest: AMQP consume, decode)
//     → spsc queue → engine thread (EngineLoop: journal, match)
//     → spsc queue → committer thread (JournalCommitter: fdatasync, acks)
//     → one spsc queue per sink → sink threads (EventPublisher: events to
//       RabbitMQ; BookStateSink: the book-state view in Redis, and
//       HistorySink: trades, finished orders and candles in PostgreSQL,
//       when configured)
//
// Construction recovers the state (newest usable snapshot + journal replay)
// and adds the shard's instruments; Start() starts the threads; Stop() drains
// them in pipeline order and writes a final snapshot.
//
// Owned by the process's main thread.
#pragma once

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "bookstate/book_view.h"
#include "engine_service/core/engine_core.h"
#include "engine_service/pipeline/doorbell.h"
#include "engine_service/pipeline/pipeline_slot.h"
#include "engine_service/pipeline/sink_channel.h"
#include "engine_service/service_config.h"
#include "engine_service/service_stats.h"
#include "persistence/history_writer.h"
#include "persistence/order_tracker.h"

namespace exchange {

class BookStateSink;
class EngineLoop;
class EventPublisher;
class HistorySink;
class JournalCommitter;
class OrderIngest;
class ServiceMetrics;

class EngineService {
 public:
  // Throws ConfigError, std::runtime_error (instruments file, recovery, the
  // metrics address) with a message naming what failed.
  explicit EngineService(ServiceConfig config);
  ~EngineService();
  EngineService(const EngineService&) = delete;
  EngineService& operator=(const EngineService&) = delete;

  void Start();
  void Stop();

  const RecoveryReport& recovery() const { return recovery_; }
  const ServiceStats& stats() const { return stats_; }
  int metrics_port() const;
  // The shard's symbols (from the configuration or the instruments file).
  const std::vector<std::string>& symbols() const { return symbols_; }

 private:
  void LoadInstruments();
  void QueueStartupEvents(std::vector<wire::EventRecord> events);
  template <typename Body>
  std::thread Spawn(const char* name, Body body);

  ServiceConfig config_;
  std::vector<std::string> symbols_;
  std::vector<AssetSpec> assets_;  // the instruments file's, in its order
  std::vector<InstrumentSpec> instruments_;
  std::vector<persistence::InstrumentRow> history_instruments_;  // the same, for PostgreSQL
  RecoveryReport recovery_;
  std::uint64_t published_up_to_ = 0;  // the watermark recovery started from
  ServiceStats stats_;
  std::unique_ptr<EngineCore> core_;
  SlotPool pool_;
  SlotQueue to_engine_;
  Doorbell engine_bell_;
  SlotQueue to_committer_;
  Doorbell committer_bell_;
  SinkChannel publisher_channel_;
  SinkChannel bookstate_channel_;
  bookstate::BookViews seed_views_;  // handed to the book-state sink at Start()
  Sequence seeded_up_to_ = 0;
  SinkChannel history_channel_;
  persistence::OrderTracker history_tracker_;        // seeded during recovery
  std::vector<wire::EventRecord> history_replayed_;  // what recovery replayed after that
  std::uint64_t history_saved_ = 0;                  // the history watermark at start
  Sequence recovered_up_to_ = 0;                     // the engine's sequence after recovery
  std::atomic<DeliveryId> durable_{0};

  std::unique_ptr<ServiceMetrics> metrics_;
  std::unique_ptr<OrderIngest> ingest_;
  std::unique_ptr<EngineLoop> engine_loop_;
  std::unique_ptr<JournalCommitter> committer_;
  std::unique_ptr<EventPublisher> publisher_;
  std::unique_ptr<BookStateSink> bookstate_;
  std::unique_ptr<HistorySink> history_;

  std::atomic<bool> stop_ingest_{false};
  std::atomic<bool> stop_engine_{false};
  std::atomic<bool> engine_done_{false};
  std::atomic<bool> stop_sinks_{false};
  std::thread ingest_thread_, engine_thread_, committer_thread_, publisher_thread_,
      bookstate_thread_, history_thread_;
  bool running_ = false;
};

}  // namespace exchange
