#include "engine_service/pipeline/journal_committer.h"

#include <chrono>

namespace exchange {

JournalCommitter::JournalCommitter(EngineCore& core, SlotQueue& from_engine, Doorbell& bell,
                                   SlotPool& pool, std::vector<SinkChannel*> sinks,
                                   std::atomic<DeliveryId>& durable, ServiceStats& stats,
                                   prometheus::Histogram* fsync_seconds, bool events_wait_for_fsync)
    : events_wait_for_fsync_(events_wait_for_fsync),
      core_(core),
      from_engine_(from_engine),
      bell_(bell),
      pool_(pool),
      sinks_(std::move(sinks)),
      durable_(durable),
      stats_(stats),
      fsync_seconds_(fsync_seconds) {
  group_.reserve(kMaxGroup);
}

void JournalCommitter::Run(const std::atomic<bool>& engine_done) {
  for (;;) {
    PipelineSlot* slot = nullptr;
    while (group_.size() < kMaxGroup && from_engine_.pop(slot))
      group_.push_back(slot);
    if (!group_.empty()) {
      Commit();
      continue;
    }
    if (engine_done.load(std::memory_order_acquire) && from_engine_.read_available() == 0) break;
    bell_.Wait([&] { return from_engine_.read_available() > 0 || engine_done.load(); });
  }
}

void JournalCommitter::Commit() {
  // Read what the acks need before any sink may recycle a slot.
  DeliveryId newest = 0;
  Sequence last_event = 0;
  for (const PipelineSlot* slot : group_) {
    if (slot->delivery != 0) newest = slot->delivery;
    if (!slot->events.empty()) last_event = slot->events.back().event.sequence;
  }
  if (!events_wait_for_fsync_) Dispatch();
  const auto start = std::chrono::steady_clock::now();
  core_.SyncJournal();
  if (fsync_seconds_ != nullptr) {
    fsync_seconds_->Observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  stats_.journal_syncs.fetch_add(1, std::memory_order_relaxed);
  if (last_event != 0) stats_.durable_sequence.store(last_event, std::memory_order_relaxed);
  if (newest != 0) durable_.store(newest, std::memory_order_release);
  if (events_wait_for_fsync_) Dispatch();
  group_.clear();
}

void JournalCommitter::Dispatch() {
  stats_.committer_taken.fetch_add(group_.size(), std::memory_order_relaxed);
  const auto now = std::chrono::steady_clock::now();
  for (PipelineSlot* slot : group_) {
    if (sinks_.empty()) {
      pool_.Release(slot);
      continue;
    }
    slot->dispatched = now;
    slot->holders.store(static_cast<int>(sinks_.size()), std::memory_order_relaxed);
    for (SinkChannel* sink : sinks_) {
      sink->queue.push(slot);  // never full: as many entries as there are slots
      sink->stats.queued.fetch_add(1, std::memory_order_relaxed);
    }
  }
  for (SinkChannel* sink : sinks_)
    sink->bell.Ring();
}

}  // namespace exchange
