// exchange-bench history: inserts into and reads from the trade history in
// PostgreSQL (history_bench.cc says how).
#pragma once

#include <CLI/CLI.hpp>

namespace exchange::bench {

void AddHistoryBenchCommand(CLI::App& app);

}  // namespace exchange::bench
