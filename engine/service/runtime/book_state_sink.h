// BookStateSink: the engine service's Redis sink. It keeps every symbol's
// BookView from the slots the committer hands it (events and depth
// changes), drops each slot at once, and writes what changed to Redis in
// one MULTI/EXEC per round (BookStateWriter): however slow Redis is, the
// pipeline never waits for it, and a burst of changes to one level becomes
// one write. The views start from the recovered engine (SeedBookViews) and
// are written whole at start-up.
//
// Redis down or restarted: the sink goes on keeping the views, reconnects
// with back-off (100 ms doubling to 500 ms), then writes every view whole, so
// the view converges to the engine's book as soon as Redis is back.
//
// Runs on its own thread (Run); built on the main thread.
#pragma once

#include <prometheus/histogram.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <vector>

#include "bookstate/book_state_writer.h"
#include "bookstate/book_view.h"
#include "bookstate/book_view_seed.h"
#include "bookstate/redis_client.h"
#include "engine/engine.h"
#include "engine/service/runtime/pipeline_slot.h"
#include "engine/service/runtime/service_stats.h"
#include "engine/service/runtime/sink_channel.h"

namespace exchange {

class BookStateSink {
 public:
  struct Options {
    redis::RedisUrl url;
    std::size_t stream_max_length = 100'000;
  };

  // `seeded_up_to`: the engine sequence the views already include (events
  // at or below it are skipped). `lag_seconds` may be null.
  BookStateSink(Options options, SinkChannel& channel, SlotPool& pool, bookstate::BookViews views,
                Sequence seeded_up_to, prometheus::Histogram* lag_seconds);

  // Until `stop` is set and the queue is empty; then one last write if
  // Redis is up.
  void Run(const std::atomic<bool>& stop);

  // Views and writes (benchmarks).
  const bookstate::BookViews& views() const { return views_; }

 private:
  using Clock = std::chrono::steady_clock;

  std::size_t TakeSlots();
  void Write();
  bool Connect();

  Options options_;
  SinkChannel& channel_;
  SlotPool& pool_;
  bookstate::BookViews views_;
  Sequence seeded_up_to_;
  prometheus::Histogram* lag_seconds_;
  bookstate::BookStateWriter writer_;
  std::unique_ptr<redis::RedisClient> client_;
  bool rewrite_ = true;  // the next write replaces every view whole
  Sequence taken_sequence_ = 0;
  std::vector<Clock::time_point> unwritten_;  // dispatch times of slots not written yet
  Clock::time_point next_attempt_{};
  std::chrono::milliseconds backoff_{100};
  std::string last_failure_;
};

}  // namespace exchange
