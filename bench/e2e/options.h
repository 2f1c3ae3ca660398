// The options of `exchange-bench e2e` (the command line, bench/e2e_bench.cc)
// and the names of its modes and flows.
//
// Read-only after parsing; any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/types.h"

namespace exchange::bench::e2e {

constexpr const char* kDefaultAmqpUrl = "amqp://guest:guest@127.0.0.1:5672/";
constexpr const char* kMixName =
    "exchange-core mix (9% GTC, 3% IOC, 6% cancel, 82% replace; 1000 accounts, 1000-order "
    "pre-fill)";
constexpr const char* kPairsName =
    "alternating limit orders (buy then sell at one price, quantity 1: each sell trades with the "
    "buy before it; 2 accounts)";
constexpr Price kPairsPrice = 100'000;

struct Options {
  std::size_t runs = 5;
  std::size_t orders = 200'000;
  std::size_t batch = 100;
  double rate = 0;      // 0: throughput mode
  double seconds = 10;  // open-loop latency mode: measured seconds
  double duration = 0;  // soak mode: seconds at --rate (instead of --seconds)
  double warmup = 1;    // open-loop modes: seconds not counted
  std::size_t window = 1000;
  std::uint64_t seed = 1;
  std::string flow = "mix";
  std::string amqp_url;
  std::string engine_bin;
  std::vector<std::string> engine_args;
  std::string instruments_file = "config/instruments.toml";
  std::string symbol = "BENCH";
  std::string data_root;
  bool external = false;
  bool relay = false;  // an in-process relay thread instead of exchange-engine
  std::string shard;
  int engine_pid = 0;  // --external: whose RSS to sample
  bool via_orders_exchange = false;
  double timeout = 30;          // seconds without progress before giving up
  double startup_timeout = 60;  // seconds for the engine's first events
  std::string json_file;
};

enum class Mode { kThroughput, kLatency, kSoak };

inline const char* ModeName(Mode m) {
  switch (m) {
    case Mode::kThroughput: return "throughput";
    case Mode::kLatency: return "latency";
    case Mode::kSoak: return "soak";
  }
  return "?";
}

}  // namespace exchange::bench::e2e
