// LoggedProcess: a service the benchmark runs as a child process
// (exchange-engine, exchange-gateway) through testing::ChildProcess: its
// output goes to a log file, it gets the AMQP URL through its environment
// (not its command line, where `ps` would show the password), stdin from
// /dev/null, and SIGTERM if the benchmark dies; killed (SIGKILL) when
// destroyed still running. Check and Stop say how it ended, with the end of
// its log. Shared by `exchange-bench e2e` and `exchange-bench fix`.
//
// Owned by the run's thread.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "testing/child_process.h"

namespace exchange::bench {

// `name` beside this executable (build/bin/), or just `name` when that
// cannot be told: where a benchmark finds the binaries it runs by default.
std::string BesideSelf(const std::string& name);

// The last `lines` lines of a file, each indented with "    | ".
std::string ReadTail(const std::string& path, std::size_t lines);

class LoggedProcess {
 public:
  // `args`: argv, the executable first. Throws std::runtime_error when it
  // cannot start.
  LoggedProcess(std::string name, const std::vector<std::string>& args, const std::string& amqp_url,
                std::string log_path);

  int pid() const { return process_.pid(); }
  const std::string& log_path() const { return log_path_; }

  // Throws when the process has exited, with how it ended and its log's tail.
  void Check();
  // SIGTERM, then waits up to `timeout` (SIGKILL after that), calling `tick`
  // every 10 ms. Returns "" for a clean exit, else what happened.
  std::string Stop(std::chrono::seconds timeout, const std::function<void()>& tick = {});

 private:
  std::string name_;
  std::string log_path_;
  testing::ChildProcess process_;
};

}  // namespace exchange::bench
