// BookStateSink: the engine service's Redis sink. It keeps every symbol's
// BookView from the slots the committer hands it (events and depth
// changes), drops each slot at once, and writes what changed to Redis in
// one MULTI/EXEC per round (BookStateWriter): however slow Redis is, the
// pipeline never waits for it, and a burst of changes to one level becomes
// one write. Up to four transactions are in flight on the connection: the
// next round is prepared and sent while Redis answers the previous ones, so
// a change waits for one round trip, not for the one before it too. The
// views start from the recovered engine (SeedBookViews) and are written
// whole at start-up.
//
// Redis down, restarted or refusing a write: the sink goes on keeping the
// views, drops the connection and whatever was in flight, reconnects with
// back-off (100 ms doubling to 500 ms), then writes every view whole, so the
// view converges to the engine's book as soon as Redis is back.
//
// Runs on its own thread (Run); built on the main thread.
#pragma once

#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "bookstate/book_state_writer.h"
#include "bookstate/book_view.h"
#include "bookstate/book_view_seed.h"
#include "bookstate/redis_client.h"
#include "engine/engine.h"
#include "engine_service/pipeline/pipeline_slot.h"
#include "engine_service/pipeline/sink_channel.h"
#include "engine_service/service_stats.h"

namespace exchange {

class BookStateSink {
 public:
  using Clock = std::chrono::steady_clock;
  // Told, once per slot, when the committer handed it over and when Redis
  // confirmed the write that holds it (the view's lag: the metric, or the
  // benchmark's exact percentiles). Called on the sink thread.
  using LagObserver = std::function<void(Clock::time_point dispatched, Clock::time_point written)>;

  struct Options {
    redis::RedisUrl url;
    std::size_t stream_max_length = 100'000;
    std::string shard = "main";  // names this shard's balance fields
  };

  // `seeded_up_to`: the engine sequence the views already include (events
  // at or below it are skipped). `observe_lag` may be empty.
  BookStateSink(Options options, SinkChannel& channel, SlotPool& pool, bookstate::BookViews views,
                Sequence seeded_up_to, LagObserver observe_lag);

  // Until `stop` is set and the queue is empty; then one last write if
  // Redis is up.
  void Run(const std::atomic<bool>& stop);

  // Views and writes (benchmarks).
  const bookstate::BookViews& views() const { return views_; }

 private:
  // A transaction sent and not answered yet.
  struct InFlight {
    std::size_t replies = 0;                    // MULTI, QUEUED..., EXEC
    std::vector<Clock::time_point> dispatched;  // of the slots it writes (lag)
    Sequence sequence = 0;                      // the engine sequence it brings the view to
  };

  std::size_t TakeSlots();
  bool WriteDue() const { return rewrite_ || !unwritten_.empty(); }
  // Sends the next transaction when one is due and there is room in flight.
  void Send();
  // Reads the replies that have arrived, completing transactions in order.
  void Collect();
  // Waits for every transaction in flight (stopping).
  void Drain();
  void Complete(InFlight& done);
  // The connection failed or Redis refused a write: everything in flight
  // is void; reconnect after the back-off and rewrite every view.
  void Fail(const std::string& why, bool refused);
  // Sleeps until a slot arrives, Redis answers, `stop` is set, or 100 ms
  // pass when a write waits for Redis to come back.
  void Wait(const std::atomic<bool>& stop);
  bool Connect();

  Options options_;
  SinkChannel& channel_;
  SlotPool& pool_;
  bookstate::BookViews views_;
  Sequence seeded_up_to_;
  LagObserver observe_lag_;
  bookstate::BookStateWriter writer_;
  std::unique_ptr<redis::RedisClient> client_;
  bool rewrite_ = true;  // the next write replaces every view whole
  Sequence taken_sequence_ = 0;
  std::vector<Clock::time_point> unwritten_;  // dispatch times of slots not sent yet
  std::deque<InFlight> in_flight_;
  std::vector<redis::RedisReply> replies_;  // of in_flight_.front(), so far
  Clock::time_point next_attempt_{};
  std::chrono::milliseconds backoff_{100};
  std::string last_failure_;
};

}  // namespace exchange
