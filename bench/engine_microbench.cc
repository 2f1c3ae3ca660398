// Google Benchmark microbenchmarks of single engine operations: place a
// resting order, cancel, replace that moves the price, and an aggressive
// order sweeping several levels.
#include <benchmark/benchmark.h>

#include <memory>
#include <random>
#include <vector>

#include <unistd.h>

#include <filesystem>

#include "engine/engine.h"
#include "engine_service/core/snapshot_store.h"

namespace exchange {
namespace {

constexpr Price kCenter = 100'000;

std::unique_ptr<Engine> NewEngine() {
  auto e = std::make_unique<Engine>(EngineOptions{1 << 18});
  InstrumentSpec s;
  s.symbol = SymbolName("BENCH");
  s.max_quantity = 1'000'000;
  e->Process(Command{0, AddInstrument{s}});
  return e;
}

NewOrder Resting(ClientOrderId id, Side side, Price depth, Quantity qty = 10) {
  NewOrder o;
  o.account = static_cast<AccountId>(id % 1000 + 1);
  o.symbol = 0;
  o.order_id = id;
  o.side = side;
  o.price = side == Side::kBuy ? kCenter - depth : kCenter + depth;
  o.quantity = qty;
  return o;
}

void BM_PlaceResting(benchmark::State& state) {
  auto engine = NewEngine();
  std::mt19937_64 rng(1);
  ClientOrderId id = 1;
  for (auto _ : state) {
    const Side side = (rng() & 1) ? Side::kBuy : Side::kSell;
    auto ev = engine->Process(Command{0, Resting(id++, side, 1 + rng() % 375)});
    benchmark::DoNotOptimize(ev.data());
    if (id % 100'000 == 0) {
      state.PauseTiming();
      engine = NewEngine();
      state.ResumeTiming();
    }
  }
}
BENCHMARK(BM_PlaceResting);

void BM_Cancel(benchmark::State& state) {
  constexpr ClientOrderId kBatch = 100'000;
  auto engine = NewEngine();
  std::mt19937_64 rng(2);
  ClientOrderId next = kBatch;
  for (auto _ : state) {
    if (next == kBatch) {
      state.PauseTiming();
      engine = NewEngine();
      for (ClientOrderId i = 0; i < kBatch; ++i) {
        engine->Process(
            Command{0, Resting(i, (i & 1) ? Side::kBuy : Side::kSell, 1 + rng() % 375)});
      }
      next = 0;
      state.ResumeTiming();
    }
    const AccountId account = static_cast<AccountId>(next % 1000 + 1);
    auto ev = engine->Process(Command{0, CancelOrder{account, 0, next++, 0}});
    benchmark::DoNotOptimize(ev.data());
  }
}
BENCHMARK(BM_Cancel);

void BM_ReplaceMovePrice(benchmark::State& state) {
  auto engine = NewEngine();
  std::mt19937_64 rng(3);
  std::vector<Price> price(1000);
  for (ClientOrderId i = 0; i < 1000; ++i) {
    NewOrder o = Resting(i, (i & 1) ? Side::kBuy : Side::kSell, 1 + rng() % 375);
    price[i] = o.price;
    engine->Process(Command{0, o});
  }
  for (auto _ : state) {
    const ClientOrderId i = rng() % 1000;
    const Side side = (i & 1) ? Side::kBuy : Side::kSell;
    Price p = price[i] + static_cast<Price>(rng() % 25) - 12;
    p = side == Side::kBuy ? std::min(p, kCenter - 1) : std::max(p, kCenter + 1);
    if (p == price[i]) p += side == Side::kBuy ? -1 : 1;
    price[i] = p;
    ReplaceOrder r;
    r.account = static_cast<AccountId>(i % 1000 + 1);
    r.symbol = 0;
    r.order_id = i;
    r.price = p;
    auto ev = engine->Process(Command{0, r});
    benchmark::DoNotOptimize(ev.data());
  }
}
BENCHMARK(BM_ReplaceMovePrice);

// One IOC buy takes 10 levels × 10 orders; the asks are put back untimed.
void BM_AggressiveSweep(benchmark::State& state) {
  auto engine = NewEngine();
  ClientOrderId id = 1;
  auto refill = [&] {
    for (Price level = 1; level <= 10; ++level) {
      for (int k = 0; k < 10; ++k)
        engine->Process(Command{0, Resting(id++, Side::kSell, level)});
    }
  };
  refill();
  for (auto _ : state) {
    NewOrder taker = Resting(id++, Side::kBuy, -10, 1000);
    taker.account = 5000;
    taker.tif = TimeInForce::kIoc;
    auto ev = engine->Process(Command{0, taker});
    benchmark::DoNotOptimize(ev.data());
    state.PauseTiming();
    refill();
    state.ResumeTiming();
  }
  state.counters["trades_per_sweep"] = 100;
}
BENCHMARK(BM_AggressiveSweep);

// A snapshot image of 100,000 resting orders, as the engine thread makes it
// (the service writes the bytes to disk on another thread).
void BM_SaveState100k(benchmark::State& state) {
  auto engine = NewEngine();
  std::mt19937_64 rng(4);
  for (ClientOrderId i = 0; i < 100'000; ++i) {
    engine->Process(Command{0, Resting(i, (i & 1) ? Side::kBuy : Side::kSell, 1 + rng() % 375)});
  }
  std::string image;
  for (auto _ : state) {
    engine->SaveState(image);
    benchmark::DoNotOptimize(image.data());
  }
  state.counters["bytes"] = static_cast<double>(image.size());
}
BENCHMARK(BM_SaveState100k)->Unit(benchmark::kMillisecond);

// The engine thread's pause for a background snapshot of 100,000 resting
// orders: the fork() that freezes a copy-on-write image (the child writes).
void BM_ForkSnapshot100k(benchmark::State& state) {
  auto engine = NewEngine();
  std::mt19937_64 rng(5);
  for (ClientOrderId i = 0; i < 100'000; ++i) {
    engine->Process(Command{0, Resting(i, (i & 1) ? Side::kBuy : Side::kSell, 1 + rng() % 375)});
  }
  const std::string dir = "/tmp/engine-microbench-snapshots-" + std::to_string(::getpid());
  SnapshotStore store(dir);
  std::uint64_t index = 0;
  for (auto _ : state) {
    store.StartBackground(++index, [&engine] {
      std::string image;
      engine->SaveState(image);
      return image;
    });
    state.PauseTiming();
    bool failed = false;
    store.Wait(&failed);
    store.PruneBefore(index);
    state.ResumeTiming();
  }
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_ForkSnapshot100k)->Unit(benchmark::kMillisecond)->Iterations(10);

}  // namespace
}  // namespace exchange

BENCHMARK_MAIN();
