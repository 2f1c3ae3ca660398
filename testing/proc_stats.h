// Figures of processes and of the machine read from /proc, for the
// benchmarks' resource reports and the tests: CPU time of a process, of each
// of its threads and of every process, resident memory, how busy all cores
// are. Plain functions: each reads /proc when called; any thread.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace exchange::testing {

// A whole file's text ("" when it cannot be read).
std::string ReadWholeFile(const std::string& path);

// User + system CPU seconds of `pid` so far (/proc/PID/stat); 0 when gone.
double ProcessCpuSeconds(pid_t pid);

// VmRSS of `pid` in MiB, or -1.
double ProcessRssMb(int pid);

// (busy, total) jiffies of all cores so far (the first line of /proc/stat:
// user to steal; busy is all but idle and iowait).
std::pair<double, double> MachineJiffies();

// User + system clock ticks of every process, by pid, with its name (comm).
std::map<int, std::pair<std::string, double>> EveryProcessTicks();

// This process's user + system ticks and those of its waited-for children.
double SelfAndChildrenTicks();

// The pids of the processes whose name (comm) starts with `prefix`.
std::vector<int> PidsNamed(std::string_view prefix);

// CPU time and context switches of one thread, from
// /proc/<pid>/task/<tid>/{stat,status}.
struct ThreadSample {
  int tid = 0;
  std::string name;  // comm
  double cpu_seconds = 0;
  std::uint64_t switches = 0;  // voluntary + involuntary
};

// Every thread of `pid`, by thread id (creation order).
std::vector<ThreadSample> SampleThreads(int pid);

}  // namespace exchange::testing
