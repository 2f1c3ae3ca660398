// Tests of the journal: records survive reopening, a torn or corrupt tail is
// detected by checksum, reported and cut at the last good record, and
// indexes continue across segments.
#include "engine_service/core/journal.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "base/crc32c.h"

namespace exchange {
namespace {

namespace fs = std::filesystem;

class JournalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = (fs::temp_directory_path() /
            ("journal_test_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name()))
               .string();
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  static std::string Payload(std::uint64_t i) {
    return "command-" + std::to_string(i) + std::string(i % 37, 'x');
  }

  void Write(std::uint64_t from, std::uint64_t to) {
    JournalOpenReport report;
    auto j = Journal::Open(dir_, &report);
    ASSERT_EQ(report.next_index, from);
    for (std::uint64_t i = from; i < to; ++i)
      ASSERT_EQ(j->Append(Payload(i)), i);
    j->Flush();
    j->Sync();
  }

  std::vector<std::string> ReadAll(JournalOpenReport* report, std::uint64_t from = 0) {
    auto j = Journal::Open(dir_, report);
    std::vector<std::string> out;
    j->Replay(from, [&](std::uint64_t index, std::string_view p) {
      EXPECT_EQ(index, from + out.size());
      out.emplace_back(p);
    });
    return out;
  }

  std::vector<fs::path> Segments() const {
    std::vector<fs::path> v;
    for (const auto& e : fs::directory_iterator(dir_))
      v.push_back(e.path());
    std::sort(v.begin(), v.end());
    return v;
  }

  std::string dir_;
};

TEST(Crc32c, KnownVectors) {
  EXPECT_EQ(Crc32c(""), 0u);
  EXPECT_EQ(Crc32c("123456789"), 0xE3069283u);  // the standard check value
  EXPECT_EQ(Crc32c("56789", Crc32c("1234")), 0xE3069283u);
}

TEST_F(JournalTest, RecordsSurviveReopeningAcrossSegments) {
  Write(0, 100);
  Write(100, 250);
  JournalOpenReport report;
  const auto all = ReadAll(&report);
  EXPECT_EQ(report.damage, "");
  EXPECT_EQ(report.records, 250u);
  ASSERT_EQ(all.size(), 250u);
  for (std::uint64_t i = 0; i < 250; ++i)
    EXPECT_EQ(all[i], Payload(i));
  JournalOpenReport again;
  EXPECT_EQ(ReadAll(&again, 180).front(), Payload(180));
}

TEST_F(JournalTest, EmptyJournalStartsAtZero) {
  JournalOpenReport report;
  EXPECT_TRUE(ReadAll(&report).empty());
  EXPECT_EQ(report.next_index, 0u);
  EXPECT_EQ(report.damage, "");
}

TEST_F(JournalTest, TornTailIsCutAtTheLastGoodRecordAtEveryCutPoint) {
  Write(0, 10);
  const fs::path segment = Segments().back();
  const auto full = fs::file_size(segment);
  std::string bytes(full, '\0');
  std::ifstream(segment, std::ios::binary).read(bytes.data(), static_cast<std::streamsize>(full));
  const std::size_t last_record = Payload(9).size() + 8;
  for (std::size_t cut = 1; cut < last_record; ++cut) {
    std::ofstream(segment, std::ios::binary | std::ios::trunc)
        .write(bytes.data(), static_cast<std::streamsize>(full - cut));
    JournalOpenReport report;
    const auto all = ReadAll(&report);
    ASSERT_EQ(all.size(), 9u) << cut;
    EXPECT_NE(report.damage.find("torn record"), std::string::npos) << report.damage;
    EXPECT_EQ(report.dropped_bytes, last_record - cut);
    EXPECT_EQ(report.next_index, 9u);
    // Reopening after the cut opened a new segment; remove it for the next round.
    for (const auto& p : Segments()) {
      if (p != segment) fs::remove(p);
    }
  }
}

TEST_F(JournalTest, CorruptRecordCutsTheLogThereAndAppendsContinue) {
  Write(0, 20);
  Write(20, 30);  // a second segment, dropped with the cut
  const fs::path first = Segments().front();
  {
    std::fstream f(first, std::ios::binary | std::ios::in | std::ios::out);
    f.seekp(13 + 8 + 3);  // inside record 0's payload
    f.put('#');
  }
  JournalOpenReport report;
  EXPECT_TRUE(ReadAll(&report).empty());
  EXPECT_NE(report.damage.find("checksum mismatch at byte 13 (record 0)"), std::string::npos)
      << report.damage;
  EXPECT_EQ(report.next_index, 0u);
  EXPECT_GT(report.dropped_bytes, 0u);
  Write(0, 5);
  JournalOpenReport clean;
  EXPECT_EQ(ReadAll(&clean).size(), 5u);
  EXPECT_EQ(clean.damage, "");
}

TEST_F(JournalTest, ImpossibleLengthIsDamage) {
  Write(0, 3);
  {
    std::ofstream f(Segments().back(), std::ios::binary | std::ios::app);
    const char junk[8] = {'\xff', '\xff', '\xff', '\x7f', 0, 0, 0, 0};
    f.write(junk, 8);
  }
  JournalOpenReport report;
  EXPECT_EQ(ReadAll(&report).size(), 3u);
  EXPECT_NE(report.damage.find("impossible"), std::string::npos) << report.damage;
}

TEST_F(JournalTest, DropSegmentsBeforeKeepsWhatIsStillNeeded) {
  Write(0, 10);
  Write(10, 20);
  JournalOpenReport report;
  auto j = Journal::Open(dir_, &report);
  j->DropSegmentsBefore(15);  // the first segment (0..9) goes, 10..19 stays
  j.reset();
  JournalOpenReport after;
  auto k = Journal::Open(dir_, &after);
  std::vector<std::uint64_t> seen;
  k->Replay(0, [&](std::uint64_t i, std::string_view) { seen.push_back(i); });
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.front(), 10u);
  EXPECT_EQ(after.next_index, 20u);
}

}  // namespace
}  // namespace exchange
