// MdProcess: the exchange-md executable as a child process of a benchmark,
// on a free port of 127.0.0.1 (read from its "listening on port N" line),
// with the Redis and PostgreSQL (read-only role) URLs in its environment;
// stopped with SIGTERM when destroyed. ProcessCpuSeconds reads any
// process's CPU time.
//
// Owned by one benchmark run; one thread.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace exchange::bench {

// User + system CPU seconds of `pid` so far (/proc/PID/stat); 0 when gone.
double ProcessCpuSeconds(pid_t pid);

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
  pid_t pid() const { return pid_; }
  double CpuSeconds() const { return ProcessCpuSeconds(pid_); }
  // One GET on a fresh connection: the status and body. Throws
  // std::runtime_error when there is no HTTP answer.
  std::pair<int, std::string> Get(const std::string& target) const;

 private:

  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
};

}  // namespace exchange::bench
