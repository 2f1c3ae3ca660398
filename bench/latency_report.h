// The latency pictures of the open-loop benchmarks (`exchange-bench fix` and
// `exchange-bench e2e`): LatencyTimeline and PercentileCurve keep, bounded,
// what one run's pictures need (its percentile curve, its latencies over
// time); WriteLatencyPictures writes them beside the JSON result as gnuplot
// data and script (<stem>-latency.dat, <stem>-latency.gp: re-render with
// `gnuplot <stem>-latency.gp`) and runs gnuplot, which draws
// <stem>-percentiles.png (HdrHistogram style: percentile on the 1/(1-p) log
// scale, latency on a log scale, a line per run) and <stem>-over-time.png
// (each order's latency by its due time since the measured start, with the
// maximum per 10 ms, or a longer window on long runs, as a line, a colour per
// run: stalls show as spikes). gnuplot runs as a child process, the script's
// path its only argument (no shell); pngcairo when it has it, else png.
//
// A LatencyTimeline belongs to the run's thread that measures; the
// LatencyTrace it ends in is part of the run's result. WriteLatencyPictures
// runs on the main thread after the runs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "bench/latency_recorder.h"

namespace exchange::bench {

// One point of a percentile curve: inverse_tail = 1 / (1 - p) (2 at p50, 100
// at p99), the latency at that percentile.
struct PercentilePoint {
  double inverse_tail = 0;
  double latency_us = 0;
};

// One point of latency over time: an order's due time since the measured
// start, its latency (the largest of its bucket once decimated).
struct TimePoint {
  double seconds = 0;
  double latency_us = 0;
};

// What the pictures show of one run.
struct LatencyTrace {
  std::uint64_t samples = 0;  // measured orders with a latency
  double p50_us = 0, p99_us = 0, max_us = 0;
  std::vector<PercentilePoint> percentiles;
  std::vector<TimePoint> over_time;  // time order, at most LatencyTimeline::kMaxPoints
  double bucket_us = 0;              // over_time's decimation: 0 when every order is there
};

// The curve from p50 to p99.99 of a finished (sorted) recorder, about 100
// points per decade of 1/(1-p); empty without samples.
std::vector<PercentilePoint> PercentileCurve(const LatencyRecorder& finished);

// Latency over time, decimated: the measured span is cut into at most
// kMaxPoints buckets and each keeps its largest latency (so a stall is never
// averaged away). With at most kMaxPoints orders, every order has a bucket
// of its own.
class LatencyTimeline {
 public:
  static constexpr std::size_t kMaxPoints = 200'000;

  // `span_ns`: from the measured start to the last order's due time;
  // `orders`: how many orders are due in it.
  LatencyTimeline(std::int64_t span_ns, std::uint64_t orders);

  // An order due `since_start_ns` after the measured start, answered after
  // `latency_ns`.
  void Record(std::int64_t since_start_ns, std::int64_t latency_ns);

  // The trace of the run: these points and the curve of `finished`.
  LatencyTrace Finish(const LatencyRecorder& finished) const;

 private:
  struct Bucket {
    std::int64_t since_start_ns = 0;
    std::int64_t latency_ns = -1;  // -1: no order
  };
  std::int64_t span_ns_;
  bool decimated_;
  std::vector<Bucket> buckets_;
};

// One run's trace as the pictures name it ("run 1").
struct NamedTrace {
  std::string name;
  const LatencyTrace* trace = nullptr;
};

// "run 1", "run 2", ... with each run's `latency_trace`.
template <typename Run>
std::vector<NamedTrace> NamedTraces(const std::vector<Run>& runs) {
  std::vector<NamedTrace> named;
  for (std::size_t i = 0; i < runs.size(); ++i)
    named.push_back({"run " + std::to_string(i + 1), &runs[i].latency_trace});
  return named;
}

// Writes the pictures of `runs` beside `json_file` (its path without
// ".json", then "-percentiles.png", "-over-time.png", "-latency.dat",
// "-latency.gp"), `title` heading both, and prints one line saying where
// they are. Without gnuplot on the PATH, or when writing or rendering fails,
// prints a one-line notice instead: the benchmark's result does not depend
// on its pictures. Does nothing when `json_file` is "".
void WriteLatencyPictures(const std::string& json_file, const std::string& title,
                          const std::vector<NamedTrace>& runs);

}  // namespace exchange::bench
