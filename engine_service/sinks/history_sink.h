// HistorySink: the engine service's PostgreSQL sink: every trade, the final
// state of every finished order, and the candles of every interval. Events
// become rows on this thread (TRADE events: trade rows and candle changes
// through a CandleAggregator; every event: the OrderTracker, for finished
// orders); a batch of at most `batch_rows` rows, or `batch_age` old, is
// written by HistoryWriter in one transaction together with the shard's
// progress, and the progress is then mirrored in a local watermark file
// (journal retention and recovery use it; it is never ahead of PostgreSQL).
//
// Exactly once (persistence/README.md): the tracker starts from the engine
// state recovery started from and sees every event after it, in order (the
// replayed ones, then the pipeline's). Until the sink has read the shard's
// progress P from PostgreSQL it only keeps events; from then on, events at
// or below P go to the tracker alone and rows are made only of events above
// P. The candle aggregator continues from the newest stored candles.
//
// The live (open) candle of each symbol and interval goes to Redis as each
// batch closes, when a Redis URL is given (LiveCandleSink).
//
// Batches are written by a HistoryPipeline of `connections` connections
// (several batches in flight, committed in order), so the sink thread never
// waits for PostgreSQL and goes on making rows while batches commit.
//
// PostgreSQL down or restarted: the sink goes on taking slots (the engine
// never waits), keeps closed batches in order, reconnects with back-off
// (100 ms doubling to 2 s) and writes them. Memory is bounded: once
// `memory_rows` rows wait (or `memory_rows` events wait for the first
// connection), further events go to an EventSpool file and are turned into
// rows when the backlog has drained, in order (live candles in Redis pause
// meanwhile). A row PostgreSQL refuses is logged and appended to
// `refused_path`; the rest of its batch commits.
//
// Runs on its own thread (Run); built on the main thread.
#pragma once

#include <atomic>
#include <chrono>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "candles/candle_aggregator.h"
#include "engine_service/pipeline/pipeline_slot.h"
#include "engine_service/pipeline/sink_channel.h"
#include "engine_service/service_stats.h"
#include "engine_service/sinks/event_spool.h"
#include "engine_service/sinks/live_candle_sink.h"
#include "persistence/history_pipeline.h"
#include "persistence/history_writer.h"
#include "persistence/order_tracker.h"

namespace exchange {

class HistorySink {
 public:
  struct Options {
    persistence::HistoryWriter::Options writer;
    std::size_t batch_rows = 50'000;
    std::chrono::milliseconds batch_age{50};
    std::string watermark_path;                           // the local mirror of the stored progress
    std::string refused_path;                             // refused rows are appended here
    std::vector<persistence::InstrumentRow> instruments;  // saved at each connection
    std::vector<AssetSpec> assets;                        // likewise
    std::string redis_url;                                // the live candles go here; "" for none
    std::size_t connections = 2;                          // writing at once (HistoryPipeline)
    std::size_t memory_rows = 1'000'000;                  // waiting rows kept in memory, at most
    std::string spool_path;                               // events beyond that wait here
  };

  // `tracker`: seeded from the engine state recovery started from;
  // `replayed`: every event recovery replayed after that state, in order;
  // slot events at or below `recovered_up_to` (the engine's sequence after
  // recovery) are among them and are skipped.
  HistorySink(Options options, SinkChannel& channel, SlotPool& pool, ServiceStats& stats,
              persistence::OrderTracker tracker, std::vector<wire::EventRecord> replayed,
              Sequence recovered_up_to);

  // Until `stop` is set and the queue is empty; then a last write if
  // PostgreSQL is up.
  void Run(const std::atomic<bool>& stop);

 private:
  using Clock = std::chrono::steady_clock;

  std::size_t TakeSlots();
  void Take(const wire::EventRecord& record);
  // Applies one event in order: tracker always, rows above the progress.
  void Process(const wire::EventRecord& record);
  bool Connect();
  // Reads the stored progress and restores the candles; then processes
  // what waited for it.
  void Start();
  // Appends to the spool; reports a failed write once.
  void Spool(const wire::EventRecord& record);
  // Processes spooled events while the rows in memory leave room.
  void DrainSpool();
  void CloseBatchIfDue(bool force);
  // Hands the closed batches to the pipeline; takes what committed.
  void WriteClosedBatches();
  void TakeCommitted();
  std::size_t RowsInMemory() const { return open_rows_ + closed_rows_; }
  void SaveWatermark(Sequence up_to);
  void KeepRefused(const std::vector<persistence::HistoryWriter::RefusedRow>& refused);
  void Disconnect(const std::string& why);

  Options options_;
  SinkChannel& channel_;
  SlotPool& pool_;
  ServiceStats& stats_;
  persistence::OrderTracker tracker_;
  candles::CandleAggregator aggregator_;
  Sequence recovered_up_to_;
  std::unique_ptr<persistence::HistoryPipeline> pipeline_;
  std::atomic<bool> committed_signal_{false};  // set by the pipeline's threads

  bool started_ = false;                    // the stored progress is known
  std::vector<wire::EventRecord> waiting_;  // events before that
  EventSpool spool_;                        // events beyond the memory bound, in order
  bool spool_broken_ = false;               // unreadable: stop storing (a restart replays)
  std::string last_spool_problem_;          // the write failure last logged
  Sequence progress_ = 0;                   // stored, or about to be
  persistence::HistoryBatch open_;          // being filled
  std::size_t open_rows_ = 0;
  // The fees of the open batch's last trade, from its settlement.
  persistence::TradeSettlement settlement_;
  std::uint64_t unsettled_fees_ = 0;  // settlement events whose trade row was gone
  Clock::time_point open_since_{};    // when the batch before it closed
  std::deque<std::shared_ptr<const persistence::HistoryBatch>> closed_;  // not yet committed
  std::size_t closed_rows_ = 0;
  std::size_t submitted_ = 0;  // closed_'s first batches, handed to pipeline_
  std::vector<persistence::FinishedOrder> finished_;

  std::unique_ptr<LiveCandleSink> live_candles_;  // when a Redis URL is given
  Clock::time_point next_attempt_{};
  std::chrono::milliseconds backoff_{100};
  std::string last_failure_;
};

}  // namespace exchange
