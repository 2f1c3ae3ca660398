// The `exchange-bench e2e` command: the whole path producer → RabbitMQ →
// exchange-engine → RabbitMQ → consumer, against a fresh exchange-engine
// process per run (or an already running one with --external, or with
// --relay an in-process relay thread with no journal and no matching, the
// floor of the two RabbitMQ hops). Throughput
// mode (default), open-loop latency mode (--rate R --batch 1 --seconds S) and
// a memory soak mode (--rate R --duration S). Prints the per-run lines, a
// median summary and one JSON line; with --json in the open-loop modes, draws
// the latency pictures beside the file (bench/latency_report.h).
#pragma once

#include <CLI/CLI.hpp>

namespace exchange::bench {

// Adds the `e2e` subcommand to `app`; it runs when the subcommand is given.
void AddE2eBenchCommand(CLI::App& app);

}  // namespace exchange::bench
