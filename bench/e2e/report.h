// What `exchange-bench e2e` prints and writes: a line per run, the median
// summary, the JSON result. The main thread.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bench/e2e/options.h"
#include "bench/e2e/runs.h"

namespace exchange::bench::e2e {

// `relay`: the run had no engine process, only the relay thread.
std::string RssText(bool known, double start, double max, double end, bool relay);

nlohmann::json RunJson(const RunResult& r, Mode mode);

// The line of run `i`.
void PrintRun(std::size_t i, const RunResult& r, Mode mode, bool relay);

// Prints the median summary of the runs; returns the JSON result.
nlohmann::json Summarize(const Options& o, Mode mode, const std::string& flow_name,
                         const ThroughputFlow& flow, const std::vector<RunResult>& runs);

}  // namespace exchange::bench::e2e
