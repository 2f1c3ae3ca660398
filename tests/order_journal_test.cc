// OrderJournal: put/erase replayed at open, compaction, a torn tail cut off,
// damage before the end refused, one opener at a time.
#include "gateway/order_journal.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "gateway/order_owner.h"

namespace exchange::fix {
namespace {

class OrderJournalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir_template[] = "/tmp/order_journal_test.XXXXXX";
    dir_ = ::mkdtemp(dir_template);
    path_ = dir_ + "/orders.journal";
    instrument_.spec.symbol = SymbolName("BTC-USD");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  TrackedOrder Order(ClientOrderId id, std::string cl_ord_id) {
    TrackedOrder o;
    o.owner = &owner_;
    o.instrument = &instrument_;
    o.id = id;
    o.exchange_id = id + 100;
    o.cl_ord_id = std::move(cl_ord_id);
    o.side = Side::kSell;
    o.type = OrderType::kStopLimit;
    o.tif = TimeInForce::kIoc;
    o.price = 12345;
    o.stop_price = 12000;
    o.quantity = 30;
    o.cum_qty = 10;
    o.leaves = 20;
    o.notional = static_cast<__int128>(1) << 70;  // past 64 bits
    o.last_sequence = 77;
    o.accepted = true;
    o.accepted_at = 1'781'000'000'123'456'789;
    o.pending.push_back({PendingRequest::Kind::kReplace, 9, "R1", o.cl_ord_id});
    return o;
  }

  void AppendRaw(const std::string& bytes) {
    std::ofstream(path_, std::ios::binary | std::ios::app) << bytes;
  }

  // An owner as the journal sees it: a name.
  class NamedOwner : public OrderOwner {
   public:
    AccountId account() const override { return 7; }
    const std::string& name() const override { return name_; }
    void Report(const TrackedOrder&, const ReportDetail&, std::int64_t) override {}
    void CancelRejected(const CancelRejectDetail&, std::int64_t) override {}
    void MassCancelReported(const MassCancelDetail&, std::int64_t) override {}

   private:
    std::string name_ = "s0";
  };
  std::string dir_, path_;
  InstrumentConfig instrument_;
  NamedOwner owner_;
};

TEST_F(OrderJournalTest, PutAndEraseAreReplayedAtOpenWithEveryField) {
  {
    OrderJournal j(path_);
    EXPECT_TRUE(j.TakeLoaded().empty());
    j.Put(Order(1, "A"));
    TrackedOrder b = Order(2, "B");
    j.Put(b);
    b.cum_qty = 15;  // a later state replaces the earlier
    b.pending.clear();
    j.Put(b);
    j.Put(Order(3, "C"));
    j.Erase(1);
    j.Flush();
    EXPECT_EQ(j.live_orders(), 2u);
  }
  OrderJournal j(path_);
  const std::vector<JournaledOrder> loaded = j.TakeLoaded();
  ASSERT_EQ(loaded.size(), 2u);
  EXPECT_EQ(loaded[0].order.id, 2u);
  EXPECT_EQ(loaded[0].order.cum_qty, 15);
  EXPECT_TRUE(loaded[0].order.pending.empty());
  const JournaledOrder& c = loaded[1];
  const TrackedOrder want = Order(3, "C");
  EXPECT_EQ(c.owner, "s0");
  EXPECT_EQ(c.symbol, "BTC-USD");
  EXPECT_EQ(c.order.owner, nullptr);
  EXPECT_EQ(c.order.cl_ord_id, "C");
  EXPECT_EQ(c.order.exchange_id, want.exchange_id);
  EXPECT_EQ(c.order.side, want.side);
  EXPECT_EQ(c.order.type, want.type);
  EXPECT_EQ(c.order.tif, want.tif);
  EXPECT_EQ(c.order.price, want.price);
  EXPECT_EQ(c.order.stop_price, want.stop_price);
  EXPECT_EQ(c.order.quantity, want.quantity);
  EXPECT_EQ(c.order.leaves, want.leaves);
  EXPECT_TRUE(c.order.notional == want.notional);
  EXPECT_EQ(c.order.last_sequence, want.last_sequence);
  EXPECT_TRUE(c.order.accepted);
  EXPECT_EQ(c.order.accepted_at, want.accepted_at);
  EXPECT_FALSE(c.order.done);
  ASSERT_EQ(c.order.pending.size(), 1u);
  EXPECT_EQ(c.order.pending[0].kind, PendingRequest::Kind::kReplace);
  EXPECT_EQ(c.order.pending[0].cl_ord_id, "R1");
  EXPECT_EQ(c.order.pending[0].orig_cl_ord_id, "C");
  EXPECT_TRUE(j.TakeLoaded().empty()) << "handed over once";
}

TEST_F(OrderJournalTest, ARecordWrittenBeforeAcceptedAtReadsAsUnknownTime) {
  JournaledOrder j{"s0", "BTC-USD", Order(4, "D")};
  std::string payload = EncodeJournaledOrder(j);
  payload.resize(payload.size() - 8);  // an earlier gateway's record ends after the requests
  const std::optional<JournaledOrder> old = DecodeJournaledOrder(payload);
  ASSERT_TRUE(old.has_value());
  EXPECT_EQ(old->order.accepted_at, 0);
  EXPECT_EQ(old->order.pending.size(), 1u);
  payload.resize(payload.size() - 3);  // a torn field is still an error
  EXPECT_FALSE(DecodeJournaledOrder(payload).has_value());
}

TEST_F(OrderJournalTest, NothingIsWrittenUntilFlush) {
  {
    OrderJournal j(path_);
    j.Put(Order(1, "A"));
  }  // never flushed: as if the process died here
  OrderJournal j(path_);
  EXPECT_TRUE(j.TakeLoaded().empty());
}

TEST_F(OrderJournalTest, OpeningCompactsToTheLiveOrders) {
  std::uint64_t grown = 0;
  {
    OrderJournal j(path_);
    for (ClientOrderId id = 1; id <= 200; ++id) {
      std::string cl_ord_id = "X";
      cl_ord_id += std::to_string(id);
      j.Put(Order(id, cl_ord_id));
      if (id > 1) j.Erase(id);
    }
    j.Flush();
    grown = j.file_bytes();
  }
  OrderJournal j(path_);
  EXPECT_EQ(j.TakeLoaded().size(), 1u);
  EXPECT_LT(j.file_bytes() * 50, grown) << "one record left of 399";
  EXPECT_EQ(std::filesystem::file_size(path_), j.file_bytes());
}

TEST_F(OrderJournalTest, ATornTailIsCutOffAndTheOrdersBeforeItKept) {
  {
    OrderJournal j(path_);
    j.Put(Order(1, "A"));
    j.Flush();
  }
  const auto good = std::filesystem::file_size(path_);
  AppendRaw(std::string("\x01\x40\x00\x00\x00\x12\x34", 7));  // a put header, cut short
  OrderJournal j(path_);
  EXPECT_EQ(j.dropped_bytes(), 7u);
  EXPECT_EQ(j.TakeLoaded().size(), 1u);
  EXPECT_EQ(std::filesystem::file_size(path_), good);
}

TEST_F(OrderJournalTest, DamageBeforeTheLastRecordIsRefusedNamingThePlace) {
  {
    OrderJournal j(path_);
    j.Put(Order(1, "A"));
    j.Put(Order(2, "B"));
    j.Flush();
  }
  {
    std::fstream f(path_, std::ios::binary | std::ios::in | std::ios::out);
    f.seekp(8 + 9 + 3);  // inside the first record's payload
    f.put('\x7f');
  }
  try {
    OrderJournal j(path_);
    FAIL() << "opened a damaged journal";
  } catch (const OrderJournalError& e) {
    EXPECT_NE(std::string(e.what()).find("checksum mismatch at byte 8"), std::string::npos)
        << e.what();
  }
}

TEST_F(OrderJournalTest, ASecondOpenerIsRefused) {
  OrderJournal first(path_);
  EXPECT_THROW(OrderJournal second(path_), OrderJournalError);
}

TEST_F(OrderJournalTest, AFileThatIsNotAJournalIsRefused) {
  AppendRaw("XFIXST01 not an order journal");
  EXPECT_THROW(OrderJournal j(path_), OrderJournalError);
}

}  // namespace
}  // namespace exchange::fix
