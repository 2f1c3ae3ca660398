#include "bench/e2e/watchdog.h"

#include <signal.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <iostream>

#include "bench/bench_clock.h"

namespace exchange::bench::e2e {

namespace {

using namespace std::chrono_literals;

std::atomic<std::int64_t> g_heartbeat{0};
std::atomic<int> g_engine_pid{0};

}  // namespace

void Beat() {
  g_heartbeat.store(NowNs(), std::memory_order_relaxed);
}

bool AwaitStart(const std::atomic<bool>& ready, const std::atomic<bool>& failed,
                std::chrono::seconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (!ready.load() && !failed.load()) {
    Beat();
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(2ms);
  }
  return true;
}

void SetEnginePid(int pid) {
  g_engine_pid.store(pid);
}

Watchdog::Watchdog(std::chrono::seconds limit) : limit_(limit) {
  Beat();
  thread_ = std::thread([this] { Loop(); });
}

Watchdog::~Watchdog() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void Watchdog::Loop() {
  std::unique_lock lock(mutex_);
  while (!cv_.wait_for(lock, 1s, [this] { return stop_; })) {
    const std::int64_t idle = NowNs() - g_heartbeat.load(std::memory_order_relaxed);
    if (idle > std::chrono::nanoseconds(limit_).count()) {
      std::cerr << "exchange-bench: no progress for " << limit_.count()
                << " s (stuck talking to RabbitMQ or the engine?); giving up\n";
      if (const int pid = g_engine_pid.load(); pid > 0) ::kill(pid, SIGKILL);
      std::_Exit(3);
    }
  }
}

}  // namespace exchange::bench::e2e
