#include "bench/md/wrk.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "testing/proc_stats.h"

namespace exchange::bench::md_bench {

namespace {

// How busy the machine was with anything but the benchmark (exchange-md,
// wrk, Redis, PostgreSQL, this process): CPUs, between two samples.
struct CpuSample {
  std::map<int, std::pair<std::string, double>> processes = testing::EveryProcessTicks();
  double own = testing::SelfAndChildrenTicks();
  std::pair<double, double> machine = testing::MachineJiffies();
};

double OtherCpus(const CpuSample& before, const CpuSample& after) {
  const double total = after.machine.second - before.machine.second;
  if (total <= 0) return 0;
  double ours = after.own - before.own;
  for (const auto& [pid, now] : after.processes) {
    const auto was = before.processes.find(pid);
    if (was == before.processes.end() || was->second.first != now.first) continue;
    if (now.first == "exchange-md" || now.first == "redis-server" || now.first == "postgres")
      ours += now.second - was->second.second;
  }
  const double busy = after.machine.first - before.machine.first;
  const auto cpus = static_cast<double>(std::thread::hardware_concurrency());
  return std::max(0.0, busy - ours) * cpus / total;
}

}  // namespace

std::string LoadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  in >> a >> b >> c;
  return a + " " + b + " " + c;
}

// The wrk Lua script: the request (fixed, or an endTime drawn per request)
// and the JSON line done() prints.
std::string WrkScript(const std::string& path, const std::string& random_end_base,
                      std::int64_t end_lo_ms, std::int64_t end_hi_ms) {
  std::ostringstream s;
  if (random_end_base.empty()) {
    s << "wrk.path = \"" << path << "\"\n";
  } else {
    s << "local base = \"" << random_end_base << "\"\n"
      << "local lo, hi = " << end_lo_ms << ", " << end_hi_ms << "\n"
      << "local counter = 0\n"
      << "function setup(thread) counter = counter + 1; thread:set(\"seed\", counter) end\n"
      << "function init(args) math.randomseed(seed or 1) end\n"
      << "function request()\n"
      << "  local e = lo + math.floor(math.random() * (hi - lo + 1))\n"
      << "  return wrk.format(\"GET\", string.format(\"%s&endTime=%.0f\", base, e))\n"
      << "end\n";
  }
  s << R"LUA(function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRK_JSON {"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{"min":%d,"mean":%.1f,"p50":%d,"p90":%d,"p99":%d,"p999":%d,"max":%d}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.min, latency.mean, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency:percentile(99.9), latency.max))
end
)LUA";
  return s.str();
}

// Runs wrk for `seconds`; its JSON line parsed.
WrkRun RunWrk(const Options& o, const MdServer& server, const std::string& script,
              std::size_t seconds) {
  const std::string command = o.wrk + " -t" + std::to_string(o.wrk_threads) + " -c" +
                              std::to_string(o.connections) + " -d" + std::to_string(seconds) +
                              "s --timeout 5s -s " + script +
                              " http://127.0.0.1:" + std::to_string(server.port()) + " 2>&1";
  const double cpu_before = server.CpuSeconds();
  const CpuSample before;
  const auto [busy_before, total_before] = before.machine;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) throw std::runtime_error("cannot run " + command);
  std::string output;
  char buffer[4096];
  for (std::size_t n; (n = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0;)
    output.append(buffer, n);
  const int status = ::pclose(pipe);
  const CpuSample after;
  const auto [busy_after, total_after] = after.machine;
  WrkRun r;
  r.other_cpus = OtherCpus(before, after);
  r.md_cpu_seconds = server.CpuSeconds() - cpu_before;
  r.machine_busy =
      total_after > total_before ? (busy_after - busy_before) / (total_after - total_before) : 0;
  const auto at = output.find("WRK_JSON ");
  if (status != 0 || at == std::string::npos)
    throw std::runtime_error("wrk failed (" + command + "):\n" + output);
  const json j = json::parse(output.substr(at + 9, output.find('\n', at) - at - 9));
  r.seconds = j["duration_us"].get<double>() / 1e6;
  r.requests = j["requests"].get<std::uint64_t>();
  r.requests_per_second = static_cast<double>(r.requests) / r.seconds;
  r.megabytes_per_second = j["bytes"].get<double>() / r.seconds / 1e6;
  r.error_detail = j["errors"];
  for (const auto& [name, count] : j["errors"].items())
    r.errors += count.get<std::uint64_t>();
  const json& l = j["latency_us"];
  r.p50_ms = l["p50"].get<double>() / 1000;
  r.p90_ms = l["p90"].get<double>() / 1000;
  r.p99_ms = l["p99"].get<double>() / 1000;
  r.p999_ms = l["p999"].get<double>() / 1000;
  r.max_ms = l["max"].get<double>() / 1000;
  r.mean_ms = l["mean"].get<double>() / 1000;
  return r;
}

json RunJson(const WrkRun& r) {
  return {{"seconds", r.seconds},
          {"requests", r.requests},
          {"requests_per_second", r.requests_per_second},
          {"megabytes_per_second", r.megabytes_per_second},
          {"errors", r.errors},
          {"error_detail", r.error_detail},
          {"latency_ms",
           {{"p50", r.p50_ms},
            {"p90", r.p90_ms},
            {"p99", r.p99_ms},
            {"p999", r.p999_ms},
            {"max", r.max_ms},
            {"mean", r.mean_ms}}},
          {"md_cpu_seconds", r.md_cpu_seconds},
          {"machine_busy", r.machine_busy},
          {"other_cpus", r.other_cpus}};
}

}  // namespace exchange::bench::md_bench
