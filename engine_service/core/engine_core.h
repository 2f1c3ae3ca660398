// EngineCore: the engine service's exactly-once heart, without any network.
// It owns the Engine, the Journal and the SnapshotStore, and turns decoded
// command batches into journaled, deduplicated engine commands and events.
//
// Exactly-once rules it implements:
//  - A command is identified by (producer id, producer sequence). A record
//    whose sequence is not above the last one applied for its producer is a
//    redelivery: it is skipped (not journaled, not applied, no events).
//  - What is applied is journaled first, one journal record per applied
//    batch (the batch's new records), so replay applies exactly the same
//    commands in the same order and reproduces the same events with the same
//    sequence numbers.
//  - Restart: the newest good snapshot holding no event above
//    `published_up_to` (older snapshots and the journal they need are kept
//    for this), then the journal from the snapshot's index. Events replayed with a sequence above
//    `published_up_to` (what the event publisher had confirmed) are handed back for publishing
//    again: consumers drop what they already had by sequence number; nothing is missing.
//
// Owned by the engine service; the engine thread calls everything except
// SyncJournal(), which the committer thread may call concurrently.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/depth_collector.h"
#include "engine/engine.h"
#include "engine_service/core/journal.h"
#include "engine_service/core/snapshot_store.h"
#include "wire/wire_format.h"

namespace exchange {

struct RecoveryReport {
  bool from_snapshot = false;
  std::uint64_t snapshot_index = 0;          // journal index the snapshot covered up to
  std::uint64_t replayed_records = 0;        // journal records applied after it
  std::string journal_damage;                // a cut torn tail, if any
  std::string snapshot_damage;               // damaged or unusable snapshots skipped, if any
  std::string unpublished_gap;               // events that may never have reached consumers
  std::vector<wire::EventRecord> republish;  // replayed events above published_up_to
};

// What a sink that derives state from the event stream (the trade-history
// sink's order tracker) needs from recovery: to start from a snapshot no
// newer than its own progress, to see the engine as that snapshot left it,
// and to see every event the replay produces after it, in order.
struct RecoveryHooks {
  // Recovery starts from a snapshot whose state holds no event above this
  // either (besides `published_up_to`).
  Sequence base_at_most = UINT64_MAX;
  // The engine right after the starting snapshot was loaded (or empty),
  // before the journal is replayed.
  std::function<void(const Engine&)> on_base;
  // Every event the replay produces, in order.
  std::function<void(const wire::EventRecord&)> on_replayed;
};

struct ApplyResult {
  std::size_t applied = 0;     // records applied
  std::size_t duplicates = 0;  // records skipped as redeliveries
  bool journaled = false;      // a journal record was appended
};

class EngineCore {
 public:
  struct Options {
    std::string data_dir;                   // journal/ and snapshots/ go below it
    std::size_t expected_orders = 1 << 16;  // engine sizing
    std::size_t snapshots_kept = 2;         // at least this many newest snapshots stay
  };

  // Recovers the state from data_dir. `published_up_to`: the highest event
  // sequence the publisher had confirmed (0: unknown, republish everything
  // replayed). Throws JournalError / SnapshotError / std::runtime_error.
  EngineCore(const Options& options, Sequence published_up_to, RecoveryReport* report,
             const RecoveryHooks& hooks = {});
  ~EngineCore();

  // Applies one decoded batch. Events go to `events` (appended).
  // With `depth`, also appends the price levels the batch changed
  // (DepthCollector), for a depth view such as the Redis book state.
  ApplyResult Apply(const wire::CommandBatch& batch, std::vector<wire::EventRecord>* events,
                    std::vector<DepthChange>* depth = nullptr);
  // Adds the assets and instruments the engine does not have yet (journaled
  // like any command, under producer id 0). A cash instrument's asset ids
  // index `assets`; they are mapped by name to the engine's own ids.
  void EnsureInstruments(const std::vector<AssetSpec>& assets,
                         const std::vector<InstrumentSpec>& specs,
                         std::vector<wire::EventRecord>* events);
  void EnsureInstruments(const std::vector<InstrumentSpec>& specs,
                         std::vector<wire::EventRecord>* events) {
    EnsureInstruments({}, specs, events);
  }

  // Journal: Flush() on the engine thread, SyncJournal() on the committer.
  void FlushJournal() { journal_->Flush(); }
  void SyncJournal() { journal_->Sync(); }
  std::uint64_t journal_index() const { return journal_->next_index(); }
  bool snapshot_running() const { return snapshots_.running(); }
  std::uint64_t last_snapshot_index() const { return last_snapshot_index_; }

  // Starts a background snapshot of the current state if none is running.
  bool StartSnapshot();
  // Reaps a finished snapshot child. Returns false when the child failed
  // (write error, or killed by its watchdog): the next snapshot retries.
  bool PollSnapshot();
  // Deletes the snapshots and journal segments recovery can no longer need,
  // given that every event up to `published_up_to` reached the consumers.
  void Retain(Sequence published_up_to);
  // Writes a snapshot synchronously (shutdown, tests).
  void SnapshotNow();

  const Engine& engine() const { return *engine_; }
  Sequence last_sequence() const { return engine_->last_sequence(); }
  std::uint64_t last_producer_sequence(std::uint64_t producer_id) const;

 private:
  void RestoreNewestPublishedSnapshot(Sequence published_up_to, RecoveryReport* r);
  void ResetState();
  // Applies records (already deduplicated) without journaling.
  void ApplyRecords(const wire::CommandBatch& batch, std::vector<wire::EventRecord>* events,
                    DepthCollector* depth = nullptr);
  bool IsDuplicate(std::uint64_t producer_id, std::uint64_t sequence) const;
  std::string SerializeState() const;
  void LoadState(std::string_view body);

  Options options_;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<Journal> journal_;
  SnapshotStore snapshots_;
  std::unordered_map<std::uint64_t, std::uint64_t> last_sequence_;  // producer id → sequence
  std::uint64_t last_snapshot_index_ = 0;   // journal index of the newest snapshot written
  std::map<std::uint64_t, Sequence> held_;  // snapshots on disk: journal index → engine sequence
  std::pair<std::uint64_t, Sequence> running_{0, 0};  // the background one being written
  std::uint64_t retained_from_ = 0;                   // nothing below this journal index is left
  std::string scratch_;
  wire::CommandBatch fresh_;
  DepthCollector depth_;
};

}  // namespace exchange
