// The Binance user data stream's pure logic: the event JSON
// (gateway/binance/user_stream_json.h), an account's order changes made
// executionReport events with their commissions (account_orders.h), and
// the listen keys' replay after a reconnect and expiry
// (user_data_streams.h), written to a channel that records its frames.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "gateway/binance/account_orders.h"
#include "gateway/binance/user_data_streams.h"
#include "gateway/binance/user_stream_json.h"

namespace exchange::binance {
namespace {

using nlohmann::json;

InstrumentConfig Instrument() {
  InstrumentConfig c;
  c.spec.symbol = SymbolName("CP1-USD");
  c.spec.base_multiplier = 10'000;  // 4 quantity decimals, 8 base decimals
  c.spec.quote_exponent = -4;       // 2 + 4 decimals of notional, 2 of USD
  c.price_decimals = 2;
  c.quantity_decimals = 4;
  c.base_asset = "CP1";
  c.quote_asset = "USD";
  return c;
}

TEST(UserStreamJson, ExecutionReportHasEveryDocumentedField) {
  const InstrumentConfig ins = Instrument();
  OrderView o;
  o.instrument = &ins;
  o.order_id = 42;
  o.client_order_id = "abc";
  o.type = "LIMIT";
  o.side = Side::kSell;
  o.price = 10000;
  o.orig_qty = 20000;
  o.executed = 5000;
  o.cum_quote = static_cast<__int128>(10000) * 5000;
  o.status = "PARTIALLY_FILLED";
  o.time_ms = 1000;
  ExecutionChange x;
  x.exec_type = "TRADE";
  x.client_order_id = "abc";
  x.last_qty = 5000;
  x.last_px = 10000;
  x.commission = 5;
  x.commission_decimals = 2;
  x.commission_asset = "USD";
  x.transact_ms = 2000;
  x.trade_id = 77;
  x.execution_id = 77;
  x.maker = true;
  const json e = json::parse(ExecutionReportJson(o, x, 3000));
  for (const char* field :
       {"e", "E", "s", "c", "S", "o", "f", "q", "p", "P", "F", "g", "C", "x", "X", "r", "i",
        "l", "z", "L", "n", "N", "T", "t", "I", "w", "m", "M", "O", "Z", "Y", "Q", "W", "V"}) {
    EXPECT_TRUE(e.contains(field)) << field;
  }
  EXPECT_EQ(e["e"], "executionReport");
  EXPECT_EQ(e["E"], 3000);
  EXPECT_EQ(e["s"], "CP1-USD");
  EXPECT_EQ(e["S"], "SELL");
  EXPECT_EQ(e["q"], "2.0000");
  EXPECT_EQ(e["p"], "100.00");
  EXPECT_EQ(e["x"], "TRADE");
  EXPECT_EQ(e["X"], "PARTIALLY_FILLED");
  EXPECT_EQ(e["i"], 42);
  EXPECT_EQ(e["l"], "0.5000");
  EXPECT_EQ(e["z"], "0.5000");
  EXPECT_EQ(e["L"], "100.00");
  EXPECT_EQ(e["n"], "0.05");
  EXPECT_EQ(e["N"], "USD");
  EXPECT_EQ(e["T"], 2000);
  EXPECT_EQ(e["t"], 77);
  EXPECT_EQ(e["m"], true);
  EXPECT_EQ(e["w"], true);
  EXPECT_EQ(e["O"], 1000);
  EXPECT_EQ(e["Z"], "50.000000");
  EXPECT_EQ(e["Y"], "50.000000");
  EXPECT_EQ(e["C"], "");
}

TEST(UserStreamJson, NoTradeHasNullCommissionAssetAndTradeIdMinusOne) {
  const InstrumentConfig ins = Instrument();
  OrderView o;
  o.instrument = &ins;
  o.type = "LIMIT";
  o.working = true;
  ExecutionChange x;
  x.exec_type = "NEW";
  const json e = json::parse(ExecutionReportJson(o, x, 1));
  EXPECT_TRUE(e["N"].is_null());
  EXPECT_EQ(e["n"], "0");
  EXPECT_EQ(e["t"], -1);
  EXPECT_FALSE(e.contains("W"));  // no order id yet: not on the book
}

TEST(UserStreamJson, BalanceEventsAndFrames) {
  const json p =
      json::parse(AccountPositionJson({{"USD", 99995000, 500, 2}, {"CP1", 0, 0, 8}}, 10, 9));
  EXPECT_EQ(p["e"], "outboundAccountPosition");
  EXPECT_EQ(p["u"], 9);
  ASSERT_EQ(p["B"].size(), 2u);
  EXPECT_EQ(p["B"][0], (json{{"a", "USD"}, {"f", "999950.00"}, {"l", "5.00"}}));
  EXPECT_EQ(p["B"][1]["f"], "0.00000000");
  const json b = json::parse(BalanceUpdateJson("USD", -1234, 2, 10, 8));
  EXPECT_EQ(b, (json{{"e", "balanceUpdate"}, {"E", 10}, {"a", "USD"}, {"d", "-12.34"}, {"T", 8}}));
  const json x = json::parse(ListenKeyExpiredJson("K", 5));
  EXPECT_EQ(x, (json{{"e", "listenKeyExpired"}, {"E", 5}, {"listenKey", "K"}}));
  EXPECT_EQ(json::parse(SubscriptionFrame(3, "{\"e\":1}")),
            (json{{"subscriptionId", 3}, {"event", {{"e", 1}}}}));
  EXPECT_EQ(json::parse(CombinedStreamFrame("K", "{\"e\":1}")),
            (json{{"stream", "K"}, {"data", {{"e", 1}}}}));
}

// An account's orders: a resting sell that a taker fills in one batch
// gives NEW then TRADE, the trade with its maker flag and, once the
// batch's BALANCE TRADE event is known, its commission.
TEST(UserStreamOrders, ChangesBecomeExecutionReportsInOrderWithCommission) {
  const InstrumentConfig ins = Instrument();
  AccountOrders orders(7, OrderLimits{});
  orders.set_streaming(true);
  OrderView view;
  view.instrument = &ins;
  view.client_order_id = "sell1";
  view.type = "LIMIT";
  view.side = Side::kSell;
  view.price = 10000;
  view.orig_qty = 20000;
  orders.ExpectNew(view, ResponseType::kAck, [](ApiResponse) {});
  fix::TrackedOrder t;
  t.id = 5;
  t.exchange_id = 900;
  t.cl_ord_id = "sell1";
  t.instrument = &ins;
  t.side = Side::kSell;
  t.quantity = 20000;
  t.leaves = 20000;
  fix::ReportDetail nd;
  nd.exec_type = fix::exec_type::kNew;
  nd.exec_id = "CP1-USD:10";
  nd.cl_ord_id = "sell1";
  nd.transact_time = 1'000'000'000;
  orders.Report(t, nd, 0);
  orders.OnBatchEnd();  // the batch that accepted it
  t.cum_qty = 5000;
  t.leaves = 15000;
  fix::ReportDetail td = nd;
  td.exec_type = fix::exec_type::kTrade;
  td.exec_id = "CP1-USD:11";
  td.last_qty = 5000;
  td.last_px = 10000;
  td.maker = true;
  td.transact_time = 2'000'000'000;
  orders.Report(t, td, 0);
  orders.OnReceived(11, "USD", 4995, 2);  // 50.00 less the 0.1% fee
  const std::vector<std::string> events = orders.TakeStreamEvents(3000);
  ASSERT_EQ(events.size(), 2u);
  const json n = json::parse(events[0]), f = json::parse(events[1]);
  EXPECT_EQ(n["x"], "NEW");
  EXPECT_EQ(n["X"], "NEW");
  EXPECT_EQ(n["i"], 900);
  EXPECT_EQ(n["I"], 10);
  EXPECT_EQ(f["x"], "TRADE");
  EXPECT_EQ(f["X"], "PARTIALLY_FILLED");
  EXPECT_EQ(f["t"], 11);
  EXPECT_EQ(f["m"], true);
  EXPECT_EQ(f["l"], "0.5000");
  EXPECT_EQ(f["z"], "0.5000");
  EXPECT_EQ(f["n"], "0.05");
  EXPECT_EQ(f["N"], "USD");
  EXPECT_EQ(f["T"], 2000);
  EXPECT_TRUE(orders.TakeStreamEvents(4000).empty());
  // The fill is kept for myTrades once its batch ends, with its commission.
  EXPECT_TRUE(orders.recent_fills().empty()) << "its batch is not over";
  orders.OnBatchEnd();
  ASSERT_EQ(orders.recent_fills().size(), 1u);
  const RecentFill& kept = orders.recent_fills().front();
  EXPECT_EQ(kept.order_id, 900u);
  EXPECT_TRUE(kept.maker);
  EXPECT_EQ(kept.time_ms, 2000);
  EXPECT_EQ(kept.fill.trade_id, 11u);
  EXPECT_EQ(kept.fill.commission, 5);  // 50.00 USD gross less 49.95 received
  EXPECT_EQ(kept.fill.commission_asset, "USD");
}

// A restarted gateway's journaled order: the API knows it again by both
// ids, with its fills so far and its acceptance time.
TEST(UserStreamOrders, ARestoredOrderIsQueryableAgain) {
  const InstrumentConfig ins = Instrument();
  AccountOrders orders(7, OrderLimits{});
  fix::TrackedOrder t;
  t.id = 5;
  t.exchange_id = 900;
  t.cl_ord_id = "kept";
  t.instrument = &ins;
  t.side = Side::kBuy;
  t.type = OrderType::kLimit;
  t.tif = TimeInForce::kGtc;
  t.price = 10000;
  t.quantity = 20000;
  t.cum_qty = 5000;
  t.leaves = 15000;
  t.notional = static_cast<__int128>(10000) * 5000;
  t.accepted = true;
  t.accepted_at = 1'781'000'000'123'000'000;
  orders.Restored(t);
  const OrderView* by_client = orders.FindByClientId("kept");
  ASSERT_NE(by_client, nullptr);
  EXPECT_EQ(orders.FindByOrderId(900), by_client);
  EXPECT_EQ(orders.FindByEngineId(5), by_client);
  EXPECT_EQ(by_client->status, "PARTIALLY_FILLED");
  EXPECT_EQ(by_client->type, "LIMIT");
  EXPECT_EQ(by_client->executed, 5000);
  EXPECT_EQ(by_client->time_ms, 1'781'000'000'123);
  EXPECT_EQ(orders.Open(&ins).size(), 1u);
  EXPECT_EQ(orders.Held(&ins).size(), 1u);
}

// Records the frames sent; written_tag as if the socket took `written`.
class RecordingChannel : public WebSocketChannel {
 public:
  void Send(std::string text, std::uint64_t tag) override {
    frames.push_back(std::move(text));
    tags.push_back(tag);
  }
  void Close() override { closed = true; }
  bool open() const override { return !closed; }
  std::uint64_t written_tag() const override { return written; }
  std::vector<std::string> frames;
  std::vector<std::uint64_t> tags;
  std::uint64_t written = 0;
  bool closed = false;
};

TEST(UserDataStreams, ReconnectWithTheSameKeyGetsWhatWasMissed) {
  UserDataStreams streams([] { return std::string("KEY1"); });
  const std::string key = streams.CreateKey(7, 0);
  EXPECT_EQ(streams.CreateKey(7, 10), key);  // one key per account, extended
  auto first = std::make_shared<RecordingChannel>();
  ASSERT_TRUE(streams.Attach(key, first, false));
  for (int i = 1; i <= 3; ++i)
    streams.Publish(7, "{\"n\":" + std::to_string(i) + "}");
  EXPECT_EQ(first->frames, (std::vector<std::string>{"{\"n\":1}", "{\"n\":2}", "{\"n\":3}"}));
  first->written = 2;  // the third was still queued when the connection broke
  streams.Detach(key, first.get());
  streams.Publish(7, "{\"n\":4}");
  streams.Publish(8, "{\"other\":1}");  // another account's: not this key's
  auto second = std::make_shared<RecordingChannel>();
  ASSERT_TRUE(streams.Attach(key, second, true));
  streams.Publish(7, "{\"n\":5}");
  EXPECT_EQ(second->frames, (std::vector<std::string>{R"({"stream":"KEY1","data":{"n":3}})",
                                                      R"({"stream":"KEY1","data":{"n":4}})",
                                                      R"({"stream":"KEY1","data":{"n":5}})"}));
  EXPECT_EQ(second->tags, (std::vector<std::uint64_t>{3, 4, 5}));
}

TEST(UserDataStreams, BufferIsBounded) {
  UserDataStreams streams([] { return std::string("KEY1"); });
  const std::string key = streams.CreateKey(7, 0);
  const std::size_t n = UserDataStreams::kBufferedEvents + 10;
  for (std::size_t i = 1; i <= n; ++i)
    streams.Publish(7, std::to_string(i));
  auto late = std::make_shared<RecordingChannel>();
  ASSERT_TRUE(streams.Attach(key, late, false));
  ASSERT_EQ(late->frames.size(), UserDataStreams::kBufferedEvents);
  EXPECT_EQ(late->frames.front(), "11");
  EXPECT_EQ(late->frames.back(), std::to_string(n));
}

TEST(UserDataStreams, KeyExpiresSixtyMinutesAfterTheLastKeepalive) {
  UserDataStreams streams([] { return std::string("KEY1"); });
  const std::string key = streams.CreateKey(7, 0);
  auto c = std::make_shared<RecordingChannel>();
  ASSERT_TRUE(streams.Attach(key, c, false));
  EXPECT_FALSE(streams.KeepAlive(8, key, 10));  // another account's key
  ASSERT_TRUE(streams.KeepAlive(7, key, 30 * 60 * 1000));
  streams.Expire(UserDataStreams::kListenKeyValidityMs + 1);  // 60 min after creation
  EXPECT_TRUE(streams.KeyExists(key));
  const std::int64_t end = 30 * 60 * 1000 + UserDataStreams::kListenKeyValidityMs + 1;
  streams.Expire(end);
  EXPECT_FALSE(streams.KeyExists(key));
  EXPECT_FALSE(streams.Wanted(7));
  ASSERT_EQ(c->frames.size(), 1u);
  EXPECT_EQ(json::parse(c->frames[0]),
            (json{{"e", "listenKeyExpired"}, {"E", end}, {"listenKey", "KEY1"}}));
  EXPECT_TRUE(c->closed);
}

TEST(UserDataStreams, WebSocketApiSubscriptionsFrameEvents) {
  UserDataStreams streams([] { return std::string("K"); });
  auto c = std::make_shared<RecordingChannel>();
  streams.Subscribe(7, c, 0);
  streams.Subscribe(9, c, 1);
  EXPECT_TRUE(streams.Wanted(7));
  streams.Publish(9, "{\"e\":\"x\"}");
  EXPECT_EQ(c->frames, (std::vector<std::string>{R"({"subscriptionId":1,"event":{"e":"x"}})"}));
  EXPECT_EQ(streams.Unsubscribe(c.get(), 1), 1u);
  EXPECT_FALSE(streams.Wanted(9));
  EXPECT_EQ(streams.Unsubscribe(c.get()), 1u);
  EXPECT_FALSE(streams.Wanted(7));
}

}  // namespace
}  // namespace exchange::binance
