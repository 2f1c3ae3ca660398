// The `exchange-bench fix` command: the order round trip FIX client ->
// exchange-gateway -> RabbitMQ -> exchange-engine -> RabbitMQ ->
// exchange-gateway -> FIX client, against a fresh exchange-engine and a fresh
// exchange-gateway per run, open loop at --rate orders/s over --sessions FIX
// sessions (fix_bench.cc says exactly what is measured). Prints the per-run
// lines, a median summary and one JSON line; with --json, draws the latency
// pictures beside the file (bench/latency_report.h).
#pragma once

#include <CLI/CLI.hpp>

namespace exchange::bench {

// Adds the `fix` subcommand to `app`; it runs when the subcommand is given.
void AddFixBenchCommand(CLI::App& app);

}  // namespace exchange::bench
