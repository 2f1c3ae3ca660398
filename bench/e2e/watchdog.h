// The last-resort guard of `exchange-bench e2e` against hanging: every loop
// of the main thread beats the heart (Beat); when it has not beaten for the
// watchdog's limit (a blocking socket write RabbitMQ never drains, say), the
// watchdog's thread kills the engine child (EnginePid) and exits.
//
// Beat and SetEnginePid: any thread (atomics).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace exchange::bench::e2e {

void Beat();

// Waits (beating the heart) until a thread it started sets `ready` or
// `failed`; false when neither came within `timeout`.
bool AwaitStart(const std::atomic<bool>& ready, const std::atomic<bool>& failed,
                std::chrono::seconds timeout);

// The engine child the watchdog kills (0: none).
void SetEnginePid(int pid);

class Watchdog {
 public:
  explicit Watchdog(std::chrono::seconds limit);
  ~Watchdog();
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

 private:
  void Loop();

  std::chrono::seconds limit_;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stop_ = false;
};

}  // namespace exchange::bench::e2e
