// harness-replay: replays one of the harness's workload files
// (orders_<scenario>_s<seed>_n<count>.bin, written by its generator) through
// this engine's adapter in-process, with a report transport that only counts,
// so that `perf record` sees the matcher and nothing else. A profiling aid for
// bench/harness/; the figures that count come from the harness itself.
//
// Usage: harness-replay FILE [ROUNDS]
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <vector>

#include "matching_engine_api.h"

namespace {

std::uint64_t g_reports = 0;

void* Create(std::uint32_t) {
  return &g_reports;
}
int Push(void*, const me_report_t* r) {
  g_reports += r->quantity | 1;  // touch the report, as a drainer would
  return 1;
}
std::uint32_t Drain(void*, me_report_t*, std::uint32_t) {
  return 0;
}
void Flush(void*) {}
void Destroy(void*) {}

const me_transport_t kCounting{Create, Push, Drain, Flush, Destroy};

// The workload file's 40-byte record (the harness's src/harness.cpp).
struct Record {
  std::uint8_t type, side, ioc, pad;
  std::uint32_t qty;
  std::uint64_t seq;
  std::uint64_t order_id;
  std::int64_t price_ticks;
  std::int64_t reserved;
};
static_assert(sizeof(Record) == 40);

std::vector<me_msg_t> Load(const char* path) {
  std::ifstream in(path, std::ios::binary);
  std::uint64_t magic = 0;
  std::uint32_t version = 0, count = 0;
  in.read(reinterpret_cast<char*>(&magic), 8);
  in.read(reinterpret_cast<char*>(&version), 4);
  in.read(reinterpret_cast<char*>(&count), 4);
  std::vector<Record> records(count);
  in.read(reinterpret_cast<char*>(records.data()),
          static_cast<std::streamsize>(count * sizeof(Record)));
  if (!in) {
    std::fprintf(stderr, "harness-replay: cannot read %s\n", path);
    std::exit(1);
  }
  std::vector<me_msg_t> msgs(count);
  for (std::size_t i = 0; i < count; ++i) {
    const Record& r = records[i];
    me_msg_t& m = msgs[i];
    m.type = r.type;
    if (r.type == 0) {
      m.no = new_order_t{r.order_id, r.seq, r.price_ticks, r.qty, r.side, r.ioc, {}};
    } else if (r.type == 1) {
      m.c = cancel_t{r.order_id, r.seq};
    } else {
      m.md = modify_t{r.order_id, r.seq, r.price_ticks, r.qty, r.side, {}};
    }
  }
  return msgs;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: harness-replay FILE [ROUNDS]\n");
    return 2;
  }
  const std::vector<me_msg_t> msgs = Load(argv[1]);
  const int rounds = argc > 2 ? std::atoi(argv[2]) : 5;
  for (int round = 0; round < rounds; ++round) {
    engine_init(0, &kCounting, &g_reports);
    const auto start = std::chrono::steady_clock::now();
    for (const me_msg_t& m : msgs) {
      switch (m.type) {
        case 0: engine_on_new_order(&m.no); break;
        case 1: engine_on_cancel(&m.c); break;
        default: engine_on_modify(&m.md); break;
      }
    }
    engine_flush();
    const double s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("round %d: %zu messages in %.3f s, %.2f M msgs/s\n", round + 1, msgs.size(), s,
                static_cast<double>(msgs.size()) / s / 1e6);
    engine_shutdown();
  }
  return g_reports == 0;
}
