// What `exchange-bench fix` prints and writes: a run's lines and JSON, and
// the median summary. The main thread.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <vector>

#include "bench/fix/options.h"
#include "bench/fix/run.h"

namespace exchange::bench::fix_bench {

nlohmann::json RunJson(const RunResult& r);

// The lines of run `i`.
void PrintRun(std::size_t i, const RunResult& r, const Options& o);

// Prints the median summary of the runs; returns the JSON result.
nlohmann::json Summarize(const Options& o, const std::vector<RunResult>& runs);

}  // namespace exchange::bench::fix_bench
