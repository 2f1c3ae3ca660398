// Integration tests of exchange-gateway: real FIX clients (FixTestClient, on
// the gateway's codec) → the real gateway process → RabbitMQ → the real
// exchange-engine process → RabbitMQ → gateway → clients. Each test runs its
// own engine shard on its own symbol, and its own gateway (own event queue,
// own accounts), so tests never see each other's orders.
#include "tests/gateway_harness.h"

namespace exchange::testing {
namespace {

TEST_F(GatewayTest, NewTradeReplaceCancelAndMassCancelThroughTheEngine) {
  auto a = LoggedOn("A");
  auto b = LoggedOn("B");
  NewLimit(*a, "A-1", '1', "2", "100.00");
  auto new_a = a->WaitForReport("A-1", '0');
  ASSERT_TRUE(new_a) << "no ExecutionReport New";
  EXPECT_EQ(new_a->at(tag::kOrdStatus), "0");
  EXPECT_EQ(new_a->at(tag::kLeavesQty), "2");
  EXPECT_EQ(new_a->at(tag::kCumQty), "0");
  EXPECT_EQ(new_a->at(tag::kAccount), std::to_string(account_a_));
  const std::string order_a = new_a->at(tag::kOrderID);

  // B sells 3 at 100.00: 2 trade with A, 1 rests.
  NewLimit(*b, "B-1", '2', "3", "100.00");
  ASSERT_TRUE(b->WaitForReport("B-1", '0'));
  auto fill_b = b->WaitForReport("B-1", 'F');
  ASSERT_TRUE(fill_b);
  EXPECT_EQ(fill_b->at(tag::kOrdStatus), "1");
  EXPECT_EQ(fill_b->at(tag::kLastQty), "2");
  EXPECT_EQ(fill_b->at(tag::kLastPx), "100.00");
  EXPECT_EQ(fill_b->at(tag::kCumQty), "2");
  EXPECT_EQ(fill_b->at(tag::kLeavesQty), "1");
  EXPECT_EQ(fill_b->at(tag::kAvgPx), "100.00");
  auto fill_a = a->WaitForReport("A-1", 'F');
  ASSERT_TRUE(fill_a);
  EXPECT_EQ(fill_a->at(tag::kOrdStatus), "2");
  EXPECT_EQ(fill_a->at(tag::kOrderID), order_a);
  EXPECT_EQ(fill_a->at(tag::kLeavesQty), "0");
  EXPECT_EQ(fill_a->at(tag::kExecID), fill_b->at(tag::kExecID)) << "one trade, one ExecID";

  // B moves its remaining 1 to 101.00 and 4 in all (FIX: OrderQty is the new total).
  b->Send(fix::msg::kOrderCancelReplaceRequest, {{tag::kClOrdID, "B-2"},
                                                 {tag::kOrigClOrdID, "B-1"},
                                                 {tag::kSymbol, symbol_},
                                                 {tag::kSide, "2"},
                                                 {tag::kOrderQty, "4"},
                                                 {tag::kOrdType, "2"},
                                                 {tag::kPrice, "101.00"}});
  auto replaced = b->WaitForReport("B-2", '5');
  ASSERT_TRUE(replaced);
  EXPECT_EQ(replaced->at(tag::kOrigClOrdID), "B-1");
  EXPECT_EQ(replaced->at(tag::kOrdStatus), "1");
  EXPECT_EQ(replaced->at(tag::kLeavesQty), "2");
  EXPECT_EQ(replaced->at(tag::kCumQty), "2");
  EXPECT_EQ(replaced->at(tag::kPrice), "101.00");

  b->Send(fix::msg::kOrderCancelRequest, {{tag::kClOrdID, "B-3"},
                                          {tag::kOrigClOrdID, "B-2"},
                                          {tag::kSymbol, symbol_},
                                          {tag::kSide, "2"}});
  auto canceled = b->WaitForReport("B-3", '4');
  ASSERT_TRUE(canceled);
  EXPECT_EQ(canceled->at(tag::kOrigClOrdID), "B-2");
  EXPECT_EQ(canceled->at(tag::kOrdStatus), "4");
  EXPECT_EQ(canceled->at(tag::kLeavesQty), "0");

  // A cancel of the now-finished order is refused with an OrderCancelReject.
  b->Send(fix::msg::kOrderCancelRequest,
          {{tag::kClOrdID, "B-4"}, {tag::kOrigClOrdID, "B-2"}, {tag::kSymbol, symbol_}});
  auto cancel_reject = b->WaitForType(fix::msg::kOrderCancelReject);
  ASSERT_TRUE(cancel_reject);
  EXPECT_EQ(cancel_reject->at(tag::kClOrdID), "B-4");

  // A price off the 0.05 tick is rejected with a clear text, never rounded.
  NewLimit(*a, "A-bad", '1', "1", "100.01");
  auto bad = a->WaitForReport("A-bad", '8');
  ASSERT_TRUE(bad);
  EXPECT_NE(bad->at(tag::kText).find("tick"), std::string::npos) << bad->at(tag::kText);

  // Two resting orders, then one mass cancel.
  NewLimit(*a, "A-2", '1', "1", "90.00");
  NewLimit(*a, "A-3", '1', "1", "91.00");
  ASSERT_TRUE(a->WaitForReport("A-2", '0'));
  ASSERT_TRUE(a->WaitForReport("A-3", '0'));
  a->Send(fix::msg::kOrderMassCancelRequest,
          {{tag::kClOrdID, "A-M"}, {tag::kMassCancelRequestType, "1"}, {tag::kSymbol, symbol_}});
  auto report = a->WaitForType(fix::msg::kOrderMassCancelReport);
  ASSERT_TRUE(report);
  EXPECT_EQ(report->at(tag::kMassCancelResponse), "1");
  std::set<std::string> canceled_ids;  // the engine picks the order
  for (int i = 0; i < 2; ++i) {
    auto r = a->WaitFor([](const FixFields& f) {
      return f.at(tag::kMsgType) == "8" && f.at(tag::kExecType) == "4";
    });
    ASSERT_TRUE(r) << "missing a cancel report of the mass cancel";
    canceled_ids.insert(r->at(tag::kClOrdID));
  }
  EXPECT_EQ(canceled_ids, (std::set<std::string>{"A-2", "A-3"}));
}

TEST_F(GatewayTest, ReportsSentWhileAClientIsAwayAreResentAndSequencesSurviveARestart) {
  auto a = LoggedOn("A");
  NewLimit(*a, "A-1", '1', "1", "100.00");
  ASSERT_TRUE(a->WaitForReport("A-1", '0'));
  const std::uint64_t a_next = a->next_seq();
  a->Close();  // A goes away with an order resting

  auto b = LoggedOn("B");
  NewLimit(*b, "B-1", '2', "1", "100.00");
  ASSERT_TRUE(b->WaitForReport("B-1", 'F'));
  // A's copy of the trade comes on A's own event stream, maybe after B's.
  WaitUntilStored("A", "150=F");

  // A comes back (no reset): the gateway's Logon shows a gap, A asks for it.
  FixTestClient again("CLIENT_A", "EXCH");
  ASSERT_TRUE(again.Connect(port_));
  again.set_next_seq(a_next);
  again.Logon("pw-A");
  auto logon = again.WaitForType(fix::msg::kLogon);
  ASSERT_TRUE(logon);
  const std::uint64_t gateway_seq = std::stoull(logon->at(tag::kMsgSeqNum));
  again.Send(fix::msg::kResendRequest, {{tag::kBeginSeqNo, "1"}, {tag::kEndSeqNo, "0"}});
  auto fill = again.WaitForReport("A-1", 'F');
  ASSERT_TRUE(fill) << "the fill made while A was away is resent";
  EXPECT_EQ(fill->at(tag::kPossDupFlag), "Y");
  EXPECT_LT(std::stoull(fill->at(tag::kMsgSeqNum)), gateway_seq);
  const std::uint64_t client_next = again.next_seq();
  again.Send(fix::msg::kLogout, {});
  again.WaitForType(fix::msg::kLogout);
  again.Close();

  // A gateway restart keeps both sides' sequence numbers.
  ASSERT_EQ(gateway_->Terminate(), 0);
  StartGateway();
  FixTestClient after("CLIENT_A", "EXCH");
  ASSERT_TRUE(after.Connect(port_));
  after.set_next_seq(client_next + 1);  // our Logout used client_next
  after.Logon("pw-A");
  auto logon_after = after.WaitForType(fix::msg::kLogon);
  ASSERT_TRUE(logon_after);
  EXPECT_GT(std::stoull(logon_after->at(tag::kMsgSeqNum)), gateway_seq);
  EXPECT_FALSE(after.WaitForType(fix::msg::kLogout, milliseconds(300)))
      << "the gateway expected exactly our sequence number";
}

TEST_F(GatewayTest, OrdersPlacedBeforeAGatewayCrashStillGetTheirReports) {
  auto a = LoggedOn("A");
  NewLimit(*a, "A-1", '1', "2", "100.00");
  auto new_a = a->WaitForReport("A-1", '0');
  ASSERT_TRUE(new_a);
  NewLimit(*a, "A-2", '1', "1", "99.00");
  ASSERT_TRUE(a->WaitForReport("A-2", '0'));
  a->Close();
  gateway_->Kill();  // kill -9: the open orders are only in the order journal
  StartGateway();

  auto again = LoggedOn("A");
  auto b = LoggedOn("B");
  NewLimit(*b, "B-1", '2', "1", "100.00");
  auto fill = again->WaitForReport("A-1", 'F');
  ASSERT_TRUE(fill) << "no report for an order placed before the crash";
  EXPECT_EQ(fill->at(tag::kOrderID), new_a->at(tag::kOrderID));
  EXPECT_EQ(fill->at(tag::kOrdStatus), "1");
  EXPECT_EQ(fill->at(tag::kCumQty), "1");
  EXPECT_EQ(fill->at(tag::kLeavesQty), "1");
  // A cancels its other order by the ClOrdID it gave before the crash.
  again->Send(fix::msg::kOrderCancelRequest, {{tag::kClOrdID, "A-2c"},
                                              {tag::kOrigClOrdID, "A-2"},
                                              {tag::kSymbol, symbol_},
                                              {tag::kSide, "1"}});
  auto canceled = again->WaitForReport("A-2c", '4');
  ASSERT_TRUE(canceled);
  EXPECT_EQ(canceled->at(tag::kOrigClOrdID), "A-2");
  EXPECT_EQ(canceled->at(tag::kLeavesQty), "0");
}

// Exactly once across kill -9 of the gateway as soon as a burst of reports
// (one sell filling many resting buys: one engine batch) reaches the client,
// most likely before the gateway acknowledged the batch to RabbitMQ, which
// then delivers it again to the restarted gateway. Counting each MsgSeqNum
// once (a client ignores a sequence number it already has; resent copies say
// PossDupFlag), every buy gets exactly one fill and no ExecID comes twice.
TEST_F(GatewayTest, AGatewayKilledRightAfterABurstOfReportsRepeatsAndLosesNone) {
  constexpr int kOrders = 150;
  auto a = LoggedOn("A");
  std::map<std::uint64_t, FixFields> received;  // A's messages by MsgSeqNum
  auto take = [&](const FixFields& m) {
    received.emplace(std::stoull(m.at(tag::kMsgSeqNum)), m);
    return m.at(tag::kMsgType) == "8" ? m.at(tag::kExecType)[0] : '\0';
  };
  for (int i = 0; i < kOrders; ++i)
    NewLimit(*a, "A-" + std::to_string(i), '1', "1", "100.00");
  for (int news = 0; news < kOrders;) {
    auto m = a->Receive(seconds(10));
    ASSERT_TRUE(m) << "only " << news << " buys acknowledged";
    if (take(*m) == '0') ++news;
  }
  auto b = LoggedOn("B");
  NewLimit(*b, "B-1", '2', std::to_string(kOrders), "100.00");
  for (;;) {  // the first fill: the others are on their way
    auto m = a->Receive(seconds(10));
    ASSERT_TRUE(m) << "no fill";
    if (take(*m) == 'F') break;
  }
  auto fills_of = [&] {
    std::map<std::string, int> fills;
    for (const auto& [seq, m] : received) {
      if (m.at(tag::kMsgType) == "8" && m.at(tag::kExecType) == "F") ++fills[m.at(tag::kClOrdID)];
    }
    return fills;
  };
  gateway_->Kill();
  while (auto m = a->Receive(milliseconds(300)))
    take(*m);  // what was written before the kill
  StartGateway();

  FixTestClient again("CLIENT_A", "EXCH");
  ASSERT_TRUE(again.Connect(port_));
  again.set_next_seq(a->next_seq());
  again.Logon("pw-A");
  std::uint64_t contiguous = 0;
  while (received.count(contiguous + 1))
    ++contiguous;
  again.Send(fix::msg::kResendRequest,
             {{tag::kBeginSeqNo, std::to_string(contiguous + 1)}, {tag::kEndSeqNo, "0"}});

  const auto deadline = std::chrono::steady_clock::now() + seconds(30);
  while (fills_of().size() < static_cast<std::size_t>(kOrders) &&
         std::chrono::steady_clock::now() < deadline) {
    if (auto m = again.Receive(milliseconds(500))) take(*m);
  }
  while (auto m = again.Receive(milliseconds(500)))
    take(*m);  // anything more would be a duplicate
  const auto fills = fills_of();
  EXPECT_EQ(fills.size(), static_cast<std::size_t>(kOrders)) << "fills lost";
  for (const auto& [id, n] : fills)
    EXPECT_EQ(n, 1) << id << " filled " << n << " times";
  std::set<std::string> exec_ids;
  for (const auto& [seq, m] : received) {
    if (m.at(tag::kMsgType) != "8" || m.at(tag::kExecType) != "F") continue;
    EXPECT_TRUE(exec_ids.insert(m.at(tag::kExecID)).second) << "ExecID twice: " << seq;
  }
}

TEST_F(GatewayTest, BadClientsAreDroppedWhileOthersTradeOn) {
  auto a = LoggedOn("A");
  // Garbage instead of a Logon.
  FixTestClient garbage("X", "Y");
  ASSERT_TRUE(garbage.Connect(port_));
  garbage.SendRaw("GET / HTTP/1.1\r\nHost: exchange\r\n\r\n");
  EXPECT_FALSE(garbage.Receive(seconds(5)));
  EXPECT_TRUE(garbage.closed_by_peer());
  // Never logs on: dropped after logon_timeout_ms (500).
  FixTestClient silent("X", "Y");
  ASSERT_TRUE(silent.Connect(port_));
  EXPECT_FALSE(silent.Receive(seconds(5)));
  EXPECT_TRUE(silent.closed_by_peer());
  // Wrong password: a Logout saying why, then the connection closes.
  FixTestClient wrong("CLIENT_B", "EXCH");
  ASSERT_TRUE(wrong.Connect(port_));
  wrong.Logon("not-the-password", true);
  auto refused = wrong.WaitForType(fix::msg::kLogout);
  ASSERT_TRUE(refused);
  EXPECT_FALSE(wrong.Receive(seconds(5)));
  EXPECT_TRUE(wrong.closed_by_peer());
  // Disconnects in the middle of a message.
  {
    auto b = LoggedOn("B");
    b->SendRaw(
        "8=FIX.4.4\x01"
        "9=120\x01"
        "35=D\x01"
        "49=CLIENT_B\x01");
    b->Close();
  }
  // Floods: more than max_messages_per_second (300).
  auto b = LoggedOn("B");
  for (int i = 0; i < 600 && !b->closed_by_peer(); ++i) {
    b->Send(fix::msg::kTestRequest, {{tag::kTestReqID, std::to_string(i)}});
  }
  auto logout = b->WaitFor(
      [](const FixFields& f) { return f.at(tag::kMsgType) == fix::msg::kLogout; }, seconds(10));
  ASSERT_TRUE(logout) << "the flooding client is logged out";
  EXPECT_NE(logout->at(tag::kText).find("messages per second"), std::string::npos);

  // Through all of that, A trades as usual.
  NewLimit(*a, "A-1", '1', "1", "100.00");
  ASSERT_TRUE(a->WaitForReport("A-1", '0'));
}

}  // namespace
}  // namespace exchange::testing
