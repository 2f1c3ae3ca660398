// The order flows of `exchange-bench e2e`: the benchmark mix or alternating
// crossing pairs for throughput mode, pairs for the open-loop modes, the
// marker order that ends a phase, and the accounts a run shifts them to.
//
// Plain data and functions; the run's thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "bench/e2e/options.h"
#include "config/instruments_file.h"
#include "engine/engine.h"

namespace exchange::bench::e2e {

// Order `id` (from 1) of the alternating flow: odd ids buy from account 1 and
// rest, even ids sell from account 2 and trade with the buy before.
Command PairOrder(std::uint64_t id, AccountId base);

struct ThroughputFlow {
  std::string name;
  std::vector<Command> warmup;  // sent and awaited before the clock starts
  std::vector<Command> measured;
  std::uint64_t warmup_records = 0;  // event records expected on the exec keys
  std::uint64_t measured_records = 0;
  AccountId accounts = 0;  // the flow uses accounts 1..accounts (before the run's base)
};

// The flow of throughput mode, with the event records an in-process engine
// gives for it.
ThroughputFlow BuildThroughputFlow(const Options& o, const InstrumentSpec& spec);

// Adds `base` to the accounts of a command.
void ShiftAccounts(Command& c, AccountId base);

// The command whose event ends a phase of a throughput run: a buy at price 1
// from an account of its own, far below anything the flows trade at, so it
// rests (or is rejected by a price band) and its one event comes back on
// exec.<account> after every event of the commands before it (one publisher
// channel, one queue: RabbitMQ keeps the order).
Command MarkerOrder(AccountId account, ClientOrderId id);

// A random base for a run's accounts (up to 4.0e9).
AccountId RandomAccountBase();

}  // namespace exchange::bench::e2e
