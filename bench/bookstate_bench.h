// exchange-bench bookstate: the lag of the Redis book-state view behind the
// engine (bookstate_bench.cc says how it is measured).
#pragma once

#include <CLI/CLI.hpp>

namespace exchange::bench {

void AddBookStateBenchCommand(CLI::App& app);

}  // namespace exchange::bench
