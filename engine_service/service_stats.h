// ServiceStats: the engine service's counters and gauges as plain relaxed
// atomics. Each field has one writer thread (named beside it), so updating
// one costs a store and never a lock; the metrics endpoint reads them all
// when Prometheus scrapes (service_metrics.h).
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>

namespace exchange {

struct SinkStats {
  std::atomic<std::uint64_t> queued{0};      // slots handed to the sink (committer)
  std::atomic<std::uint64_t> done{0};        // slots the sink finished (sink)
  std::atomic<std::uint64_t> sequence{0};    // highest event sequence delivered (sink)
  std::atomic<std::uint64_t> messages{0};    // messages written out (sink)
  std::atomic<std::uint64_t> reconnects{0};  // connections re-established (sink)
  std::atomic<int> connected{0};             // 1 while connected (sink)
};

struct ServiceStats {
  // ingest thread
  std::atomic<std::uint64_t> messages_in{0};
  std::atomic<std::uint64_t> messages_dead_lettered{0};
  std::atomic<std::uint64_t> records_in{0};
  std::atomic<std::uint64_t> ingest_queued{0};
  std::atomic<std::uint64_t> ingest_reconnects{0};
  std::atomic<std::uint64_t> acked_deliveries{0};
  std::atomic<std::uint64_t> ingest_stalls{0};  // times no pipeline slot was free
  std::atomic<int> ingest_connected{0};
  // engine thread
  std::atomic<std::uint64_t> engine_taken{0};
  std::atomic<std::uint64_t> commands_applied{0};
  std::atomic<std::uint64_t> commands_duplicate{0};
  std::atomic<std::uint64_t> events{0};
  std::atomic<std::uint64_t> engine_sequence{0};
  std::atomic<std::uint64_t> journal_index{0};
  std::atomic<std::uint64_t> committer_queued{0};
  std::atomic<std::uint64_t> snapshots_started{0};
  std::atomic<std::uint64_t> snapshots_completed{0};
  std::atomic<std::uint64_t> snapshots_failed{0};
  std::atomic<std::uint64_t> last_snapshot_index{0};
  // committer thread
  std::atomic<std::uint64_t> committer_taken{0};
  std::atomic<std::uint64_t> journal_syncs{0};
  std::atomic<std::uint64_t> durable_sequence{0};
  // publisher sink
  std::atomic<std::uint64_t> published_up_to{0};
  std::atomic<std::uint64_t> published_saved{0};  // what the watermark file says

  SinkStats publisher;
  SinkStats bookstate;               // the Redis book-state sink
  std::atomic<int> bookstate_on{0};  // 1 when that sink runs (main thread, before start)
  SinkStats history;                 // the PostgreSQL history sink (messages: rows written)
  std::atomic<int> history_on{0};    // 1 when that sink runs (main thread, before start)
  std::atomic<std::uint64_t> history_saved{0};    // what its watermark file says
  std::atomic<std::uint64_t> history_refused{0};  // rows PostgreSQL refused (kept in a file)

  // What recovery must still be able to replay from: every sink that needs
  // old events has stored everything up to here.
  std::uint64_t RetainUpTo() const {
    const std::uint64_t published = published_saved.load(std::memory_order_relaxed);
    if (history_on.load(std::memory_order_relaxed) == 0) return published;
    return std::min(published, history_saved.load(std::memory_order_relaxed));
  }
};

}  // namespace exchange
