// The engine's resident memory during an `exchange-bench e2e` run:
// RssSampler samples it once a second on a thread of its own (started and
// stopped by the run's thread); Rss summarizes the samples.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "bench/bench_clock.h"
#include "testing/proc_stats.h"

namespace exchange::bench::e2e {

using namespace std::chrono_literals;

// Samples a process's VmRSS once a second on its own thread.
class RssSampler {
 public:
  struct Sample {
    double seconds;
    double mb;
  };

  explicit RssSampler(int pid) : pid_(pid), start_(Clock::now()) {
    if (pid_ <= 0) return;
    Take();
    thread_ = std::thread([this] {
      std::unique_lock lock(mutex_);
      while (!cv_.wait_for(lock, 1s, [this] { return stop_; })) {
        lock.unlock();
        Take();
        lock.lock();
      }
    });
  }
  ~RssSampler() { Stop(); }
  RssSampler(const RssSampler&) = delete;
  RssSampler& operator=(const RssSampler&) = delete;

  // Takes a last sample and stops.
  void Stop() {
    if (!thread_.joinable()) return;
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
    Take();
  }
  std::vector<Sample> samples() {
    std::lock_guard lock(samples_mutex_);
    return samples_;
  }

 private:
  void Take() {
    const double mb = testing::ProcessRssMb(pid_);
    if (mb < 0) return;
    const double t = std::chrono::duration<double>(Clock::now() - start_).count();
    std::lock_guard lock(samples_mutex_);
    samples_.push_back({t, mb});
  }

  int pid_;
  Clock::time_point start_;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::mutex samples_mutex_;
  std::vector<Sample> samples_;
};

struct Rss {
  bool known = false;
  double start = 0, max = 0, end = 0;
  double second_half_growth = 0;  // end minus the sample halfway through
  std::vector<RssSampler::Sample> samples;
};

// The first, largest and last of the samples.
Rss Summarize(std::vector<RssSampler::Sample> samples);

}  // namespace exchange::bench::e2e
