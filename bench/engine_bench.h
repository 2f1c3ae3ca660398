// The `exchange-bench engine` command: the matching engine alone, on the
// exchange-core benchmark mix or on a given order flow, in throughput mode
// or open-loop latency mode. Prints a human summary and JSON.
#pragma once

#include <CLI/CLI.hpp>

namespace exchange::bench {

// Adds the `engine` subcommand to `app`; it runs when the subcommand is given.
void AddEngineBenchCommand(CLI::App& app);

}  // namespace exchange::bench
