// The record log (base/record_log.h) and RecordFile's torn-tail policy
// (base/record_file.h): the one format and the one set of torn-tail and
// corruption tests behind the journal, the FIX session stores, the order
// journal and the history spool.
#include "base/record_log.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "base/record_file.h"

namespace exchange {
namespace {

RecordScanner ScannerOver(const std::string& bytes, const RecordFormat& format,
                          RecordScanner::PlausibleFn plausible = {}) {
  return RecordScanner(
      format,
      [&bytes](std::uint64_t offset, std::size_t n) {
        return std::string_view(bytes).substr(std::min<std::size_t>(offset, bytes.size()), n);
      },
      0, bytes.size(), std::move(plausible));
}

std::vector<std::string> PayloadsOf(RecordScanner& scanner) {
  std::vector<std::string> out;
  while (scanner.Next())
    out.emplace_back(scanner.payload());
  return out;
}

TEST(RecordLogTest, RecordsWithEveryKeyWidthComeBackWithTheirKeysAndOffsets) {
  for (const std::size_t key_bytes : {0u, 1u, 9u}) {
    const RecordFormat format{.key_bytes = key_bytes};
    std::string bytes;
    const std::string key_a(key_bytes, 'a'), key_b(key_bytes, 'b');
    AppendRecord(format, key_a, "first", bytes);
    AppendRecord(format, key_b, "", bytes);
    AppendRecord(format, key_a, std::string(1000, 'x'), bytes);
    EXPECT_EQ(bytes.size(), 3 * format.header_bytes() + 5 + 0 + 1000);
    RecordScanner scanner = ScannerOver(bytes, format);
    ASSERT_TRUE(scanner.Next());
    EXPECT_EQ(scanner.key(), key_a);
    EXPECT_EQ(scanner.payload(), "first");
    EXPECT_EQ(scanner.payload_offset(), format.header_bytes());
    ASSERT_TRUE(scanner.Next());
    EXPECT_EQ(scanner.key(), key_b);
    EXPECT_EQ(scanner.payload(), "");
    ASSERT_TRUE(scanner.Next());
    EXPECT_EQ(scanner.payload(), std::string(1000, 'x'));
    EXPECT_FALSE(scanner.Next());
    EXPECT_EQ(scanner.damage(), "");
    EXPECT_EQ(scanner.offset(), bytes.size());
  }
}

TEST(RecordLogTest, TheJournalsLayoutIsTheFormatWithNoKey) {
  std::string bytes;
  AppendRecord(RecordFormat{}, {}, "abc", bytes);
  ASSERT_EQ(bytes.size(), 11u);
  EXPECT_EQ(bytes.substr(0, 4), std::string("\x03\0\0\0", 4));  // u32 length, little-endian
  EXPECT_EQ(bytes.substr(8), "abc");
}

TEST(RecordLogTest, EveryKindOfDamageStopsTheScanAtTheLastGoodRecord) {
  const RecordFormat format{.key_bytes = 1, .max_payload = 100};
  std::string good;
  AppendRecord(format, "k", "one", good);
  const std::uint64_t first_end = good.size();
  AppendRecord(format, "k", "two", good);

  struct Case {
    std::string name, bytes, damage;
    bool torn;
  };
  std::string flipped_last = good;
  flipped_last.back() ^= 1;
  std::string flipped_first = good;
  flipped_first[first_end - 1] ^= 1;
  std::string too_long;
  AppendRecord(format, "k", "one", too_long);
  too_long += std::string("k\xff\0\0\0\0\0\0\0", 9);
  const std::vector<Case> cases = {
      {"torn header", good.substr(0, first_end + 4), "torn record header", true},
      {"torn payload", good.substr(0, good.size() - 1), "torn record: 2 of 3 payload bytes", true},
      {"bad checksum on the last record", flipped_last, "record checksum mismatch", true},
      {"bad checksum before the last", flipped_first, "record checksum mismatch", false},
      {"impossible length", too_long, "impossible record header (payload length 255)", false},
  };
  for (const Case& c : cases) {
    RecordScanner scanner = ScannerOver(c.bytes, format);
    const std::vector<std::string> payloads = PayloadsOf(scanner);
    const std::size_t expected_good = c.name == "bad checksum before the last" ? 0 : 1;
    EXPECT_EQ(payloads.size(), expected_good) << c.name;
    EXPECT_EQ(scanner.damage(), c.damage) << c.name;
    EXPECT_EQ(scanner.torn(), c.torn) << c.name;
    EXPECT_EQ(scanner.offset(), expected_good == 1 ? first_end : 0u) << c.name;
    EXPECT_FALSE(scanner.Next()) << c.name;  // stays stopped
  }
}

TEST(RecordLogTest, TheOwnersPlausibilityCheckRunsBeforeThePayloadIsRead) {
  const RecordFormat format{.key_bytes = 1};
  std::string bytes;
  AppendRecord(format, "a", "fine", bytes);
  AppendRecord(format, "z", "unknown type", bytes);
  RecordScanner scanner =
      ScannerOver(bytes, format, [](std::string_view key, std::uint32_t) { return key == "a"; });
  EXPECT_EQ(PayloadsOf(scanner), std::vector<std::string>{"fine"});
  EXPECT_NE(scanner.damage().find("impossible record header"), std::string::npos);
  EXPECT_FALSE(scanner.torn());
}

class RecordFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir_template[] = "/tmp/record_file_test.XXXXXX";
    dir_ = ::mkdtemp(dir_template);
    path_ = dir_ + "/records";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  static constexpr std::string_view kMagic = "XTEST001";
  static constexpr RecordFormat kFormat{.key_bytes = 1};

  void Write(const std::string& bytes) { std::ofstream(path_, std::ios::binary) << bytes; }
  std::string Records(int n) {
    std::string bytes(kMagic);
    for (int i = 0; i < n; ++i)
      AppendRecord(kFormat, "k", "record " + std::to_string(i), bytes);
    return bytes;
  }
  // Loads path_; the payloads read, and the bytes cut into *dropped.
  std::vector<std::string> Load(std::uint64_t* dropped) {
    RecordFile file(path_, "test file");
    std::vector<std::string> out;
    *dropped = file.LoadRecords(kMagic, kFormat,
                                [&out](const RecordScanner& r) { out.emplace_back(r.payload()); });
    return out;
  }

  std::string dir_, path_;
};

TEST_F(RecordFileTest, ANewFileGetsItsHeaderAndAHeaderTornAtCreationStartsAfresh) {
  std::uint64_t dropped = 99;
  EXPECT_TRUE(Load(&dropped).empty());
  EXPECT_EQ(dropped, 0u);
  EXPECT_EQ(std::filesystem::file_size(path_), kMagic.size());
  Write("XTE");
  EXPECT_TRUE(Load(&dropped).empty());
  EXPECT_EQ(dropped, 3u);
  EXPECT_EQ(std::filesystem::file_size(path_), kMagic.size());
}

TEST_F(RecordFileTest, ATornTailOrATailOfZerosIsCutOffAndSaysHowMuch) {
  const std::string three = Records(3);
  for (const std::string& tail : {std::string("\x01\x02", 2), std::string(40, '\0')}) {
    Write(three + tail);
    std::uint64_t dropped = 0;
    EXPECT_EQ(Load(&dropped).size(), 3u);
    EXPECT_EQ(dropped, tail.size());
    EXPECT_EQ(std::filesystem::file_size(path_), three.size());
  }
  std::string last_flipped = three;
  last_flipped.back() ^= 0x40;
  Write(last_flipped);
  std::uint64_t dropped = 0;
  EXPECT_EQ(Load(&dropped).size(), 2u);
  EXPECT_EQ(dropped, three.size() - Records(2).size());
}

TEST_F(RecordFileTest, DamageWithDataAfterItIsRefusedNamingThePlace) {
  std::string bytes = Records(3);
  const std::size_t second = Records(1).size();
  bytes[second + 12] ^= 1;  // the second record's payload
  Write(bytes);
  try {
    std::uint64_t dropped = 0;
    Load(&dropped);
    FAIL() << "loaded a damaged file";
  } catch (const RecordFileError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find(path_), std::string::npos) << what;
    EXPECT_NE(what.find("record checksum mismatch at byte " + std::to_string(second)),
              std::string::npos)
        << what;
    EXPECT_NE(what.find("corrupt before the last record"), std::string::npos) << what;
  }
  EXPECT_EQ(std::filesystem::file_size(path_), bytes.size());  // nothing cut
}

TEST_F(RecordFileTest, AFileOfAnotherKindIsRefused) {
  Write("NOTOURS!" + std::string(20, 'x'));
  std::uint64_t dropped = 0;
  EXPECT_THROW(Load(&dropped), RecordFileError);
}

TEST_F(RecordFileTest, ASecondWriterIsRefusedButAReaderIsNot) {
  RecordFile writer(path_, "test file");
  writer.Append(Records(1));
  EXPECT_THROW(RecordFile second(path_, "test file"), RecordFileError);
  RecordFile reader = RecordFile::ForReading(path_, "test file");
  EXPECT_EQ(reader.size(), Records(1).size());
  EXPECT_EQ(reader.Read(0, kMagic.size()), kMagic);
}

}  // namespace
}  // namespace exchange
