// ChildProcess: the one launcher of child processes for tests and
// benchmarks (exchange-engine, exchange-gateway, exchange-md,
// fix-interop-client). Starts an executable with its arguments, an
// environment of the parent's with some variables replaced, and its output
// to a file, a pipe or the parent's; sends signals, polls and waits with a
// timeout, giving waitpid's wait status; kills (SIGKILL) and reaps a child
// still running when destroyed.
//
// Owned by the thread that started it (with die_with_parent, the child gets
// SIGTERM when that thread ends); not thread-safe.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace exchange::testing {

struct ChildOptions {
  std::string path;               // the executable
  std::vector<std::string> args;  // argv[0] first; empty: just the path
  // Variables set in the child's environment (the parent's otherwise).
  std::vector<std::pair<std::string, std::string>> env;
  std::string output_file;       // stdout and stderr (truncated); "": the parent's
  bool stdout_pipe = false;      // stdout to a pipe for ReadFirstLine()
  bool null_stdin = false;       // stdin from /dev/null
  bool die_with_parent = false;  // SIGTERM to the child when the starting thread dies
};

// "exited with status N", "was killed by signal N (name)", or the raw status.
std::string DescribeWaitStatus(int status);

class ChildProcess {
 public:
  // Starts the child. Throws std::runtime_error when the output file cannot
  // be created or the executable cannot be started (with exec's error).
  explicit ChildProcess(ChildOptions options);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // -1 once the child is reaped.
  pid_t pid() const { return pid_; }
  bool running() const { return pid_ > 0; }

  // The wait status when the child has exited (then reaped), nullopt while
  // it runs. Throws std::runtime_error when it is not running or waitpid
  // fails.
  std::optional<int> Poll();
  // Sends `signal` (when running); does not wait.
  void Signal(int signal);
  // Sends `signal` and waits for the exit: the wait status, or -1 when the
  // child was not running.
  int SignalAndWait(int signal);
  // Waits up to `timeout` for the exit, calling `tick` every 10 ms: the wait
  // status, or nullopt when it still runs. Throws like Poll().
  std::optional<int> WaitFor(std::chrono::milliseconds timeout,
                             const std::function<void()>& tick = {});
  // With stdout_pipe: the first line of the child's stdout, without its
  // newline ("" when it printed none); then closes the pipe (what the child
  // writes there later fails with EPIPE).
  std::string ReadFirstLine();

 private:
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
};

}  // namespace exchange::testing
