// Tests of EngineCore, the service's exactly-once heart: recovery from
// journal and snapshots reproduces the uninterrupted run, redeliveries are
// applied once, and a torn journal tail is cut and made good by redelivery.
#include "engine_service/core/engine_core.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>

#include "orderflow/benchmark_mix.h"
#include "wire/describe.h"

namespace exchange {
namespace {

namespace fs = std::filesystem;

constexpr std::uint64_t kProducer = 7;

// The benchmark mix as wire batches of `size` commands from one producer.
struct Flow {
  InstrumentSpec instrument;
  std::vector<wire::CommandBatch> batches;
};

Flow MakeFlow(std::size_t commands, std::size_t size) {
  BenchmarkMixOptions o;
  o.commands = commands;
  o.resting_orders = 200;
  const BenchmarkFlow mix = GenerateBenchmarkMix(o);
  Flow flow;
  flow.instrument = mix.instrument;
  std::uint64_t seq = 0;
  for (const auto* part : {&mix.prefill, &mix.commands}) {
    for (const Command& c : *part) {
      if (flow.batches.empty() || flow.batches.back().records.size() == size) {
        flow.batches.push_back(wire::CommandBatch{kProducer, {}});
      }
      flow.batches.back().records.push_back(wire::CommandRecord{++seq, mix.instrument.symbol, c});
    }
  }
  return flow;
}

// Events by sequence number, as text: what consumers would hold.
using EventLog = std::map<Sequence, std::string>;

void Record(const std::vector<wire::EventRecord>& events, EventLog& log) {
  for (const auto& e : events) {
    const std::string text = wire::Describe(e);
    auto [it, inserted] = log.emplace(e.event.sequence, text);
    EXPECT_TRUE(inserted || it->second == text)
        << "sequence " << e.event.sequence << " published with different content";
  }
}

class EngineCoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = (fs::temp_directory_path() /
            ("engine_core_test_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name()))
               .string();
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<EngineCore> Open(Sequence published, RecoveryReport* report,
                                   const std::string& dir = "") {
    EngineCore::Options o;
    o.data_dir = dir.empty() ? dir_ : dir;
    o.expected_orders = 4096;
    auto core = std::make_unique<EngineCore>(o, published, report);
    std::vector<wire::EventRecord> events;
    core->EnsureInstruments({flow_.instrument}, &events);
    Record(events, log_);
    return core;
  }

  // Applies batches [from, to), making each durable as the service would.
  void Apply(EngineCore& core, std::size_t from, std::size_t to, EventLog& log) {
    for (std::size_t i = from; i < to; ++i) {
      std::vector<wire::EventRecord> events;
      core.Apply(flow_.batches[i], &events);
      core.FlushJournal();
      core.SyncJournal();
      Record(events, log);
    }
  }

  // The uninterrupted run: final hash and every event.
  std::uint64_t Reference(EventLog* log) {
    const std::string dir = dir_ + "-reference";
    fs::remove_all(dir);
    RecoveryReport report;
    EventLog saved = log_;
    auto core = Open(0, &report, dir);
    *log = log_;
    log_ = saved;
    Apply(*core, 0, flow_.batches.size(), *log);
    const std::uint64_t hash = core->engine().StateHash();
    core.reset();
    fs::remove_all(dir);
    return hash;
  }

  std::string dir_;
  Flow flow_ = MakeFlow(6000, 10);
  EventLog log_;
};

TEST_F(EngineCoreTest, RecoveryFromTheJournalRepublishesWhatWasNotConfirmed) {
  EventLog want;
  const std::uint64_t want_hash = Reference(&want);

  RecoveryReport first;
  auto core = Open(0, &first);
  EXPECT_FALSE(first.from_snapshot);
  Apply(*core, 0, 300, log_);
  const Sequence confirmed = core->last_sequence() - 50;  // the publisher lagged
  const std::uint64_t hash = core->engine().StateHash();
  core.reset();  // crash after the journal sync

  RecoveryReport report;
  core = Open(confirmed, &report);
  EXPECT_EQ(core->engine().StateHash(), hash);
  EXPECT_EQ(report.replayed_records, 301u);  // instrument + 300 batches
  ASSERT_FALSE(report.republish.empty());
  EXPECT_EQ(report.republish.front().event.sequence, confirmed + 1);
  EXPECT_EQ(report.republish.back().event.sequence, core->last_sequence());
  Record(report.republish, log_);  // same content as first published

  Apply(*core, 300, flow_.batches.size(), log_);
  EXPECT_EQ(core->engine().StateHash(), want_hash);
  EXPECT_EQ(log_, want);
}

TEST_F(EngineCoreTest, RedeliveredBatchesAreAppliedOnce) {
  RecoveryReport report;
  auto core = Open(0, &report);
  Apply(*core, 0, 100, log_);
  const std::uint64_t hash = core->engine().StateHash();
  const std::uint64_t journal = core->journal_index();
  for (std::size_t i = 95; i < 100; ++i) {  // redelivered, e.g. after a reconnect
    std::vector<wire::EventRecord> events;
    const ApplyResult r = core->Apply(flow_.batches[i], &events);
    EXPECT_EQ(r.applied, 0u);
    EXPECT_EQ(r.duplicates, flow_.batches[i].records.size());
    EXPECT_TRUE(events.empty());
  }
  EXPECT_EQ(core->engine().StateHash(), hash);
  EXPECT_EQ(core->journal_index(), journal);

  core.reset();  // and after a restart too
  core = Open(0, &report);
  std::vector<wire::EventRecord> events;
  EXPECT_EQ(core->Apply(flow_.batches[99], &events).duplicates, 10u);
  EXPECT_EQ(core->last_producer_sequence(kProducer), 1000u);
}

TEST_F(EngineCoreTest, PartlyRedeliveredBatchAppliesOnlyTheNewRecords) {
  RecoveryReport report;
  auto core = Open(0, &report);
  Apply(*core, 0, 10, log_);
  wire::CommandBatch mixed{kProducer, {}};
  for (std::size_t i = 5; i < 15; ++i) {  // 95..100 were applied, 101..150 not
    for (const auto& r : flow_.batches[i].records)
      mixed.records.push_back(r);
  }
  std::vector<wire::EventRecord> events;
  const ApplyResult r = core->Apply(mixed, &events);
  EXPECT_EQ(r.duplicates, 50u);
  EXPECT_EQ(r.applied, 50u);
  EXPECT_EQ(core->last_producer_sequence(kProducer), 150u);
}

TEST_F(EngineCoreTest, SnapshotThenJournalRecoversTheSameState) {
  EventLog want;
  const std::uint64_t want_hash = Reference(&want);
  RecoveryReport report;
  auto core = Open(0, &report);
  Apply(*core, 0, 200, log_);
  ASSERT_TRUE(core->StartSnapshot());
  Apply(*core, 200, 400, log_);  // goes on while the child writes
  core.reset();                  // waits for the child

  RecoveryReport recovered;
  core = Open(log_.rbegin()->first, &recovered);
  EXPECT_TRUE(recovered.from_snapshot) << recovered.snapshot_damage;
  EXPECT_EQ(recovered.replayed_records, 200u);
  EXPECT_TRUE(recovered.republish.empty());
  Apply(*core, 400, flow_.batches.size(), log_);
  EXPECT_EQ(core->engine().StateHash(), want_hash);
  EXPECT_EQ(log_, want);
}

// A sink that derives state from events (the history sink's order tracker)
// gets the engine as the starting snapshot left it, then every replayed
// event in order; its progress can force an older starting point.
TEST_F(EngineCoreTest, RecoveryHooksSeeTheBaseAndEveryReplayedEventInOrder) {
  RecoveryReport report;
  auto core = Open(0, &report);
  Apply(*core, 0, 200, log_);
  const Sequence at_snapshot = core->last_sequence();
  const std::uint64_t snapshot_hash = core->engine().StateHash();
  ASSERT_TRUE(core->StartSnapshot());
  Apply(*core, 200, 400, log_);
  core.reset();
  const Sequence end = log_.rbegin()->first;

  auto recover = [&](Sequence base_at_most, Sequence* base, std::uint64_t* base_hash,
                     std::vector<Sequence>* seen) {
    RecoveryHooks hooks;
    hooks.base_at_most = base_at_most;
    hooks.on_base = [&](const Engine& e) {
      *base = e.last_sequence();
      *base_hash = e.StateHash();
    };
    hooks.on_replayed = [&](const wire::EventRecord& r) { seen->push_back(r.event.sequence); };
    EngineCore::Options o;
    o.data_dir = dir_;
    o.expected_orders = 4096;
    RecoveryReport recovered;
    EngineCore c(o, end, &recovered, hooks);
    EXPECT_TRUE(recovered.republish.empty());  // everything had been published
    return recovered.from_snapshot;
  };
  auto expect_contiguous = [](const std::vector<Sequence>& seen, Sequence from, Sequence to) {
    ASSERT_EQ(seen.size(), to - from + 1);
    for (std::size_t i = 0; i < seen.size(); ++i)
      ASSERT_EQ(seen[i], from + i);
  };

  Sequence base = 99;
  std::uint64_t base_hash = 0;
  std::vector<Sequence> seen;
  // Progress before the snapshot: the snapshot is too new, replay from nothing.
  EXPECT_FALSE(recover(at_snapshot - 1, &base, &base_hash, &seen));
  EXPECT_EQ(base, 0u);
  expect_contiguous(seen, 1, end);

  seen.clear();
  EXPECT_TRUE(recover(end, &base, &base_hash, &seen));
  EXPECT_EQ(base, at_snapshot);
  EXPECT_EQ(base_hash, snapshot_hash);
  expect_contiguous(seen, at_snapshot + 1, end);
}

TEST_F(EngineCoreTest, TornJournalTailIsCutAndRedeliveryMakesItGood) {
  EventLog want;
  const std::uint64_t want_hash = Reference(&want);
  RecoveryReport report;
  auto core = Open(0, &report);
  Apply(*core, 0, 250, log_);
  core.reset();
  // Tear the last journal record (as a crash in the middle of a write would).
  fs::path segment;
  for (const auto& e : fs::directory_iterator(dir_ + "/journal"))
    segment = e.path();
  fs::resize_file(segment, fs::file_size(segment) - 5);

  RecoveryReport recovered;
  core = Open(0, &recovered);
  EXPECT_NE(recovered.journal_damage.find("torn record"), std::string::npos)
      << recovered.journal_damage;
  EXPECT_EQ(core->last_producer_sequence(kProducer), 2490u);  // batch 249 is gone
  // The producer never got batch 249 confirmed, so it comes again.
  Apply(*core, 249, flow_.batches.size(), log_);
  EXPECT_EQ(core->engine().StateHash(), want_hash);
  EXPECT_EQ(log_, want);
}

}  // namespace
}  // namespace exchange
