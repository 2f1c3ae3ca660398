// Run statistics shared by the exchange-bench subcommands: the median of a
// figure over runs, fixed-point formatting for the human summary, the JSON
// result line, and the absolute sleep that open-loop generators pace
// themselves with.
//
// Plain functions; any thread.
#pragma once

#include <time.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

namespace exchange::bench {

inline double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// The median over `runs` of field(run).
template <typename Run, typename F>
double MedianOf(const std::vector<Run>& runs, F field) {
  std::vector<double> v;
  for (const auto& r : runs)
    v.push_back(static_cast<double>(field(r)));
  return Median(std::move(v));
}

inline std::string Fixed(double v, int precision) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(precision) << v;
  return s.str();
}

// The machine-readable result: one line of JSON on stdout after the human
// summary, and indented into `file` when one was given.
inline void EmitJson(const nlohmann::json& result, const std::string& file) {
  std::cout << result.dump() << "\n";
  if (!file.empty()) std::ofstream(file) << result.dump(2) << "\n";
}

// Sleeps until the steady clock reads `ns` (std::chrono::steady_clock is
// CLOCK_MONOTONIC).
inline void SleepUntil(std::int64_t ns) {
  timespec ts{static_cast<time_t>(ns / 1'000'000'000), static_cast<long>(ns % 1'000'000'000)};
  while (::clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr) == EINTR) {
  }
}

}  // namespace exchange::bench
