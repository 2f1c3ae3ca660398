// LatencyRecorder: collects per-command latencies (nanoseconds) and reports
// percentiles. Exact: it keeps every sample and sorts once at the end.
//
// Owned by one benchmark run; one thread.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

namespace exchange::bench {

class LatencyRecorder {
 public:
  // Allocates and touches room for `capacity` samples up front, so that
  // recording never page-faults inside a measurement.
  explicit LatencyRecorder(std::size_t capacity) : samples_(capacity, 0) {}

  void Record(std::int64_t ns) {
    if (count_ < samples_.size()) samples_[count_++] = ns < 0 ? 0 : ns;
  }

  // Sorts the samples; call before Percentile().
  void Finish() {
    samples_.resize(count_);
    std::sort(samples_.begin(), samples_.end());
  }

  // p in [0, 100]; nearest-rank on the sorted samples.
  std::int64_t Percentile(double p) const {
    if (samples_.empty()) return 0;
    const auto n = samples_.size();
    auto rank = static_cast<std::size_t>(p / 100.0 * static_cast<double>(n) + 0.5);
    if (rank >= n) rank = n - 1;
    return samples_[rank];
  }
  std::int64_t Max() const { return samples_.empty() ? 0 : samples_.back(); }
  std::size_t count() const { return count_; }

 private:
  std::vector<std::int64_t> samples_;
  std::size_t count_ = 0;
};

}  // namespace exchange::bench
