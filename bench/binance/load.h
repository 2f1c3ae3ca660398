// OrderLoad: the open-loop client of `exchange-bench binance`: signed
// POST /api/v3/order requests (RESULT answers) due at a fixed rate, sent
// over keep-alive HTTP connections (each with one request in flight, as
// HTTP/1.1 clients do), alternately a seller's LIMIT SELL and a buyer's
// LIMIT BUY at one price, so every pair trades and the book stays empty.
// An order due while every connection waits is queued and sent on the
// first free one; its latency counts from its due time (no coordinated
// omission).
//
// Runs on the calling thread (its own io_context).
#pragma once

#include <cstdint>
#include <string>

#include "auth/api_key_store.h"
#include "bench/latency_recorder.h"
#include "bench/latency_report.h"

namespace exchange::bench::binance_bench {

struct LoadOptions {
  std::uint16_t port = 0;
  std::string symbol;
  double rate = 1000;
  double warmup_seconds = 1;
  double seconds = 5;
  std::size_t connections = 16;
  double timeout_seconds = 30;  // without an answer: the run fails
};

struct LoadResult {
  std::uint64_t sent = 0, answered = 0, refused = 0;  // measured orders only
  std::string first_refusal;                          // the body of the first non-200
  double achieved_per_second = 0;
  LatencyRecorder latencies{1};
  LatencyTrace trace;
};

LoadResult RunLoad(const LoadOptions& options, const auth::OpenedApiKey& seller,
                   const auth::OpenedApiKey& buyer);

}  // namespace exchange::bench::binance_bench
