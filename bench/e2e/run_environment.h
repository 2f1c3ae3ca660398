// RunEnvironment: everything one run of `exchange-bench e2e` needs, built in
// order and torn down in reverse (the data dir, the topology, the event
// consumer, the exchange-engine process or the relay, the producer).
//
// Owned by the run's (main) thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "amqp/amqp_client.h"
#include "bench/bench_clock.h"
#include "bench/e2e/event_consumer.h"
#include "bench/e2e/options.h"
#include "bench/e2e/producer.h"
#include "bench/e2e/relay.h"
#include "bench/e2e/watchdog.h"
#include "bench/logged_process.h"
#include "bench/run_resources.h"

namespace exchange::bench::e2e {

// The exchange-engine child process (LoggedProcess), known to the watchdog
// while it runs.
class EngineProcess {
 public:
  EngineProcess(const std::string& bin, const std::vector<std::string>& args,
                const std::string& amqp_url, const std::string& log_path);
  ~EngineProcess() { SetEnginePid(0); }
  EngineProcess(const EngineProcess&) = delete;
  EngineProcess& operator=(const EngineProcess&) = delete;

  int pid() const { return process_.pid(); }
  // Throws when the process has exited, with how it ended and its log's tail.
  void Check();
  // SIGTERM, then waits up to `timeout` (SIGKILL after that), beating the
  // watchdog's heart. Returns "" for a clean exit, else what happened.
  std::string Stop(std::chrono::seconds timeout);

 private:
  LoggedProcess process_;
};

// Everything one run needs, built in order and torn down in reverse: the
// data dir, the topology (and the queue's deletion), the consumer, the engine
// process (or with --relay the relay thread), the producer.
class RunEnvironment {
 public:
  RunEnvironment(const Options& o, const std::string& instruments_path, std::size_t run,
                 AccountId first_account, AccountId last_account, std::size_t track_orders,
                 AccountId marker_account = 0);

  // Throws when the engine exited (or the relay failed) or the consumer failed.
  void Check() {
    if (engine_) engine_->Check();
    if (relay_) relay_->Check();
    consumer_->Check();
  }
  int engine_pid() const { return engine_ ? engine_->pid() : options_.engine_pid; }
  const std::string& shard() const { return shard_; }
  EventConsumer& consumer() { return *consumer_; }
  Producer& producer() { return *producer_; }

  // Waits until done(), calling Check(); false when progress() stayed the
  // same for `idle`.
  template <typename Done, typename Progress>
  bool WaitFor(Done done, Progress progress, std::chrono::milliseconds idle) {
    auto last = progress();
    auto last_change = Clock::now();
    while (!done()) {
      Beat();
      Check();
      producer_->Poll();
      std::this_thread::sleep_for(1ms);
      const auto now_progress = progress();
      if (now_progress != last) {
        last = now_progress;
        last_change = Clock::now();
      } else if (Clock::now() - last_change > idle) {
        return false;
      }
    }
    return true;
  }

  // Stops the engine with SIGTERM (or the relay thread); "" or what went wrong.
  std::string StopEngine() {
    if (relay_) return relay_->Stop();
    if (!engine_) return "";
    return engine_->Stop(std::chrono::seconds(30));
  }

 private:
  const Options& options_;
  amqp::Url url_;
  std::string shard_, queue_;
  std::optional<TempDir> dir_;
  std::optional<QueueGuard> queue_guard_;
  std::unique_ptr<EventConsumer> consumer_;
  std::unique_ptr<EngineProcess> engine_;
  std::unique_ptr<Relay> relay_;
  std::unique_ptr<Producer> producer_;
};

}  // namespace exchange::bench::e2e
