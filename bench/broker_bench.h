// The `exchange-bench broker` command: what RabbitMQ itself costs per
// message on this machine, with no code of the exchange on the path (the
// floor under every leg of ours). For each case (a queue type and delivery
// mode) it publishes at --rate messages/s, open loop, consumes them on a
// second connection, and reports RabbitMQ's CPU time per message (every
// beam.smp process visible) with the publish-to-delivery latency. The cases
// run interleaved, --runs times, medians reported. Prints the per-run lines,
// a summary and one JSON line.
#pragma once

#include <CLI/CLI.hpp>

namespace exchange::bench {

// Adds the `broker` subcommand to `app`; it runs when the subcommand is given.
void AddBrokerBenchCommand(CLI::App& app);

}  // namespace exchange::bench
