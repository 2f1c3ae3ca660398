// Tests of the FIX gateway's application layer (gateway/order_router.h and
// order_request.h): FIX order-entry messages become the right engine
// commands in engine units (or the right refusal), and engine events become
// the right ExecutionReport, OrderCancelReject and OrderMassCancelReport
// fields. Sessions are real FixSessions, logged on through a recording host;
// the engine is played by the test (events built by hand, as the engine
// documents them in engine/event.h).
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "gateway/execution_report.h"
#include "gateway/fix_order_entry.h"
#include "gateway/fix_tags.h"
#include "gateway/gateway_config.h"
#include "gateway/order_router.h"

namespace exchange::fix {
namespace {

constexpr std::int64_t kNow = 1'795'219'200'000'000'000;  // 2026-11-21 00:00 UTC

struct Submitted {
  std::string symbol;
  Command command;
};

class RecordingSubmitter : public CommandSubmitter {
 public:
  std::optional<std::string> Submit(std::string_view symbol, const Command& command,
                                    std::uint64_t) override {
    if (!refusal.empty()) return refusal;
    sent.push_back({std::string(symbol), command});
    return std::nullopt;
  }
  std::vector<Submitted> sent;
  std::string refusal;  // non-empty: refuse with this
};

// Keeps every message the session sends, parsed into tag -> value maps.
class RecordingHost : public SessionHost {
 public:
  void Send(std::string_view message) override {
    std::map<int, std::string> fields;
    FixMessage m;
    EXPECT_FALSE(m.Parse(message).has_value()) << Printable(message);
    for (const Field& f : m)
      fields[f.tag] = std::string(f.value);
    messages.push_back(std::move(fields));
  }
  void Disconnect(std::string_view reason) override { disconnected = std::string(reason); }
  std::vector<std::map<int, std::string>> messages;
  std::string disconnected;
};

InstrumentConfig Instrument(const std::string& symbol, Price tick, int price_decimals,
                            int quantity_decimals) {
  InstrumentConfig c;
  c.spec.symbol = SymbolName(symbol);
  c.spec.tick_size = tick;
  c.price_decimals = price_decimals;
  c.quantity_decimals = quantity_decimals;
  return c;
}

class OrderRouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir_template[] = "/tmp/order_router_test.XXXXXX";
    dir_ = ::mkdtemp(dir_template);
    Start(1000);
  }

  // A router (with its journal) and two logged-on sessions; the stores and
  // the journal carry over what an earlier Start left on disk.
  void Start(ClientOrderId first_order_id) {
    InstrumentTable instruments;
    instruments["BTC-USD"] = Instrument("BTC-USD", 5, 2, 4);  // tick 0.05
    instruments["ETH-USD"] = Instrument("ETH-USD", 1, 2, 3);
    journal_ = std::make_unique<OrderJournal>(dir_ + "/orders.journal");
    router_ = std::make_unique<OrderRouter>(instruments, submitter_, first_order_id);
    entry_ = std::make_unique<FixOrderEntry>(*router_);
    router_->SetJournal(journal_.get());
    for (int i = 0; i < 2; ++i) {
      SessionConfig c;
      c.name = "s" + std::to_string(i);
      c.client_comp_id = "CLIENT" + std::to_string(i);
      c.gateway_comp_id = "EXCH";
      c.password = "secret";
      c.account = 7 + static_cast<std::uint32_t>(i);
      stores_[i] = std::make_unique<SessionStore>(dir_ + "/" + c.name + ".fixstore");
      sessions_[i] = std::make_unique<FixSession>(c, *stores_[i], *entry_);
    }
    restored_ = router_->Restore(
        journal_->TakeLoaded(),
        [&](std::string_view name) -> OrderOwner* {
          for (auto& s : sessions_) {
            if (s->config().name == name) return &entry_->OwnerOf(*s);
          }
          return nullptr;
        },
        &dropped_);
    for (int i = 0; i < 2; ++i) {
      hosts_[i].messages.clear();
      sessions_[i]->Attach(hosts_[i], kNow);
      Deliver(i, msg::kLogon, {{tag::kHeartBtInt, "30"}, {tag::kPassword, "secret"}});
      EXPECT_TRUE(sessions_[i]->logged_on());
      hosts_[i].messages.clear();
    }
  }

  // The gateway process ends (what it buffered flushed, as after each event
  // batch) and starts again on the same folder.
  void Restart(ClientOrderId first_order_id) {
    router_->FlushJournal();
    for (int i = 0; i < 2; ++i) {
      sessions_[i].reset();
      stores_[i].reset();
    }
    entry_.reset();
    router_.reset();
    journal_.reset();
    Start(first_order_id);
  }

  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Sends one message from client `i` with the next sequence number.
  void Deliver(int i, std::string_view type, const std::vector<std::pair<int, std::string>>& body) {
    FixWriter w;
    w.Start(type, sessions_[i]->config().client_comp_id, "EXCH", next_seq_[i]++, kNow);
    for (const auto& [tag, value] : body)
      w.Add(tag, value);
    const std::string bytes(w.Finish());
    FixMessage m;
    ASSERT_FALSE(m.Parse(bytes).has_value());
    sessions_[i]->OnMessage(m, kNow);
  }

  void NewLimit(int i, const std::string& id, const std::string& side, const std::string& qty,
                const std::string& px, const std::string& symbol = "BTC-USD") {
    Deliver(i, msg::kNewOrderSingle,
            {{tag::kClOrdID, id},
             {tag::kSymbol, symbol},
             {tag::kSide, side},
             {tag::kOrderQty, qty},
             {tag::kOrdType, "2"},
             {tag::kPrice, px},
             {tag::kTimeInForce, "1"}});
  }

  // The last message client `i` received.
  const std::map<int, std::string>& Last(int i) {
    EXPECT_FALSE(hosts_[i].messages.empty());
    return hosts_[i].messages.back();
  }

  // An event as the gateway gets it: once, in the engine's batch.
  void Apply(const Event& e) { router_->OnEvent(e, kNow); }

  const NewOrder& LastNew() { return std::get<NewOrder>(submitter_.sent.back().command.body); }

  // The engine's answers, as engine/event.h documents them.
  static Event Rejected(ClientOrderId order_id, Sequence seq, RejectReason why) {
    Event e;
    e.sequence = seq;
    e.type = EventType::kRejected;
    e.account = 7;
    e.order_id = order_id;
    e.reject_reason = why;
    return e;
  }
  Event Accepted(const NewOrder& n, Sequence seq, OrderId exchange_id) {
    Event e;
    e.sequence = seq;
    e.timestamp = kNow + 1000;
    e.type = EventType::kAccepted;
    e.account = n.account;
    e.order_id = n.order_id;
    e.exchange_order_id = exchange_id;
    e.side = n.side;
    e.price = n.price;
    e.quantity = n.quantity;
    e.leaves = n.quantity;
    return e;
  }
  Event Trade(const NewOrder& taker, const NewOrder& maker, Sequence seq, Price px, Quantity qty,
              Quantity taker_filled, Quantity maker_filled) {
    Event e;
    e.sequence = seq;
    e.timestamp = kNow + 2000;
    e.type = EventType::kTrade;
    e.account = taker.account;
    e.order_id = taker.order_id;
    e.side = taker.side;
    e.price = px;
    e.quantity = qty;
    e.filled = taker_filled;
    e.leaves = taker.quantity - taker_filled;
    e.maker_account = maker.account;
    e.maker_order_id = maker.order_id;
    e.maker_filled = maker_filled;
    e.maker_leaves = maker.quantity - maker_filled;
    return e;
  }
  Event Canceled(const NewOrder& n, Sequence seq, CancelReason why) {
    Event e;
    e.sequence = seq;
    e.type = EventType::kCanceled;
    e.account = n.account;
    e.order_id = n.order_id;
    e.cancel_reason = why;
    return e;
  }

  std::string dir_;
  RecordingSubmitter submitter_;
  std::unique_ptr<OrderJournal> journal_;
  std::unique_ptr<OrderRouter> router_;
  std::unique_ptr<FixOrderEntry> entry_;
  std::size_t restored_ = 0;
  std::vector<std::string> dropped_;
  std::unique_ptr<SessionStore> stores_[2];
  std::unique_ptr<FixSession> sessions_[2];
  RecordingHost hosts_[2];
  std::uint64_t next_seq_[2] = {1, 1};
};

TEST_F(OrderRouterTest, LimitOrderBecomesEngineUnitsAndAcceptedBecomesNewReport) {
  NewLimit(0, "A1", "1", "1.5", "100.25");
  ASSERT_EQ(submitter_.sent.size(), 1u);
  EXPECT_EQ(submitter_.sent[0].symbol, "BTC-USD");
  const NewOrder n = LastNew();
  EXPECT_EQ(n.account, 7u);
  EXPECT_EQ(n.side, Side::kBuy);
  EXPECT_EQ(n.type, OrderType::kLimit);
  EXPECT_EQ(n.tif, TimeInForce::kGtc);
  EXPECT_EQ(n.price, 10025);
  EXPECT_EQ(n.quantity, 15000);
  EXPECT_TRUE(hosts_[0].messages.empty()) << "nothing is reported before the engine answers";

  Apply(Accepted(n, 41, 9001));
  const auto& er = Last(0);
  EXPECT_EQ(er.at(tag::kMsgType), "8");
  EXPECT_EQ(er.at(tag::kExecType), "0");
  EXPECT_EQ(er.at(tag::kOrdStatus), "0");
  EXPECT_EQ(er.at(tag::kOrderID), "9001");
  EXPECT_EQ(er.at(tag::kClOrdID), "A1");
  EXPECT_EQ(er.at(tag::kExecID), "BTC-USD:41");
  EXPECT_EQ(er.at(tag::kSymbol), "BTC-USD");
  EXPECT_EQ(er.at(tag::kSide), "1");
  EXPECT_EQ(er.at(tag::kOrderQty), "1.5000");
  EXPECT_EQ(er.at(tag::kPrice), "100.25");
  EXPECT_EQ(er.at(tag::kLeavesQty), "1.5000");
  EXPECT_EQ(er.at(tag::kCumQty), "0.0000");
  EXPECT_EQ(er.at(tag::kAvgPx), "0");
  EXPECT_EQ(er.at(tag::kAccount), "7");
  EXPECT_EQ(er.count(tag::kLastQty), 0u);
}

TEST_F(OrderRouterTest, PriceOffTickOrWithTooManyDecimalsIsRejectedNeverRounded) {
  NewLimit(0, "A1", "1", "1", "100.27");  // tick 0.05
  EXPECT_TRUE(submitter_.sent.empty());
  EXPECT_EQ(Last(0).at(tag::kExecType), "8");
  EXPECT_EQ(Last(0).at(tag::kOrdStatus), "8");
  EXPECT_NE(Last(0).at(tag::kText).find("tick"), std::string::npos) << Last(0).at(tag::kText);
  NewLimit(0, "A2", "1", "1", "100.251");
  EXPECT_TRUE(submitter_.sent.empty());
  EXPECT_NE(Last(0).at(tag::kText).find("decimals"), std::string::npos) << Last(0).at(tag::kText);
  NewLimit(0, "A3", "1", "1.00001", "100.25");
  EXPECT_TRUE(submitter_.sent.empty());
  EXPECT_EQ(Last(0).at(tag::kOrdRejReason), "13");
}

TEST_F(OrderRouterTest, UnknownSymbolMissingFieldAndUnsupportedTypeGetTheirOwnAnswers) {
  NewLimit(0, "A1", "1", "1", "100", "DOGE-USD");
  EXPECT_EQ(Last(0).at(tag::kExecType), "8");
  EXPECT_EQ(Last(0).at(tag::kOrdRejReason), "1");
  EXPECT_NE(Last(0).at(tag::kText).find("DOGE-USD"), std::string::npos);

  Deliver(0, msg::kNewOrderSingle,
          {{tag::kClOrdID, "A2"},
           {tag::kSymbol, "BTC-USD"},
           {tag::kOrderQty, "1"},
           {tag::kOrdType, "2"},
           {tag::kPrice, "100"}});
  EXPECT_EQ(Last(0).at(tag::kMsgType), "3");
  EXPECT_EQ(Last(0).at(tag::kRefTagID), "54");
  EXPECT_EQ(Last(0).at(tag::kRefSeqNum), std::to_string(next_seq_[0] - 1));
  EXPECT_EQ(Last(0).at(tag::kSessionRejectReason), "1");

  Deliver(0, "AE", {{tag::kClOrdID, "A3"}});
  EXPECT_EQ(Last(0).at(tag::kMsgType), "j");
  EXPECT_EQ(Last(0).at(tag::kBusinessRejectReason), "3");
  EXPECT_EQ(Last(0).at(tag::kRefMsgType), "AE");
  EXPECT_TRUE(submitter_.sent.empty());
}

TEST_F(OrderRouterTest, FillsReportLastCumLeavesAndAveragePriceOnBothSides) {
  NewLimit(0, "BUY", "1", "3", "100.00");
  const NewOrder buy = LastNew();
  Apply(Accepted(buy, 1, 1));
  NewLimit(1, "SELL", "2", "3", "99.00");
  const NewOrder sell = LastNew();
  Apply(Accepted(sell, 2, 2));
  // The seller takes 1 at 100.00, then (say, after a replace) 2 at 100.05.
  Apply(Trade(sell, buy, 3, 10000, 10000, 10000, 10000));
  EXPECT_EQ(Last(1).at(tag::kExecType), "F");
  EXPECT_EQ(Last(1).at(tag::kOrdStatus), "1");
  EXPECT_EQ(Last(1).at(tag::kLastQty), "1.0000");
  EXPECT_EQ(Last(1).at(tag::kLastPx), "100.00");
  EXPECT_EQ(Last(1).at(tag::kCumQty), "1.0000");
  EXPECT_EQ(Last(1).at(tag::kLeavesQty), "2.0000");
  EXPECT_EQ(Last(0).at(tag::kExecType), "F") << "the maker is told too";
  EXPECT_EQ(Last(0).at(tag::kClOrdID), "BUY");
  EXPECT_EQ(Last(0).at(tag::kCumQty), "1.0000");
  Apply(Trade(sell, buy, 4, 10005, 20000, 30000, 30000));
  EXPECT_EQ(Last(1).at(tag::kOrdStatus), "2");
  EXPECT_EQ(Last(1).at(tag::kLeavesQty), "0.0000");
  EXPECT_EQ(Last(1).at(tag::kCumQty), "3.0000");
  EXPECT_EQ(Last(1).at(tag::kAvgPx), "100.033333");  // (100.00 + 2 × 100.05) / 3, 2 + 4 decimals
  EXPECT_EQ(Last(0).at(tag::kOrdStatus), "2");
  EXPECT_EQ(router_->tracked_orders(), 0u) << "filled orders are forgotten";
}

TEST_F(OrderRouterTest, OneTradeEventReportsToTheTakerAndTheMakerOnceEach) {
  NewLimit(0, "BUY", "1", "1", "100.00");
  const NewOrder buy = LastNew();
  Apply(Accepted(buy, 1, 1));
  NewLimit(1, "SELL", "2", "1", "100.00");
  const NewOrder sell = LastNew();
  Apply(Accepted(sell, 2, 2));
  const Event trade = Trade(sell, buy, 3, 10000, 10000, 10000, 10000);
  Apply(trade);
  ASSERT_EQ(hosts_[0].messages.size(), 2u);
  EXPECT_EQ(hosts_[0].messages[1].at(tag::kExecType), "F");
  ASSERT_EQ(hosts_[1].messages.size(), 2u);
  EXPECT_EQ(hosts_[1].messages[0].at(tag::kExecType), "0");
  EXPECT_EQ(hosts_[1].messages[1].at(tag::kExecType), "F");
  EXPECT_EQ(hosts_[1].messages[1].at(tag::kOrdStatus), "2");
  Apply(trade);  // redelivered: each side already has it
  EXPECT_EQ(hosts_[0].messages.size(), 2u);
  EXPECT_EQ(hosts_[1].messages.size(), 2u);
}

TEST_F(OrderRouterTest, RedeliveredEventIsReportedOnce) {
  NewLimit(0, "A1", "1", "1", "100");
  const Event accepted = Accepted(LastNew(), 5, 1);
  Apply(accepted);
  Apply(accepted);
  EXPECT_EQ(hosts_[0].messages.size(), 1u);
}

TEST_F(OrderRouterTest, CancelNamesTheOrderByOrigClOrdIdAndReportsWithBothIds) {
  NewLimit(0, "A1", "1", "1", "100");
  const NewOrder n = LastNew();
  Apply(Accepted(n, 1, 77));
  Deliver(0, msg::kOrderCancelRequest,
          {{tag::kClOrdID, "C1"},
           {tag::kOrigClOrdID, "A1"},
           {tag::kSymbol, "BTC-USD"},
           {tag::kSide, "1"}});
  ASSERT_EQ(submitter_.sent.size(), 2u);
  const auto& cancel = std::get<CancelOrder>(submitter_.sent[1].command.body);
  EXPECT_EQ(cancel.order_id, n.order_id);
  EXPECT_EQ(cancel.account, 7u);
  Apply(Canceled(n, 2, CancelReason::kUserRequest));
  EXPECT_EQ(Last(0).at(tag::kExecType), "4");
  EXPECT_EQ(Last(0).at(tag::kOrdStatus), "4");
  EXPECT_EQ(Last(0).at(tag::kClOrdID), "C1");
  EXPECT_EQ(Last(0).at(tag::kOrigClOrdID), "A1");
  EXPECT_EQ(Last(0).at(tag::kLeavesQty), "0.0000");
  EXPECT_EQ(router_->tracked_orders(), 0u);
}

TEST_F(OrderRouterTest, CancelOfAnUnknownOrAnotherSessionsOrderIsRejected) {
  NewLimit(0, "A1", "1", "1", "100");
  Apply(Accepted(LastNew(), 1, 77));
  // Session 1 names session 0's order: not one of its own.
  Deliver(1, msg::kOrderCancelRequest,
          {{tag::kClOrdID, "C1"}, {tag::kOrigClOrdID, "A1"}, {tag::kSymbol, "BTC-USD"}});
  EXPECT_EQ(Last(1).at(tag::kMsgType), "9");
  EXPECT_EQ(Last(1).at(tag::kCxlRejResponseTo), "1");
  EXPECT_EQ(Last(1).at(tag::kCxlRejReason), "1");
  EXPECT_EQ(submitter_.sent.size(), 1u) << "no cancel reaches the engine";
}

TEST_F(OrderRouterTest, ReplaceKeepsTheEngineIdAndMovesTheClOrdId) {
  NewLimit(0, "A1", "1", "2", "100");
  const NewOrder n = LastNew();
  Apply(Accepted(n, 1, 77));
  Deliver(0, msg::kOrderCancelReplaceRequest,
          {{tag::kClOrdID, "A2"},
           {tag::kOrigClOrdID, "A1"},
           {tag::kSymbol, "BTC-USD"},
           {tag::kSide, "1"},
           {tag::kOrderQty, "3"},
           {tag::kOrdType, "2"},
           {tag::kPrice, "101"}});
  const auto& replace = std::get<ReplaceOrder>(submitter_.sent.back().command.body);
  EXPECT_EQ(replace.order_id, n.order_id);
  EXPECT_EQ(replace.new_order_id, 0u);
  EXPECT_EQ(replace.price, 10100);
  EXPECT_EQ(replace.quantity, 30000);
  Event e;
  e.sequence = 2;
  e.type = EventType::kReplaced;
  e.account = 7;
  e.order_id = n.order_id;
  e.exchange_order_id = 77;
  e.price = 10100;
  e.quantity = 30000;
  e.leaves = 30000;
  Apply(e);
  EXPECT_EQ(Last(0).at(tag::kExecType), "5");
  EXPECT_EQ(Last(0).at(tag::kOrdStatus), "0");
  EXPECT_EQ(Last(0).at(tag::kClOrdID), "A2");
  EXPECT_EQ(Last(0).at(tag::kOrigClOrdID), "A1");
  EXPECT_EQ(Last(0).at(tag::kPrice), "101.00");
  EXPECT_EQ(Last(0).at(tag::kOrderQty), "3.0000");
  // The order is now A2: a cancel of A1 is refused, of A2 goes through.
  Deliver(0, msg::kOrderCancelRequest,
          {{tag::kClOrdID, "C1"}, {tag::kOrigClOrdID, "A1"}, {tag::kSymbol, "BTC-USD"}});
  EXPECT_EQ(Last(0).at(tag::kMsgType), "9");
  Deliver(0, msg::kOrderCancelRequest,
          {{tag::kClOrdID, "C2"}, {tag::kOrigClOrdID, "A2"}, {tag::kSymbol, "BTC-USD"}});
  EXPECT_TRUE(std::holds_alternative<CancelOrder>(submitter_.sent.back().command.body));
}

TEST_F(OrderRouterTest, EngineRejectionOfAReplaceIsAnOrderCancelReject) {
  NewLimit(0, "A1", "1", "2", "100");
  const NewOrder n = LastNew();
  Apply(Accepted(n, 1, 77));
  Deliver(0, msg::kOrderCancelReplaceRequest,
          {{tag::kClOrdID, "A2"},
           {tag::kOrigClOrdID, "A1"},
           {tag::kSymbol, "BTC-USD"},
           {tag::kOrderQty, "2"},
           {tag::kPrice, "150"}});
  Apply(Rejected(n.order_id, 2, RejectReason::kPriceOutsideBand));
  EXPECT_EQ(Last(0).at(tag::kMsgType), "9");
  EXPECT_EQ(Last(0).at(tag::kCxlRejResponseTo), "2");
  EXPECT_EQ(Last(0).at(tag::kClOrdID), "A2");
  EXPECT_EQ(Last(0).at(tag::kOrigClOrdID), "A1");
  EXPECT_EQ(Last(0).at(tag::kOrdStatus), "0") << "the order itself still stands";
  EXPECT_EQ(Last(0).at(tag::kText), "price outside band");
  EXPECT_EQ(router_->tracked_orders(), 1u);
}

TEST_F(OrderRouterTest, EngineRejectionOfANewOrderIsARejectedReport) {
  NewLimit(0, "A1", "1", "2", "100");
  Apply(Rejected(LastNew().order_id, 1, RejectReason::kHalted));
  EXPECT_EQ(Last(0).at(tag::kExecType), "8");
  EXPECT_EQ(Last(0).at(tag::kOrdStatus), "8");
  EXPECT_EQ(Last(0).at(tag::kOrdRejReason), "2");
  EXPECT_EQ(Last(0).at(tag::kText), "halted");
  EXPECT_EQ(router_->tracked_orders(), 0u);
}

TEST_F(OrderRouterTest, InsufficientFundsIsOrdRejReason3WithAClearText) {
  NewLimit(0, "A1", "1", "2", "100");
  Apply(Rejected(LastNew().order_id, 1, RejectReason::kInsufficientFunds));
  EXPECT_EQ(Last(0).at(tag::kExecType), "8");
  EXPECT_EQ(Last(0).at(tag::kOrdRejReason), "3");  // exceeds limit
  EXPECT_EQ(Last(0).at(tag::kText),
            "insufficient funds: the order would hold more than the account has available");
  // A BALANCE event on the account's stream reports nothing to FIX.
  const std::size_t sent = hosts_[0].messages.size();
  Event balance;
  balance.sequence = 2;
  balance.type = EventType::kBalance;
  balance.account = 7;
  Apply(balance);
  EXPECT_EQ(hosts_[0].messages.size(), sent);
}

TEST_F(OrderRouterTest, IocRemainderIsExpiredAndMassCancelIsReported) {
  Deliver(0, msg::kNewOrderSingle,
          {{tag::kClOrdID, "I1"},
           {tag::kSymbol, "BTC-USD"},
           {tag::kSide, "1"},
           {tag::kOrderQty, "1"},
           {tag::kOrdType, "2"},
           {tag::kPrice, "100"},
           {tag::kTimeInForce, "3"}});
  const NewOrder ioc = LastNew();
  EXPECT_EQ(ioc.tif, TimeInForce::kIoc);
  Apply(Accepted(ioc, 1, 1));
  Apply(Canceled(ioc, 2, CancelReason::kIocRemainder));
  EXPECT_EQ(Last(0).at(tag::kExecType), "C");
  EXPECT_EQ(Last(0).at(tag::kOrdStatus), "C");

  NewLimit(0, "G1", "1", "1", "100");
  const NewOrder g1 = LastNew();
  Apply(Accepted(g1, 3, 2));
  NewLimit(0, "G2", "1", "1", "100", "ETH-USD");
  Apply(Accepted(LastNew(), 4, 3));
  Deliver(0, msg::kOrderMassCancelRequest,
          {{tag::kClOrdID, "M1"}, {tag::kMassCancelRequestType, "1"}, {tag::kSymbol, "BTC-USD"}});
  EXPECT_EQ(submitter_.sent.back().symbol, "BTC-USD");
  EXPECT_EQ(std::get<MassCancel>(submitter_.sent.back().command.body).account, 7u);
  EXPECT_EQ(Last(0).at(tag::kMsgType), "r");
  EXPECT_EQ(Last(0).at(tag::kMassCancelResponse), "1");
  EXPECT_EQ(Last(0).at(tag::kTotalAffectedOrders), "1");
  Apply(Canceled(g1, 5, CancelReason::kMassCancel));
  EXPECT_EQ(Last(0).at(tag::kExecType), "4");
  EXPECT_EQ(Last(0).at(tag::kClOrdID), "G1");
}

TEST_F(OrderRouterTest, OrderTypesMapFromOrdTypeExecInstAndMaxFloor) {
  Deliver(0, msg::kNewOrderSingle,
          {{tag::kClOrdID, "P"},
           {tag::kSymbol, "BTC-USD"},
           {tag::kSide, "2"},
           {tag::kOrderQty, "1"},
           {tag::kOrdType, "2"},
           {tag::kPrice, "100"},
           {tag::kExecInst, "6"}});
  EXPECT_EQ(LastNew().type, OrderType::kPostOnly);
  Deliver(0, msg::kNewOrderSingle,
          {{tag::kClOrdID, "I"},
           {tag::kSymbol, "BTC-USD"},
           {tag::kSide, "2"},
           {tag::kOrderQty, "10"},
           {tag::kOrdType, "2"},
           {tag::kPrice, "100"},
           {tag::kMaxFloor, "2"}});
  EXPECT_EQ(LastNew().type, OrderType::kIceberg);
  EXPECT_EQ(LastNew().display_quantity, 20000);
  Deliver(0, msg::kNewOrderSingle,
          {{tag::kClOrdID, "S"},
           {tag::kSymbol, "BTC-USD"},
           {tag::kSide, "1"},
           {tag::kOrderQty, "1"},
           {tag::kOrdType, "3"},
           {tag::kStopPx, "105"},
           {tag::kSelfTradePreventionMode, "2"}});
  EXPECT_EQ(LastNew().type, OrderType::kStop);
  EXPECT_EQ(LastNew().stop_price, 10500);
  EXPECT_EQ(LastNew().stp, StpMode::kCancelIncoming);
  Deliver(0, msg::kNewOrderSingle,
          {{tag::kClOrdID, "M"},
           {tag::kSymbol, "BTC-USD"},
           {tag::kSide, "1"},
           {tag::kOrderQty, "1"},
           {tag::kOrdType, "1"},
           {tag::kTimeInForce, "4"}});
  EXPECT_EQ(LastNew().type, OrderType::kMarket);
  EXPECT_EQ(LastNew().tif, TimeInForce::kFok);
  EXPECT_EQ(submitter_.sent.size(), 4u);
  Deliver(0, msg::kNewOrderSingle,
          {{tag::kClOrdID, "X"},
           {tag::kSymbol, "BTC-USD"},
           {tag::kSide, "1"},
           {tag::kOrderQty, "1"},
           {tag::kOrdType, "3"},
           {tag::kStopPx, "105"},
           {tag::kExecInst, "6"}});
  EXPECT_EQ(Last(0).at(tag::kExecType), "8") << "post-only needs a limit order";
  EXPECT_EQ(submitter_.sent.size(), 4u);
}

TEST_F(OrderRouterTest, DuplicateClOrdIdAndUnreachableBrokerAreRejectedAtOnce) {
  NewLimit(0, "A1", "1", "1", "100");
  NewLimit(0, "A1", "1", "1", "100");
  EXPECT_EQ(submitter_.sent.size(), 1u);
  EXPECT_EQ(Last(0).at(tag::kOrdRejReason), "6");
  submitter_.refusal = "RabbitMQ is unreachable (connection refused)";
  NewLimit(0, "A2", "1", "1", "100");
  EXPECT_EQ(Last(0).at(tag::kExecType), "8");
  EXPECT_NE(Last(0).at(tag::kText).find("connection refused"), std::string::npos);
  EXPECT_EQ(router_->tracked_orders(), 1u);
}

TEST_F(OrderRouterTest, EventsOfOrdersPlacedElsewhereAreIgnored) {
  NewOrder foreign;
  foreign.account = 7;
  foreign.order_id = 5;  // not an id this router handed out
  foreign.quantity = 1;
  Apply(Accepted(foreign, 1, 1));
  EXPECT_TRUE(hosts_[0].messages.empty());
}

TEST_F(OrderRouterTest, OpenOrdersSurviveARestartAndTheirLaterEventsAreReported) {
  NewLimit(0, "BUY", "1", "3", "100.00");
  const NewOrder buy = LastNew();
  Apply(Accepted(buy, 1, 1));
  NewLimit(1, "SELL", "2", "1", "100.00");
  const NewOrder sell = LastNew();
  Apply(Accepted(sell, 2, 2));
  Apply(Trade(sell, buy, 3, 10000, 10000, 10000, 10000));  // 1 of BUY's 3 at 100.00
  NewLimit(0, "REST", "1", "1", "90.00");
  const NewOrder rest = LastNew();
  Apply(Accepted(rest, 4, 3));
  Deliver(0, msg::kOrderCancelRequest,
          {{tag::kClOrdID, "C1"}, {tag::kOrigClOrdID, "REST"}, {tag::kSymbol, "BTC-USD"}});
  ASSERT_EQ(router_->tracked_orders(), 2u);

  Restart(5000);
  EXPECT_EQ(restored_, 2u);
  EXPECT_TRUE(dropped_.empty());
  EXPECT_EQ(router_->tracked_orders(), 2u);

  // BUY takes 2 more at 100.10: the report carries what came before the restart.
  NewOrder sell2 = sell;
  sell2.order_id = 99;
  sell2.quantity = 2;
  Apply(Trade(sell2, buy, 5, 10010, 20000, 20000, 30000));
  EXPECT_EQ(Last(0).at(tag::kClOrdID), "BUY");
  EXPECT_EQ(Last(0).at(tag::kOrderID), "1");
  EXPECT_EQ(Last(0).at(tag::kOrdStatus), "2");
  EXPECT_EQ(Last(0).at(tag::kCumQty), "3.0000");
  EXPECT_EQ(Last(0).at(tag::kAvgPx), "100.066666");  // (100.00 + 2 × 100.10) / 3, cut
  // The cancel asked before the restart is answered with its own ClOrdID.
  Apply(Canceled(rest, 6, CancelReason::kUserRequest));
  EXPECT_EQ(Last(0).at(tag::kExecType), "4");
  EXPECT_EQ(Last(0).at(tag::kClOrdID), "C1");
  EXPECT_EQ(Last(0).at(tag::kOrigClOrdID), "REST");
  EXPECT_EQ(router_->tracked_orders(), 0u);

  Restart(6000);
  EXPECT_EQ(restored_, 0u) << "finished orders are erased from the journal";
}

TEST_F(OrderRouterTest, AnEventAppliedBeforeARestartIsNotReportedAgainAfterIt) {
  NewLimit(0, "A1", "1", "2", "100");
  const NewOrder n = LastNew();
  const Event accepted = Accepted(n, 5, 1);
  Apply(accepted);
  Restart(5000);
  Apply(accepted);  // RabbitMQ redelivers what was not acknowledged
  EXPECT_TRUE(hosts_[0].messages.empty());
  // The ClOrdID is still in use, and the order can still be replaced.
  NewLimit(0, "A1", "1", "1", "100");
  EXPECT_EQ(Last(0).at(tag::kOrdRejReason), "6") << "duplicate order";
  Deliver(0, msg::kOrderCancelReplaceRequest,
          {{tag::kClOrdID, "A2"},
           {tag::kOrigClOrdID, "A1"},
           {tag::kSymbol, "BTC-USD"},
           {tag::kSide, "1"},
           {tag::kOrderQty, "3"},
           {tag::kOrdType, "2"},
           {tag::kPrice, "100"}});
  const auto& replace = std::get<ReplaceOrder>(submitter_.sent.back().command.body);
  EXPECT_EQ(replace.order_id, n.order_id) << "the engine id from before the restart";
}

TEST_F(OrderRouterTest, AJournaledOrderOfASessionNoLongerConfiguredIsDroppedWithAReason) {
  NewLimit(1, "B1", "2", "1", "100");
  Apply(Accepted(LastNew(), 1, 1));
  router_->FlushJournal();
  for (auto& s : sessions_)
    s.reset();
  for (auto& s : stores_)
    s.reset();
  entry_.reset();
  router_.reset();
  journal_.reset();
  OrderJournal journal(dir_ + "/orders.journal");
  OrderRouter router({}, submitter_, 1);  // no instruments configured any more
  router.SetJournal(&journal);
  std::vector<std::string> dropped;
  EXPECT_EQ(
      router.Restore(
          journal.TakeLoaded(), [](std::string_view) -> OrderOwner* { return nullptr; }, &dropped),
      0u);
  ASSERT_EQ(dropped.size(), 1u);
  EXPECT_NE(dropped[0].find("'B1'"), std::string::npos) << dropped[0];
  EXPECT_NE(dropped[0].find("no session named 's1'"), std::string::npos) << dropped[0];
  EXPECT_EQ(journal.live_orders(), 0u);
}

TEST(GatewayConfigTest, PublishIntervalHasADefaultAndABound) {
  const std::string sessions =
      "[[session]]\nname = \"A\"\nclient_comp_id = \"C\"\ngateway_comp_id = \"G\"\n"
      "password = \"p\"\naccount = 1\n";
  GatewayConfig config;
  ParseGatewayConfig(sessions, "gateway.toml", &config);
  EXPECT_EQ(config.publish_interval_us, 500u);
  EXPECT_NO_THROW(config.Validate());
  GatewayConfig set;
  ParseGatewayConfig("[amqp]\npublish_interval_us = 0\n" + sessions, "gateway.toml", &set);
  EXPECT_EQ(set.publish_interval_us, 0u);
  GatewayConfig bad;
  try {
    ParseGatewayConfig("[amqp]\npublish_interval_us = 200000\n" + sessions, "gateway.toml", &bad);
    bad.Validate();
    FAIL() << "an interval of 0.2 s was accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("publish_interval_us"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace exchange::fix
