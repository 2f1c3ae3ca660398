#include "persistence/history_pipeline.h"

namespace exchange::persistence {

HistoryPipeline::HistoryPipeline(const HistoryWriter::Options& options, std::size_t connections,
                                 Timestamp now, std::function<void()> on_done)
    : on_done_(std::move(on_done)) {
  for (std::size_t i = 0; i < std::max<std::size_t>(connections, 1); ++i) {
    auto worker = std::make_unique<Worker>();
    worker->writer = std::make_unique<HistoryWriter>(options, now);
    workers_.push_back(std::move(worker));
  }
  for (auto& worker : workers_)
    worker->thread = std::thread([this, w = worker.get()] { Work(*w); });
}

HistoryPipeline::~HistoryPipeline() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  for (auto& worker : workers_)
    worker->thread.join();
}

void HistoryPipeline::Submit(std::shared_ptr<const HistoryBatch> batch) {
  {
    std::lock_guard lock(mutex_);
    const std::size_t index = submitted_++;
    workers_[index % workers_.size()]->jobs.push_back(Job{index, std::move(batch)});
  }
  changed_.notify_all();
}

std::vector<HistoryPipeline::Committed> HistoryPipeline::TakeCommitted() {
  std::lock_guard lock(mutex_);
  std::vector<Committed> out;
  out.swap(committed_);
  return out;
}

std::string HistoryPipeline::failure() const {
  std::lock_guard lock(mutex_);
  return failure_;
}

std::size_t HistoryPipeline::in_flight() const {
  std::lock_guard lock(mutex_);
  return submitted_ - next_commit_;
}

void HistoryPipeline::Work(Worker& worker) {
  Job job;
  while (NextJob(worker, &job))
    WriteJob(worker, job);
}

bool HistoryPipeline::NextJob(Worker& worker, Job* job) {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return stopping_ || (!worker.jobs.empty() && failure_.empty()); });
  if (stopping_) return false;
  *job = std::move(worker.jobs.front());
  worker.jobs.pop_front();
  return true;
}

void HistoryPipeline::WriteJob(Worker& worker, const Job& job) {
  try {
    std::vector<HistoryWriter::RefusedRow> refused = worker.writer->Begin(*job.batch);
    if (!WaitForTurn(job.index)) {
      worker.writer->Rollback();
      return;
    }
    worker.writer->Commit(*job.batch);
    const std::size_t rows = job.batch->trades.size() + job.batch->orders.size() - refused.size();
    {
      std::lock_guard lock(mutex_);
      committed_.push_back(
          Committed{job.batch->up_to, rows, std::move(refused), std::chrono::steady_clock::now()});
      ++next_commit_;
    }
    changed_.notify_all();
    if (on_done_) on_done_();
  } catch (const PgError& e) {
    Fail(e.what());
  }
}

bool HistoryPipeline::WaitForTurn(std::size_t index) {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return stopping_ || !failure_.empty() || next_commit_ == index; });
  return next_commit_ == index && failure_.empty() && !stopping_;
}

void HistoryPipeline::Fail(const std::string& why) {
  {
    std::lock_guard lock(mutex_);
    if (failure_.empty()) failure_ = why;
  }
  changed_.notify_all();
  if (on_done_) on_done_();
}

}  // namespace exchange::persistence
