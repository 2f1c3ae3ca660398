// MdProcess: the exchange-md executable as a child process (ChildProcess) of
// a test or benchmark, on a free port of 127.0.0.1 (read from its "listening
// on port N" line), with the Redis and PostgreSQL (read-only role) URLs in
// its environment; stopped with SIGTERM when destroyed. MetricValue reads a
// figure of its /metrics.
//
// Owned by one test or benchmark run; one thread.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "testing/child_process.h"
#include "testing/proc_stats.h"

namespace exchange::testing {

// The value of an unlabelled metric `name` in Prometheus text (/metrics);
// 0 when absent.
double MetricValue(const std::string& metrics, const std::string& name);

class MdProcess {
 public:
  // `args`: exchange-md's flags besides --listen. Throws std::runtime_error
  // when it cannot start or prints no port.
  MdProcess(const std::string& binary, const std::string& redis_url, const std::string& reader_url,
            const std::vector<std::string>& args);
  ~MdProcess();
  MdProcess(const MdProcess&) = delete;
  MdProcess& operator=(const MdProcess&) = delete;

  // SIGTERM, then waits: the wait status (waitpid's), or -1 when it was
  // not running. The destructor does it too.
  int Stop();

  std::uint16_t port() const { return port_; }
  pid_t pid() const { return process_ ? process_->pid() : -1; }
  double CpuSeconds() const { return ProcessCpuSeconds(pid()); }
  // One GET on a fresh connection: the status and body. Throws
  // std::runtime_error when there is no HTTP answer.
  std::pair<int, std::string> Get(const std::string& target) const;

 private:
  std::optional<ChildProcess> process_;
  std::uint16_t port_ = 0;
};

}  // namespace exchange::testing
