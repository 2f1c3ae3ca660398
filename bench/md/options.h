// The options of `exchange-bench md` (the command line, bench/md_bench.cc)
// and the constants of the data it makes.
//
// Read-only after parsing; any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "engine/types.h"

namespace exchange::bench::md_bench {

using json = nlohmann::json;

constexpr Timestamp kSecond = 1'000'000'000;
constexpr Timestamp kMilli = 1'000'000;
constexpr Timestamp kDay = 86'400 * kSecond;
constexpr std::size_t kWriteBatch = 10'000;
constexpr int kPriceDecimals = 2;
constexpr int kQuantityDecimals = 3;
constexpr Price kMidPrice = 5'000'000;  // 50,000.00
constexpr std::int64_t kLiveBatchMs = 100;
// A run during which other processes used more CPUs than this is flagged.
constexpr double kBusyElsewhere = 0.1;

struct Options {
  std::size_t runs = 5;
  std::size_t seconds = 10;  // wrk takes whole seconds
  std::size_t warmup = 3;
  std::size_t connections = 32;
  std::size_t wrk_threads = 2;
  std::size_t md_threads = 2;
  double days = 12;
  std::int64_t trade_spacing_ms = 15'000;
  std::size_t levels = 150;
  std::string klines_window = "fixed";
  std::string endpoints = "klines,depth";
  double live_rate = 0;
  std::string symbol = "BENCH-MD";
  std::string schema = "bench_md";
  std::string pg_url, reader_url, redis_url;
  std::string md_bin;
  std::string wrk = "wrk";
  std::string json_file;
  bool keep_data = false;
};

}  // namespace exchange::bench::md_bench
