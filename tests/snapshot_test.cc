// Tests of engine snapshots (Engine::SaveState / LoadState): round trip on a
// realistic book, continuation, and rejection of damaged images.
#include <gtest/gtest.h>

#include <chrono>

#include "engine/engine.h"
#include "orderflow/benchmark_mix.h"

namespace exchange {
namespace {

// An engine after the pre-fill and `commands` commands of the benchmark mix.
void Build(Engine& engine, const BenchmarkFlow& flow, std::size_t commands) {
  engine.Process(Command{0, AddInstrument{flow.instrument}});
  for (const Command& c : flow.prefill)
    engine.Process(c);
  for (std::size_t i = 0; i < commands; ++i)
    engine.Process(flow.commands[i]);
}

TEST(Snapshot, RoundTripKeepsHashAndContinuesIdentically) {
  BenchmarkMixOptions o;
  o.commands = 40'000;
  const BenchmarkFlow flow = GenerateBenchmarkMix(o);
  Engine original;
  Build(original, flow, 20'000);
  std::string image;
  original.SaveState(image);
  Engine restored;
  ASSERT_EQ(restored.LoadState(image), "");
  EXPECT_EQ(restored.StateHash(), original.StateHash());
  EXPECT_EQ(restored.live_orders(), original.live_orders());
  EXPECT_EQ(restored.last_sequence(), original.last_sequence());
  for (std::size_t i = 20'000; i < flow.commands.size(); ++i) {
    const auto a = original.Process(flow.commands[i]);
    const std::vector<Event> want(a.begin(), a.end());
    const auto b = restored.Process(flow.commands[i]);
    ASSERT_EQ(b.size(), want.size());
    for (std::size_t k = 0; k < want.size(); ++k) {
      ASSERT_EQ(b[k].sequence, want[k].sequence);
      ASSERT_EQ(b[k].type, want[k].type);
      ASSERT_EQ(b[k].order_id, want[k].order_id);
      ASSERT_EQ(b[k].maker_order_id, want[k].maker_order_id);
      ASSERT_EQ(b[k].quantity, want[k].quantity);
      ASSERT_EQ(b[k].price, want[k].price);
    }
  }
  EXPECT_EQ(restored.StateHash(), original.StateHash());
}

TEST(Snapshot, DamagedImagesAreRefusedWithAReason) {
  BenchmarkMixOptions o;
  o.commands = 200;
  o.resting_orders = 20;
  const BenchmarkFlow flow = GenerateBenchmarkMix(o);
  Engine original;
  Build(original, flow, 200);
  std::string image;
  original.SaveState(image);
  ASSERT_GT(image.size(), 100u);

  const EngineOptions small{64};                          // cheap to construct thousands of times
  for (std::size_t cut = 0; cut < image.size(); ++cut) {  // every truncation
    Engine e(small);
    EXPECT_NE(e.LoadState(std::string_view(image).substr(0, cut)), "") << cut;
  }
  std::string bad = image;
  bad[0] = 'Q';
  Engine e1;
  EXPECT_EQ(e1.LoadState(bad), "not an engine snapshot (bad magic)");
  bad = image;
  bad[4] = 9;
  Engine e2;
  EXPECT_EQ(e2.LoadState(bad), "unsupported snapshot version 9");
  Engine e3;
  EXPECT_EQ(e3.LoadState(image + "x"), "trailing bytes after snapshot");
  Engine used;
  Build(used, flow, 0);
  EXPECT_EQ(used.LoadState(image), "LoadState needs a fresh engine");
  // Flipping any single byte never crashes (it may still load: a changed
  // price is a valid state).
  for (std::size_t i = 0; i < image.size(); i += 7) {
    std::string flipped = image;
    flipped[i] = static_cast<char>(flipped[i] ^ 0x5A);
    Engine e(small);
    (void)e.LoadState(flipped);
  }
}

}  // namespace
}  // namespace exchange
