// exchange-bench md: exchange-md's REST throughput and latency under wrk
// (klines and depth; md_bench.cc says how).
#pragma once

#include <CLI/CLI.hpp>

namespace exchange::bench {

void AddMdBenchCommand(CLI::App& app);

}  // namespace exchange::bench
