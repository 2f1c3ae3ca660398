// EngineLoop: the engine thread. Takes decoded batches from the ingest
// thread, journals and applies them through EngineCore (the only I/O is the
// journal write), and hands each slot with its events to the committer in
// groups: one journal write() per group. Starts a background (fork) snapshot
// every `snapshot_every` journal records. No locks, no clock, no network:
// when the committer or the sinks fall behind, the slot pool runs dry on the
// ingest side and this thread simply finds no input.
//
// Owned by EngineService; Run() is the engine thread's body.
#pragma once

#include <atomic>
#include <cstdint>
#include <vector>

#include "engine_service/core/engine_core.h"
#include "engine_service/pipeline/doorbell.h"
#include "engine_service/pipeline/pipeline_slot.h"
#include "engine_service/service_stats.h"

namespace exchange {

class EngineLoop {
 public:
  EngineLoop(EngineCore& core, SlotQueue& from_ingest, Doorbell& bell, SlotQueue& to_committer,
             Doorbell& committer_bell, std::uint64_t snapshot_every, bool collect_depth,
             ServiceStats& stats);

  // Runs until `stop` is set and the input queue is empty.
  void Run(const std::atomic<bool>& stop);

 private:
  void Process(PipelineSlot* slot);
  void HandOver();
  void MaybeSnapshot();

  static constexpr std::size_t kMaxGroup = 256;

  EngineCore& core_;
  SlotQueue& from_ingest_;
  Doorbell& bell_;
  SlotQueue& to_committer_;
  Doorbell& committer_bell_;
  std::uint64_t snapshot_every_;
  bool collect_depth_;  // fill PipelineSlot::depth (a depth sink runs)
  ServiceStats& stats_;
  std::vector<PipelineSlot*> group_;
  std::uint64_t next_snapshot_at_;
};

}  // namespace exchange
