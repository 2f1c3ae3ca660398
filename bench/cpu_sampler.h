// CpuSampler: the CPU time of every thread of some processes, and how busy
// all cores were, between two steady-clock times, sampled (/proc) on a
// thread of its own so that a benchmark's sender is never held up by
// reading /proc. Used by `exchange-bench fix`.
//
// Started, stopped and read by the run's thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "bench/bench_clock.h"
#include "testing/proc_stats.h"

namespace exchange::bench {

struct ThreadUse {
  std::string name;
  double cpu_pct = 0;         // of one core
  double switches_per_s = 0;  // context switches per second
};

struct ProcessUse {
  bool known = false;
  double cpu_pct = 0;              // all threads, of one core
  std::vector<ThreadUse> threads;  // by thread id (creation order)
};

// What each thread of `b` used since `a`, over `seconds`.
ProcessUse Difference(const std::vector<testing::ThreadSample>& a,
                      const std::vector<testing::ThreadSample>& b, double seconds);

// Samples the threads of some processes at two steady-clock times on a thread
// of its own (the sender is never held up by reading /proc).
class CpuSampler {
 public:
  CpuSampler(std::vector<int> pids, std::int64_t from_ns, std::int64_t to_ns)
      : pids_(std::move(pids)), from_ns_(from_ns), to_ns_(to_ns) {
    thread_ = std::thread([this] { Loop(); });
  }
  ~CpuSampler() { Stop(); }
  CpuSampler(const CpuSampler&) = delete;
  CpuSampler& operator=(const CpuSampler&) = delete;

  void Stop() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }
  // After Stop(): per process (in the order of the pids), or unknown ones.
  std::vector<ProcessUse> Result() const {
    std::vector<ProcessUse> out(pids_.size());
    if (!done_) return out;
    const double seconds = static_cast<double>(end_ns_ - start_ns_) / 1e9;
    for (std::size_t i = 0; i < pids_.size(); ++i)
      out[i] = Difference(start_[i], end_[i], seconds);
    return out;
  }
  // After Stop(): how busy all cores were, 0..100 (-1: unknown).
  double MachineBusyPct() const {
    if (!done_ || machine_end_.second <= machine_start_.second) return -1;
    return (machine_end_.first - machine_start_.first) /
           (machine_end_.second - machine_start_.second) * 100;
  }

 private:
  bool WaitUntil(std::int64_t ns) {
    std::unique_lock lock(mutex_);
    const auto until = Clock::time_point(std::chrono::nanoseconds(ns));
    return !cv_.wait_until(lock, until, [this] { return stop_; });
  }
  void Loop() {
    if (!WaitUntil(from_ns_)) return;
    start_ns_ = NowNs();
    machine_start_ = testing::MachineJiffies();
    for (int pid : pids_)
      start_.push_back(testing::SampleThreads(pid));
    if (!WaitUntil(to_ns_)) return;
    end_ns_ = NowNs();
    machine_end_ = testing::MachineJiffies();
    for (int pid : pids_)
      end_.push_back(testing::SampleThreads(pid));
    done_ = true;
  }

  std::vector<int> pids_;
  std::int64_t from_ns_, to_ns_;
  std::int64_t start_ns_ = 0, end_ns_ = 0;
  std::vector<std::vector<testing::ThreadSample>> start_, end_;
  std::pair<double, double> machine_start_, machine_end_;
  bool done_ = false;  // read after the thread is joined
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace exchange::bench
