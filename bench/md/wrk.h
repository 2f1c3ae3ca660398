// How `exchange-bench md` loads exchange-md: wrk runs (a Lua script per
// endpoint, its JSON line read back), with exchange-md's CPU time and how
// busy the machine was with anything else during each. The main thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "bench/md/options.h"
#include "testing/md_process.h"

namespace exchange::bench::md_bench {

struct WrkRun {
  double seconds = 0;
  std::uint64_t requests = 0;
  double requests_per_second = 0;
  double megabytes_per_second = 0;
  std::uint64_t errors = 0;  // connect + read + write + timeout + non-2xx/3xx
  json error_detail;
  double p50_ms = 0, p90_ms = 0, p99_ms = 0, p999_ms = 0, max_ms = 0, mean_ms = 0;
  double md_cpu_seconds = 0;  // exchange-md's user + system time during the run
  double machine_busy = 0;    // share of all CPUs not idle during the run (0-1)
  double other_cpus = 0;      // CPUs used by processes outside the benchmark
};

// exchange-md as a child process (md_process.h).
class MdServer : public testing::MdProcess {
 public:
  explicit MdServer(const Options& o)
      : MdProcess(o.md_bin, o.redis_url, o.reader_url,
                  {"--threads", std::to_string(o.md_threads), "--pg-schema", o.schema,
                   "--log-level", "warn"}) {}
};

// The load average (/proc/loadavg's first three figures).
std::string LoadAverage();

// The wrk Lua script: the request (fixed, or an endTime drawn per request)
// and the JSON line done() prints.
std::string WrkScript(const std::string& path, const std::string& random_end_base,
                      std::int64_t end_lo_ms, std::int64_t end_hi_ms);

// Runs wrk for `seconds`; its JSON line parsed.
WrkRun RunWrk(const Options& o, const MdServer& server, const std::string& script,
              std::size_t seconds);

json RunJson(const WrkRun& r);

}  // namespace exchange::bench::md_bench
