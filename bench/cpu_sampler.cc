#include "bench/cpu_sampler.h"

namespace exchange::bench {

using testing::ThreadSample;

ProcessUse Difference(const std::vector<ThreadSample>& a, const std::vector<ThreadSample>& b,
                      double seconds) {
  ProcessUse u;
  if (b.empty() || seconds <= 0) return u;
  u.known = true;
  for (const ThreadSample& t : b) {
    ThreadSample before;
    for (const ThreadSample& s : a)
      if (s.tid == t.tid) before = s;
    ThreadUse tu;
    tu.name = t.name;
    tu.cpu_pct = (t.cpu_seconds - before.cpu_seconds) / seconds * 100;
    tu.switches_per_s = static_cast<double>(t.switches - before.switches) / seconds;
    u.cpu_pct += tu.cpu_pct;
    u.threads.push_back(tu);
  }
  return u;
}

}  // namespace exchange::bench
