// The clocks and random numbers the exchange-bench subcommands share: the
// steady clock every latency is taken on, the wall clock the services stamp
// with, and random ids that keep one run apart from another.
//
// Plain functions; any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <random>

namespace exchange::bench {

using Clock = std::chrono::steady_clock;

// std::chrono::steady_clock (CLOCK_MONOTONIC) in nanoseconds.
inline std::int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// The system (wall) clock in nanoseconds since the epoch.
inline std::int64_t WallNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

inline std::uint64_t RandomU64() {
  std::random_device rd;
  return std::uint64_t{rd()} << 32 | rd();
}

}  // namespace exchange::bench
