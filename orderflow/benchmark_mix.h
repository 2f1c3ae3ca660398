// BenchmarkMix: a deterministic synthetic order flow shaped like the
// exchange-core benchmark: one symbol, 1,000 accounts, about 1,000 resting
// orders over about 750 price levels, and a command mix of 9% GTC limit,
// 3% IOC, 6% cancel and 82% replace that moves the price.
//
// Under cash risk (options.risk) the instrument exchanges the assets BENCH
// (0 decimals) for USD (2 decimals) with a 0.20% taker fee and a 0.02%
// maker rebate, and the pre-fill first deposits ample funds of both into
// every account: the same commands as without risk, each also holding,
// settling and paying fees.
//
// The generator drives a private Engine while it generates, so that every
// cancel and replace names an order that is really live. Any thread; one
// generator per thread.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/command.h"

namespace exchange {

struct BenchmarkMixOptions {
  std::uint64_t seed = 1;
  std::size_t commands = 1'000'000;  // measured commands, after the pre-fill
  std::uint32_t accounts = 1000;
  std::size_t resting_orders = 1000;  // pre-filled, then kept near this
  Price center_price = 100'000;       // ticks; bids below, asks above
  Price half_spread_levels = 800;     // prices within center ± this
  int gtc_percent = 9;
  int ioc_percent = 3;
  int cancel_percent = 6;  // the rest are replaces
  RiskMode risk = RiskMode::kNone;
};

struct BenchmarkFlow {
  std::vector<AssetSpec> assets;  // to add, in order, before the instrument (cash risk)
  InstrumentSpec instrument;
  std::vector<Command> prefill;   // builds the starting book; not measured
  std::vector<Command> commands;  // the measured mix
};

BenchmarkFlow GenerateBenchmarkMix(const BenchmarkMixOptions& options);

}  // namespace exchange
