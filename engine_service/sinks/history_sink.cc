#include "engine_service/sinks/history_sink.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <fstream>

#include "engine_service/pipeline/publish_watermark.h"
#include "persistence/migration.h"

namespace exchange {

namespace {

constexpr std::size_t kMaxSlotsPerRound = 1024;
constexpr std::chrono::milliseconds kMaxBackoff{2000};
constexpr std::chrono::seconds kStopDrainTime{10};

Timestamp WallClockNow() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::size_t Rows(const persistence::HistoryBatch& b) {
  return b.trades.size() + b.orders.size();
}

}  // namespace

HistorySink::HistorySink(Options options, SinkChannel& channel, SlotPool& pool, ServiceStats& stats,
                         persistence::OrderTracker tracker, std::vector<wire::EventRecord> replayed,
                         Sequence recovered_up_to)
    : options_(std::move(options)),
      channel_(channel),
      pool_(pool),
      stats_(stats),
      tracker_(std::move(tracker)),
      recovered_up_to_(recovered_up_to),
      waiting_(std::move(replayed)),
      spool_(options_.spool_path) {
  if (!options_.redis_url.empty())
    live_candles_ = std::make_unique<LiveCandleSink>(options_.redis_url);
}

void HistorySink::Run(const std::atomic<bool>& stop) {
  for (;;) {
    const std::size_t taken = TakeSlots();
    if (!started_ && Connect()) Start();
    DrainSpool();
    CloseBatchIfDue(/*force=*/false);
    if (!closed_.empty() && Connect()) WriteClosedBatches();
    if (taken > 0) continue;
    if (stop.load(std::memory_order_acquire) && channel_.queue.read_available() == 0) break;
    // Wake for the next batch deadline, a commit, or to retry PostgreSQL.
    const bool due = !closed_.empty() || !started_ || open_rows_ > 0 || open_.up_to > progress_ ||
                     !spool_.empty();
    channel_.bell.Wait(
        [&] {
          return channel_.queue.read_available() > 0 || stop.load() ||
                 committed_signal_.load(std::memory_order_relaxed);
        },
        due ? static_cast<int>(options_.batch_age.count()) : -1);
  }
  // The last rows, if PostgreSQL is there to take them, for a few seconds
  // at most: what is left, the next start replays from the journal.
  const auto give_up = Clock::now() + kStopDrainTime;
  while (started_ && Clock::now() < give_up &&
         (!closed_.empty() || !spool_.empty() || open_rows_ > 0 || open_.up_to > progress_)) {
    DrainSpool();
    CloseBatchIfDue(/*force=*/true);
    if (!Connect()) break;
    WriteClosedBatches();
    if (!closed_.empty() && pipeline_) {
      channel_.bell.Wait([&] { return committed_signal_.load(std::memory_order_relaxed); },
                         static_cast<int>(options_.batch_age.count()));
    }
  }
  pipeline_.reset();
  if (!closed_.empty() || !started_) {
    spdlog::warn("history: stopping with events after {} not stored; the next start replays them",
                 progress_);
  }
}

std::size_t HistorySink::TakeSlots() {
  std::size_t n = 0;
  PipelineSlot* slot = nullptr;
  while (n < kMaxSlotsPerRound && channel_.queue.pop(slot)) {
    for (const wire::EventRecord& r : slot->events)
      Take(r);
    pool_.Drop(slot);
    channel_.stats.done.fetch_add(1, std::memory_order_relaxed);
    ++n;
  }
  return n;
}

void HistorySink::Take(const wire::EventRecord& record) {
  if (record.event.sequence <= recovered_up_to_) return;  // came in `replayed`
  if (spool_broken_) return;                              // not stored; a restart replays
  if (!spool_.empty()) {
    Spool(record);  // behind what is already there
  } else if (started_ && RowsInMemory() < options_.memory_rows) {
    Process(record);
  } else if (!started_ && waiting_.size() < options_.memory_rows) {
    waiting_.push_back(record);
  } else {
    Spool(record);
    spdlog::warn("history: {} rows wait for postgresql; further events wait in {}", RowsInMemory(),
                 options_.spool_path);
  }
}

void HistorySink::Spool(const wire::EventRecord& record) {
  spool_.Append(record);
  const std::string& problem = spool_.write_problem();
  if (!problem.empty() && problem != last_spool_problem_) {
    spdlog::error("history: {}; the spooled events stay in memory", problem);
  }
  last_spool_problem_ = problem;
}

void HistorySink::DrainSpool() {
  if (!started_ || spool_.empty() || spool_broken_) return;
  std::vector<wire::EventRecord> events;
  while (!spool_.empty() && RowsInMemory() < options_.memory_rows) {
    events.clear();
    if (const std::string problem = spool_.Take(4096, events); !problem.empty()) {
      spdlog::error(
          "history: {}; the history stops at engine sequence {} until the service restarts "
          "(the journal keeps the rest and recovery replays it)",
          problem, progress_);
      spool_broken_ = true;
      return;
    }
    for (const wire::EventRecord& r : events)
      Process(r);
  }
  if (spool_.empty()) spdlog::info("history: the spooled events are rows again");
}

void HistorySink::Process(const wire::EventRecord& record) {
  const Event& e = record.event;
  finished_.clear();
  tracker_.Apply(record, &finished_);
  if (e.sequence <= progress_) return;  // stored before
  // A full batch closes before an event, never inside a trade's settlement
  // (its fees go into the trade's row).
  const bool settles = e.type == EventType::kBalance && e.trade_sequence != 0;
  if (open_rows_ >= options_.batch_rows && !settles) CloseBatchIfDue(/*force=*/true);
  if (e.type == EventType::kTrade) {
    open_.trades.push_back(persistence::TradeRowOf(record.symbol, e));
    settlement_.Begin(&open_.trades.back());
    aggregator_.Add(
        candles::CandleTrade{record.symbol, e.sequence, e.timestamp, e.price, e.quantity});
    ++open_rows_;
  } else if (e.type == EventType::kBalance) {
    open_.ledger.push_back(persistence::LedgerRowOf(record.symbol, record.asset, e));
    if (!settlement_.Apply(record.asset, e) && unsettled_fees_++ == 0) {
      spdlog::warn(
          "history: trade {}'s settlement came after its row was written: its fees are missing "
          "from `trades` (the ledger has them)",
          e.trade_sequence);
    }
    ++open_rows_;
  }
  open_.orders.insert(open_.orders.end(), finished_.begin(), finished_.end());
  open_rows_ += finished_.size();
  open_.up_to = e.sequence;
}

bool HistorySink::Connect() {
  if (pipeline_) return true;
  if (Clock::now() < next_attempt_) return false;
  try {
    auto pipeline = std::make_unique<persistence::HistoryPipeline>(
        options_.writer, options_.connections, WallClockNow(), [this] {
          committed_signal_.store(true, std::memory_order_relaxed);
          channel_.bell.Ring();
        });
    pipeline->writer().SaveInstruments(options_.instruments);
    pipeline->writer().SaveAssets(options_.assets);
    pipeline_ = std::move(pipeline);  // only a pipeline that got this far counts as connected
    submitted_ = 0;
    spdlog::info("history: connected to postgresql {} (schema {}, {} connections)",
                 pipeline_->address(), options_.writer.schema, options_.connections);
    channel_.stats.connected.store(1, std::memory_order_relaxed);
    channel_.stats.reconnects.fetch_add(1, std::memory_order_relaxed);
    last_failure_.clear();
    backoff_ = std::chrono::milliseconds(100);
    return true;
  } catch (const std::exception& e) {  // PgError, MigrationError, pqxx errors
    if (last_failure_ != e.what()) spdlog::warn("history: {}; retrying", e.what());
    last_failure_ = e.what();
    next_attempt_ = Clock::now() + backoff_;
    backoff_ = std::min(backoff_ * 2, kMaxBackoff);
    return false;
  }
}

void HistorySink::Start() {
  try {
    progress_ = pipeline_->writer().Progress();
    for (const candles::Candle& c : pipeline_->writer().NewestCandles())
      aggregator_.Restore(c, progress_);
  } catch (const persistence::PgError& e) {
    Disconnect(e.what());
    return;
  }
  started_ = true;
  spdlog::info("history: stored up to engine sequence {}; {} events waited for that", progress_,
               waiting_.size());
  SaveWatermark(progress_);
  open_since_ = Clock::now();
  std::vector<wire::EventRecord> waiting;
  waiting.swap(waiting_);
  for (const wire::EventRecord& r : waiting)
    Process(r);
}

void HistorySink::CloseBatchIfDue(bool force) {
  if (!started_) return;
  const bool has_rows = open_rows_ > 0;
  const bool advances =
      open_.up_to > progress_ || (!closed_.empty() && open_.up_to > closed_.back()->up_to);
  if (!has_rows && !advances) return;
  if (!force && Clock::now() - open_since_ < options_.batch_age) return;
  open_.candles = aggregator_.TakeChanges();
  if (live_candles_) live_candles_->Write(aggregator_, open_.candles);
  closed_rows_ += open_rows_;
  settlement_.Begin(nullptr);  // the closed batch is the writer's
  closed_.push_back(std::make_shared<const persistence::HistoryBatch>(std::move(open_)));
  open_ = persistence::HistoryBatch{};
  open_rows_ = 0;
  open_since_ = Clock::now();
}

void HistorySink::WriteClosedBatches() {
  for (; submitted_ < closed_.size(); ++submitted_)
    pipeline_->Submit(closed_[submitted_]);
  TakeCommitted();
}

void HistorySink::TakeCommitted() {
  committed_signal_.store(false, std::memory_order_relaxed);
  for (auto& c : pipeline_->TakeCommitted()) {
    if (!c.refused.empty()) KeepRefused(c.refused);
    channel_.stats.messages.fetch_add(c.rows, std::memory_order_relaxed);
    channel_.stats.sequence.store(c.up_to, std::memory_order_relaxed);
    progress_ = std::max(progress_, c.up_to);
    SaveWatermark(c.up_to);
    closed_rows_ -= Rows(*closed_.front());
    closed_.pop_front();
    --submitted_;
  }
  if (const std::string why = pipeline_->failure(); !why.empty()) Disconnect(why);
}

void HistorySink::SaveWatermark(Sequence up_to) {
  if (const std::string problem = WriteWatermarkFile(options_.watermark_path, up_to);
      !problem.empty()) {
    spdlog::warn("history: {}", problem);  // only retention and recovery start lag behind
    return;
  }
  stats_.history_saved.store(up_to, std::memory_order_relaxed);
}

void HistorySink::KeepRefused(const std::vector<persistence::HistoryWriter::RefusedRow>& refused) {
  stats_.history_refused.fetch_add(refused.size(), std::memory_order_relaxed);
  std::ofstream out(options_.refused_path, std::ios::app);
  for (const auto& r : refused) {
    spdlog::error("history: postgresql refused a row of {}: {} (row kept in {})", r.table, r.reason,
                  options_.refused_path);
    out << r.table << '\t' << r.row << '\t' << r.reason << '\n';
  }
  if (!out) spdlog::error("history: cannot append to {}", options_.refused_path);
}

void HistorySink::Disconnect(const std::string& why) {
  spdlog::warn("history: {}; reconnecting", why);
  pipeline_.reset();  // rolls back what had not committed; written again after reconnecting
  submitted_ = 0;
  channel_.stats.connected.store(0, std::memory_order_relaxed);
  next_attempt_ = Clock::now() + backoff_;
  backoff_ = std::min(backoff_ * 2, kMaxBackoff);
}

}  // namespace exchange
