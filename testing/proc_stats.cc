#include "testing/proc_stats.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace exchange::testing {

namespace {

double TicksPerSecond() {
  return static_cast<double>(::sysconf(_SC_CLK_TCK));
}

// The fields of a /proc/.../stat text after the name: [0] is the state
// (field 3 of proc(5)), [11] utime, [12] stime, [13] cutime, [14] cstime.
std::vector<std::string> StatFields(const std::string& stat) {
  std::vector<std::string> fields;
  const std::size_t paren = stat.rfind(')');
  if (paren == std::string::npos || paren + 2 > stat.size()) return fields;
  std::istringstream in(stat.substr(paren + 2));
  for (std::string field; in >> field;)
    fields.push_back(field);
  return fields;
}

// The sum of fields [from, to] of StatFields (0 when missing).
double SumFields(const std::vector<std::string>& fields, std::size_t from, std::size_t to) {
  double sum = 0;
  for (std::size_t i = from; i <= to && i < fields.size(); ++i)
    sum += std::strtod(fields[i].c_str(), nullptr);
  return sum;
}

bool IsPid(const std::string& name) {
  return !name.empty() && name.find_first_not_of("0123456789") == std::string::npos;
}

std::string TrimNewlines(std::string s) {
  while (!s.empty() && s.back() == '\n')
    s.pop_back();
  return s;
}

std::uint64_t ContextSwitches(const std::string& status_path) {
  std::istringstream status(ReadWholeFile(status_path));
  std::uint64_t switches = 0;
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("voluntary_ctxt_switches:", 0) == 0 ||
        line.rfind("nonvoluntary_ctxt_switches:", 0) == 0) {
      switches += std::strtoull(line.c_str() + line.find(':') + 1, nullptr, 10);
    }
  }
  return switches;
}

}  // namespace

std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

double ProcessCpuSeconds(pid_t pid) {
  const auto fields = StatFields(ReadWholeFile("/proc/" + std::to_string(pid) + "/stat"));
  return SumFields(fields, 11, 12) / TicksPerSecond();
}

double ProcessRssMb(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("VmRSS:", 0) == 0) return std::strtod(line.c_str() + 6, nullptr) / 1024.0;
  }
  return -1;
}

std::pair<double, double> MachineJiffies() {
  std::ifstream in("/proc/stat");
  std::string cpu;
  in >> cpu;
  double total = 0, idle = 0, v = 0;
  for (int i = 0; i < 8 && in >> v; ++i) {
    total += v;
    if (i == 3 || i == 4) idle += v;  // idle, iowait
  }
  return {total - idle, total};
}

std::map<int, std::pair<std::string, double>> EveryProcessTicks() {
  std::map<int, std::pair<std::string, double>> out;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename().string();
    if (!IsPid(name)) continue;
    const std::string stat = ReadWholeFile(entry.path() / "stat");
    const auto open = stat.find('('), close = stat.rfind(')');
    if (open == std::string::npos || close == std::string::npos) continue;
    out[std::stoi(name)] = {stat.substr(open + 1, close - open - 1),
                            SumFields(StatFields(stat), 11, 12)};
  }
  return out;
}

double SelfAndChildrenTicks() {
  return SumFields(StatFields(ReadWholeFile("/proc/self/stat")), 11, 14);
}

std::vector<int> PidsNamed(std::string_view prefix) {
  std::vector<int> pids;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename().string();
    if (!IsPid(name)) continue;
    if (ReadWholeFile(entry.path().string() + "/comm").rfind(prefix, 0) == 0) {
      pids.push_back(std::atoi(name.c_str()));
    }
  }
  return pids;
}

std::vector<ThreadSample> SampleThreads(int pid) {
  std::vector<ThreadSample> out;
  std::error_code ec;
  const std::string task = "/proc/" + std::to_string(pid) + "/task";
  for (const auto& entry : std::filesystem::directory_iterator(task, ec)) {
    const std::string dir = entry.path().string();
    const auto fields = StatFields(ReadWholeFile(dir + "/stat"));
    if (fields.size() < 13) continue;
    ThreadSample t;
    t.tid = std::atoi(entry.path().filename().c_str());
    t.name = TrimNewlines(ReadWholeFile(dir + "/comm"));
    t.cpu_seconds = SumFields(fields, 11, 12) / TicksPerSecond();
    t.switches = ContextSwitches(dir + "/status");
    out.push_back(t);
  }
  std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.tid < b.tid; });
  return out;
}

}  // namespace exchange::testing
