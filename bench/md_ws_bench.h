// exchange-bench md-ws: exchange-md's WebSocket fan-out: N clients follow
// one symbol's trade and depth streams while an in-process engine
// (MarketProducer) makes events at a fixed rate; each message's delivery
// latency after the engine produced it (md_ws_bench.cc says how).
#pragma once

#include <CLI/CLI.hpp>

namespace exchange::bench {

void AddMdWsBenchCommand(CLI::App& app);

}  // namespace exchange::bench
