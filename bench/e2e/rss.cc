#include "bench/e2e/rss.h"

#include <algorithm>

namespace exchange::bench::e2e {

Rss Summarize(std::vector<RssSampler::Sample> samples) {
  Rss r;
  if (samples.empty()) return r;
  r.known = true;
  r.start = samples.front().mb;
  r.end = samples.back().mb;
  for (const auto& s : samples)
    r.max = std::max(r.max, s.mb);
  r.second_half_growth = r.end - samples[samples.size() / 2].mb;
  r.samples = std::move(samples);
  return r;
}

}  // namespace exchange::bench::e2e
