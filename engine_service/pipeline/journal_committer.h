// JournalCommitter: the committer thread. Takes the slots the engine thread
// has written to the journal (write(), in the page cache), makes them durable
// with one fdatasync per group (group commit), then publishes the newest
// durable delivery (the ingest thread acks up to it). It hands the slots to
// every sink either at once (events_wait_for_fsync false: an event leaves
// once its command is in the journal file, which survives the process being
// killed; a power loss could take back an event already published) or only
// after the fdatasync (true: nothing any crash can take back ever leaves, at
// the cost of the fsync latency on every event).
//
// Owned by EngineService; Run() is the committer thread's body. A failed
// fdatasync is fatal (the process exits: nothing unsynced was acked).
#pragma once

#include <prometheus/histogram.h>

#include <atomic>
#include <vector>

#include "engine_service/core/engine_core.h"
#include "engine_service/pipeline/doorbell.h"
#include "engine_service/pipeline/pipeline_slot.h"
#include "engine_service/service_stats.h"
#include "engine_service/pipeline/sink_channel.h"

namespace exchange {

class JournalCommitter {
 public:
  JournalCommitter(EngineCore& core, SlotQueue& from_engine, Doorbell& bell, SlotPool& pool,
                   std::vector<SinkChannel*> sinks, std::atomic<DeliveryId>& durable,
                   ServiceStats& stats, prometheus::Histogram* fsync_seconds,
                   bool events_wait_for_fsync);

  // Runs until `engine_done` is set and the input queue is empty.
  void Run(const std::atomic<bool>& engine_done);

 private:
  void Commit();
  void Dispatch();

  static constexpr std::size_t kMaxGroup = 1024;

  const bool events_wait_for_fsync_;
  EngineCore& core_;
  SlotQueue& from_engine_;
  Doorbell& bell_;
  SlotPool& pool_;
  std::vector<SinkChannel*> sinks_;
  std::atomic<DeliveryId>& durable_;
  ServiceStats& stats_;
  prometheus::Histogram* fsync_seconds_;
  std::vector<PipelineSlot*> group_;
};

}  // namespace exchange
