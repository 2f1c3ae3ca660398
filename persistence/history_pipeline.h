// HistoryPipeline: writes HistoryBatches over several PostgreSQL
// connections at once and commits them in the order they were submitted.
//
// One connection is bound by PostgreSQL's single backend process: inserting
// a trade costs it ~3 µs (heap, the (symbol, time) B-tree, BRIN, the
// accounts GIN), so about 300,000 trades/s at best with nothing else on
// the core. Here batch k is copied on connection k mod N while batch k-1
// commits on another, so the backends work in parallel; only the commit
// step (candle merge, progress row, COMMIT) is taken in turn, which also
// keeps two transactions from ever waiting on each other's candle rows.
//
// Exactly once, as with one HistoryWriter: batch k commits only after
// batch k-1 did. After the first failure nothing more commits (later
// batches are rolled back); failure() says why, and the owner drops the
// pipeline and submits the uncommitted batches to a new one.
//
// Submit, TakeCommitted, failure and writer() are for one owner thread (the
// history sink's); the pipeline's own threads do the writing.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "persistence/history_writer.h"

namespace exchange::persistence {

class HistoryPipeline {
 public:
  struct Committed {
    Sequence up_to = 0;
    std::size_t rows = 0;  // trades and orders stored (refused rows excluded)
    std::vector<HistoryWriter::RefusedRow> refused;
    std::chrono::steady_clock::time_point committed_at;
  };

  // Connects `connections` (at least 1) writers; throws as HistoryWriter
  // does. `on_done` is called from a pipeline thread after each commit and
  // on failure (to wake the owner); it must not block.
  HistoryPipeline(const HistoryWriter::Options& options, std::size_t connections, Timestamp now,
                  std::function<void()> on_done = {});
  // Stops the threads; batches not committed are rolled back.
  ~HistoryPipeline();
  HistoryPipeline(const HistoryPipeline&) = delete;
  HistoryPipeline& operator=(const HistoryPipeline&) = delete;

  // The first connection, for Progress, NewestCandles and SaveInstruments
  // before anything is submitted.
  HistoryWriter& writer() { return *workers_.front()->writer; }
  const std::string& address() const { return workers_.front()->writer->address(); }

  // Queues `batch` (kept until it commits or the pipeline is dropped).
  void Submit(std::shared_ptr<const HistoryBatch> batch);
  // The batches committed since the last call, in submission order.
  std::vector<Committed> TakeCommitted();
  // Why the pipeline stopped committing; "" while it works.
  std::string failure() const;
  // Submitted and not yet committed.
  std::size_t in_flight() const;

 private:
  struct Job {
    std::size_t index;
    std::shared_ptr<const HistoryBatch> batch;
  };
  struct Worker {
    std::unique_ptr<HistoryWriter> writer;
    std::deque<Job> jobs;
    std::thread thread;
  };

  void Work(Worker& worker);
  bool NextJob(Worker& worker, Job* job);
  void WriteJob(Worker& worker, const Job& job);
  // Blocks until job `index` may commit; false if it never will.
  bool WaitForTurn(std::size_t index);
  void Fail(const std::string& why);

  std::function<void()> on_done_;
  std::vector<std::unique_ptr<Worker>> workers_;

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::size_t submitted_ = 0;    // jobs handed out
  std::size_t next_commit_ = 0;  // the job whose turn it is to commit
  std::vector<Committed> committed_;
  std::string failure_;
  bool stopping_ = false;
};

}  // namespace exchange::persistence
