// EventSpool (engine_service/sinks/event_spool.h): the history sink's
// file queue of events while PostgreSQL is away.
#include "engine_service/sinks/event_spool.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace exchange {
namespace {

wire::EventRecord Record(Sequence sequence) {
  wire::EventRecord r;
  r.symbol = SymbolName(sequence % 2 ? "BTC-USD" : "ETH-USD");
  r.event.type = EventType::kTrade;
  r.event.sequence = sequence;
  r.event.timestamp = static_cast<Timestamp>(sequence) * 1000;
  r.event.price = 100 + static_cast<Price>(sequence % 13);
  r.event.quantity = 1 + static_cast<Quantity>(sequence % 7);
  return r;
}

class EventSpoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        std::filesystem::temp_directory_path() / ("event_spool_test_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "history-spool").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::filesystem::path dir_;
  std::string path_;
};

TEST_F(EventSpoolTest, EventsComeBackInOrderFromFileAndMemoryAndTheFileGoesWhenEmpty) {
  EventSpool spool(path_);
  Sequence appended = 0, taken = 0;
  std::vector<wire::EventRecord> out;
  // Appends outpace takes for a while (the file grows), then the rest drains.
  for (int round = 0; round < 30; ++round) {
    for (int i = 0; i < 1500; ++i)
      spool.Append(Record(++appended));
    out.clear();
    ASSERT_EQ(spool.Take(round < 20 ? 700 : 5000, out), "");
    for (const auto& r : out) {
      ASSERT_EQ(r.event.sequence, ++taken);
      ASSERT_EQ(r.symbol, Record(taken).symbol);
      ASSERT_EQ(r.event.price, Record(taken).event.price);
    }
    EXPECT_EQ(spool.size(), appended - taken);
    if (round == 10) {
      EXPECT_GT(spool.bytes_on_disk(), 0u);
    }
  }
  while (!spool.empty()) {
    out.clear();
    ASSERT_EQ(spool.Take(999, out), "");
    for (const auto& r : out)
      ASSERT_EQ(r.event.sequence, ++taken);
  }
  EXPECT_EQ(taken, appended);
  EXPECT_FALSE(std::filesystem::exists(path_));
  // And it works again after being emptied.
  spool.Append(Record(++appended));
  out.clear();
  ASSERT_EQ(spool.Take(10, out), "");
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].event.sequence, appended);
}

TEST_F(EventSpoolTest, AFileFromAnEarlierRunIsRemoved) {
  std::ofstream(path_) << "stale";
  EventSpool spool(path_);
  EXPECT_FALSE(std::filesystem::exists(path_));
  EXPECT_TRUE(spool.empty());
}

TEST_F(EventSpoolTest, ACorruptFileIsReportedNotReadAsEvents) {
  EventSpool spool(path_);
  for (Sequence s = 1; s <= 5000; ++s)
    spool.Append(Record(s));
  ASSERT_TRUE(std::filesystem::exists(path_));
  {
    std::fstream f(path_, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(4);
    f.write("XXXX", 4);  // the batch's magic
  }
  std::vector<wire::EventRecord> out;
  EXPECT_NE(spool.Take(10, out).find("corrupt"), std::string::npos);
  EXPECT_TRUE(out.empty());
}

TEST_F(EventSpoolTest, AnUnwritableFolderKeepsTheEventsInMemory) {
  EventSpool spool((dir_ / "missing" / "history-spool").string());
  for (Sequence s = 1; s <= 10'000; ++s)
    spool.Append(Record(s));
  EXPECT_NE(spool.write_problem(), "");
  std::vector<wire::EventRecord> out;
  ASSERT_EQ(spool.Take(20'000, out), "");
  ASSERT_EQ(out.size(), 10'000u);
  for (Sequence s = 1; s <= 10'000; ++s)
    ASSERT_EQ(out[s - 1].event.sequence, s);
}

}  // namespace
}  // namespace exchange
