#include "engine_service/pipeline/engine_loop.h"

namespace exchange {

EngineLoop::EngineLoop(EngineCore& core, SlotQueue& from_ingest, Doorbell& bell,
                       SlotQueue& to_committer, Doorbell& committer_bell,
                       std::uint64_t snapshot_every, bool collect_depth, ServiceStats& stats)
    : core_(core),
      from_ingest_(from_ingest),
      bell_(bell),
      to_committer_(to_committer),
      committer_bell_(committer_bell),
      snapshot_every_(snapshot_every),
      collect_depth_(collect_depth),
      stats_(stats),
      next_snapshot_at_(core.journal_index() + snapshot_every) {
  group_.reserve(kMaxGroup);
}

void EngineLoop::Run(const std::atomic<bool>& stop) {
  for (;;) {
    PipelineSlot* slot = nullptr;
    if (from_ingest_.pop(slot)) {
      Process(slot);
      if (group_.size() == kMaxGroup) {
        HandOver();
        MaybeSnapshot();
      }
      continue;
    }
    HandOver();
    MaybeSnapshot();
    if (stop.load(std::memory_order_acquire) && from_ingest_.read_available() == 0) break;
    // While a snapshot child runs, wake now and then to reap it.
    bell_.Wait([&] { return from_ingest_.read_available() > 0 || stop.load(); },
               core_.snapshot_running() ? 50 : -1);
  }
  HandOver();
}

void EngineLoop::Process(PipelineSlot* slot) {
  stats_.engine_taken.fetch_add(1, std::memory_order_relaxed);
  slot->events.clear();
  slot->depth.clear();
  const ApplyResult result =
      core_.Apply(slot->batch, &slot->events, collect_depth_ ? &slot->depth : nullptr);
  stats_.commands_applied.fetch_add(result.applied, std::memory_order_relaxed);
  stats_.commands_duplicate.fetch_add(result.duplicates, std::memory_order_relaxed);
  stats_.events.fetch_add(slot->events.size(), std::memory_order_relaxed);
  group_.push_back(slot);
}

// One write() for the whole group, then the committer gets it.
void EngineLoop::HandOver() {
  if (group_.empty()) return;
  core_.FlushJournal();
  stats_.engine_sequence.store(core_.last_sequence(), std::memory_order_relaxed);
  stats_.journal_index.store(core_.journal_index(), std::memory_order_relaxed);
  for (PipelineSlot* slot : group_) {
    to_committer_.push(slot);  // never full: it holds as many entries as there are slots
  }
  stats_.committer_queued.fetch_add(group_.size(), std::memory_order_relaxed);
  group_.clear();
  committer_bell_.Ring();
}

// Called between groups, when the input ran dry: a fork costs about a
// millisecond per 100,000 resting orders (README), and the child writes.
void EngineLoop::MaybeSnapshot() {
  core_.Retain(stats_.RetainUpTo());
  if (core_.snapshot_running()) {
    const std::uint64_t before = core_.last_snapshot_index();
    if (!core_.PollSnapshot()) stats_.snapshots_failed.fetch_add(1, std::memory_order_relaxed);
    if (core_.last_snapshot_index() != before) {
      stats_.snapshots_completed.fetch_add(1, std::memory_order_relaxed);
      stats_.last_snapshot_index.store(core_.last_snapshot_index(), std::memory_order_relaxed);
    }
    return;
  }
  if (snapshot_every_ == 0 || core_.journal_index() < next_snapshot_at_) return;
  if (core_.StartSnapshot()) stats_.snapshots_started.fetch_add(1, std::memory_order_relaxed);
  next_snapshot_at_ = core_.journal_index() + snapshot_every_;
}

}  // namespace exchange
