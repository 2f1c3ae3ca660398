// Tests of the snapshot files: newest good snapshot wins, damaged ones are
// skipped with a reason, and a background (forked) snapshot of a live engine
// restores to the same state.
#include "engine_service/core/snapshot_store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "engine/engine.h"
#include "orderflow/benchmark_mix.h"

namespace exchange {
namespace {

namespace fs = std::filesystem;

class SnapshotStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = (fs::temp_directory_path() /
            ("snapshot_store_test_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name()))
               .string();
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string dir_;
};

TEST_F(SnapshotStoreTest, NewestGoodSnapshotWins) {
  SnapshotStore store(dir_);
  std::string report;
  EXPECT_FALSE(store.LoadNewest(&report).has_value());
  store.Write(10, "ten");
  store.Write(20, "twenty");
  auto loaded = store.LoadNewest(&report);
  ASSERT_TRUE(loaded.has_value());
  EXPECT_EQ(loaded->journal_index, 20u);
  EXPECT_EQ(loaded->body, "twenty");

  {  // damage the newest: the older one is used and the damage reported
    std::fstream f(loaded->path, std::ios::binary | std::ios::in | std::ios::out);
    f.seekp(-1, std::ios::end);
    f.put('X');
  }
  report.clear();
  loaded = store.LoadNewest(&report);
  ASSERT_TRUE(loaded.has_value());
  EXPECT_EQ(loaded->journal_index, 10u);
  EXPECT_NE(report.find("checksum mismatch; skipped"), std::string::npos) << report;

  store.Write(30, "thirty");
  store.PruneBefore(30);
  int files = 0;
  for (const auto& e : fs::directory_iterator(dir_))
    files += e.path().extension() == ".snap";
  EXPECT_EQ(files, 1);
  EXPECT_EQ(store.LoadNewest(nullptr)->journal_index, 30u);
}

TEST_F(SnapshotStoreTest, BackgroundSnapshotOfALiveEngineRestoresTheSameState) {
  BenchmarkMixOptions o;
  o.commands = 5000;
  const BenchmarkFlow flow = GenerateBenchmarkMix(o);
  Engine engine;
  engine.Process(Command{0, AddInstrument{flow.instrument}});
  for (const Command& c : flow.prefill)
    engine.Process(c);
  for (const Command& c : flow.commands)
    engine.Process(c);
  const std::uint64_t hash = engine.StateHash();

  SnapshotStore store(dir_);
  ASSERT_TRUE(store.StartBackground(77, [&engine] {
    std::string image;
    engine.SaveState(image);
    return image;
  }));
  EXPECT_FALSE(store.StartBackground(78, [] { return std::string(); }));  // one at a time
  // The parent goes on changing the engine; the snapshot keeps the old state.
  engine.Process(Command{0, HaltSymbol{0}});
  ASSERT_NE(engine.StateHash(), hash);
  bool failed = true;
  EXPECT_EQ(store.Wait(&failed), std::optional<std::uint64_t>(77));
  EXPECT_FALSE(failed);

  std::string report;
  auto loaded = store.LoadNewest(&report);
  ASSERT_TRUE(loaded.has_value());
  Engine restored;
  ASSERT_EQ(restored.LoadState(loaded->body), "");
  EXPECT_EQ(restored.StateHash(), hash);
}

}  // namespace
}  // namespace exchange
