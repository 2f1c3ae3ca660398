// Files written by the code of commit d8426a7, before the journal, the FIX
// session stores and the gateway's order journal shared one record-log
// format (base/record_log.h), open unchanged and read back what was written
// (tests/data/legacy-d8426a7/, made by make_legacy_files.cc.txt there).
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "engine_service/core/journal.h"
#include "gateway/fix_session.h"
#include "gateway/order_journal.h"
#include "gateway/session_store.h"

namespace exchange {
namespace {

namespace fs = std::filesystem;

class LegacyFilesTest : public ::testing::Test {
 protected:
  // A copy of the legacy files: opening may write (a new segment, compaction).
  void SetUp() override {
    char dir_template[] = "/tmp/legacy_files_test.XXXXXX";
    dir_ = ::mkdtemp(dir_template);
    fs::copy(EXCHANGE_LEGACY_DATA_DIR, dir_, fs::copy_options::recursive);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string dir_;
};

TEST_F(LegacyFilesTest, AJournalOfTwoSegmentsReplaysEveryRecord) {
  JournalOpenReport report;
  auto journal = Journal::Open(dir_ + "/journal", &report);
  EXPECT_EQ(report.damage, "");
  EXPECT_EQ(report.records, 8u);
  EXPECT_EQ(journal->next_index(), 8u);
  std::vector<std::string> payloads;
  journal->Replay(0, [&](std::uint64_t index, std::string_view payload) {
    EXPECT_EQ(index, payloads.size());
    payloads.emplace_back(payload);
  });
  ASSERT_EQ(payloads.size(), 8u);
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(payloads[static_cast<std::size_t>(i)], "command " + std::to_string(i));
  for (int i = 5; i < 8; ++i) {
    EXPECT_EQ(payloads[static_cast<std::size_t>(i)],
              std::string(static_cast<std::size_t>(100 + i), static_cast<char>('a' + i)));
  }
  journal->Append("after the change");  // and goes on from there
  journal->Flush();
  journal->Sync();
  journal.reset();
  JournalOpenReport reopened_report;
  auto reopened = Journal::Open(dir_ + "/journal", &reopened_report);
  EXPECT_EQ(reopened_report.damage, "");
  EXPECT_EQ(reopened_report.records, 9u);
}

TEST_F(LegacyFilesTest, AFixSessionStoreKeepsItsNumbersAndItsMessages) {
  fix::SessionStore store(dir_ + "/s0.fixstore");
  EXPECT_EQ(store.dropped_bytes(), 0u);
  EXPECT_EQ(store.next_outgoing(), 5u);
  EXPECT_EQ(store.next_incoming(), 7u);
  const auto sent = store.Outgoing(1, 0);
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[0].first, 2u);
  EXPECT_EQ(sent[0].second,
            "8=FIX.4.4\x01"
            "9=5\x01"
            "35=8\x01"
            "11=A\x01"
            "10=000\x01");
  EXPECT_EQ(sent[1].first, 3u);
  EXPECT_EQ(sent[1].second,
            "8=FIX.4.4\x01"
            "9=5\x01"
            "35=8\x01"
            "11=B\x01"
            "10=000\x01");
}

TEST_F(LegacyFilesTest, AGatewayOrderJournalKeepsItsOpenOrdersWithEveryField) {
  fix::OrderJournal journal(dir_ + "/orders.journal");
  EXPECT_EQ(journal.dropped_bytes(), 0u);
  const std::vector<fix::JournaledOrder> loaded = journal.TakeLoaded();
  ASSERT_EQ(loaded.size(), 2u);  // 1 and 3; 2 was erased
  EXPECT_EQ(loaded[0].order.id, 1u);
  EXPECT_EQ(loaded[1].order.id, 3u);
  for (const fix::JournaledOrder& j : loaded) {
    EXPECT_EQ(j.owner, "s0");
    EXPECT_EQ(j.symbol, "BTC-USD");
    const fix::TrackedOrder& o = j.order;
    EXPECT_EQ(o.exchange_id, o.id + 100);
    EXPECT_EQ(o.cl_ord_id, o.id == 1 ? "C1" : "C3");
    EXPECT_EQ(o.side, Side::kSell);
    EXPECT_EQ(o.type, OrderType::kStopLimit);
    EXPECT_EQ(o.tif, TimeInForce::kIoc);
    EXPECT_EQ(o.price, 12345);
    EXPECT_EQ(o.stop_price, 12000);
    EXPECT_EQ(o.quantity, 30);
    EXPECT_EQ(o.cum_qty, 10);
    EXPECT_EQ(o.leaves, 20);
    EXPECT_TRUE(o.notional == static_cast<__int128>(1) << 70);
    EXPECT_EQ(o.last_sequence, 77u);
    EXPECT_TRUE(o.accepted);
    ASSERT_EQ(o.pending.size(), 1u);
    EXPECT_EQ(o.pending[0].cl_ord_id, "R1");
  }
}

}  // namespace
}  // namespace exchange
