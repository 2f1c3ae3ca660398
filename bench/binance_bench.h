// The `exchange-bench binance` command: the signed order round trip of the
// gateway's Binance API, HTTP client -> exchange-gateway -> RabbitMQ ->
// exchange-engine -> RabbitMQ -> exchange-gateway -> the RESULT answer,
// open loop at --rate orders/s over --connections keep-alive connections,
// against a fresh engine and gateway per run (bench/binance/). Prints the
// per-run lines, a median summary and one JSON line; with --json, draws the
// latency pictures beside the file (bench/latency_report.h).
#pragma once

#include <CLI/CLI.hpp>

namespace exchange::bench {

void AddBinanceBenchCommand(CLI::App& app);

}  // namespace exchange::bench
