// EngineFixture: a GoogleTest fixture with one engine, one instrument and
// short-hand helpers for commands, used by the engine unit tests.
#pragma once

#include <gtest/gtest.h>

#include <vector>

#include "engine/engine.h"

namespace exchange::testing {

class EngineFixture : public ::testing::Test {
 protected:
  // Instrument "TEST": tick 5, lot 10, quantity 10..100000, band ±50% once it has traded.
  static InstrumentSpec TestInstrument() {
    InstrumentSpec s;
    s.symbol = SymbolName("TEST");
    s.tick_size = 5;
    s.lot_size = 10;
    s.min_quantity = 10;
    s.max_quantity = 100000;
    s.price_band_bps = 5000;
    s.market_protection_ticks = 4;  // 20 price units
    s.default_stp = StpMode::kCancelResting;
    return s;
  }

  void SetUp() override { Run(AddInstrument{TestInstrument()}); }

  std::vector<Event> Run(CommandBody body) {
    Command c{++now_, std::move(body)};
    auto span = engine_.Process(c);
    last_ = std::vector<Event>(span.begin(), span.end());
    return last_;
  }

  static NewOrder Limit(AccountId a, ClientOrderId id, Side side, Price price, Quantity qty,
                        TimeInForce tif = TimeInForce::kGtc) {
    NewOrder o;
    o.account = a;
    o.symbol = 0;
    o.order_id = id;
    o.side = side;
    o.price = price;
    o.quantity = qty;
    o.tif = tif;
    return o;
  }

  std::vector<Event> Buy(AccountId a, ClientOrderId id, Price p, Quantity q,
                         TimeInForce tif = TimeInForce::kGtc) {
    return Run(Limit(a, id, Side::kBuy, p, q, tif));
  }
  std::vector<Event> Sell(AccountId a, ClientOrderId id, Price p, Quantity q,
                          TimeInForce tif = TimeInForce::kGtc) {
    return Run(Limit(a, id, Side::kSell, p, q, tif));
  }
  std::vector<Event> Cancel(AccountId a, ClientOrderId id) { return Run(CancelOrder{a, 0, id, 0}); }
  std::vector<Event> Replace(AccountId a, ClientOrderId id, Price p, Quantity q) {
    ReplaceOrder r;
    r.account = a;
    r.symbol = 0;
    r.order_id = id;
    r.price = p;
    r.quantity = q;
    return Run(r);
  }

  static std::vector<Event> OfType(const std::vector<Event>& events, EventType t) {
    std::vector<Event> out;
    for (const Event& e : events) {
      if (e.type == t) out.push_back(e);
    }
    return out;
  }
  static RejectReason RejectOf(const std::vector<Event>& events) {
    EXPECT_EQ(events.size(), 1u);
    EXPECT_EQ(events.at(0).type, EventType::kRejected);
    return events.at(0).reject_reason;
  }
  // Maker order ids of the trades in `events`, in order.
  static std::vector<ClientOrderId> Makers(const std::vector<Event>& events) {
    std::vector<ClientOrderId> out;
    for (const Event& e : events) {
      if (e.type == EventType::kTrade) out.push_back(e.maker_order_id);
    }
    return out;
  }
  std::vector<DepthLevel> Bids() const { return engine_.Depth(0, Side::kBuy, 100); }
  std::vector<DepthLevel> Asks() const { return engine_.Depth(0, Side::kSell, 100); }

  Engine engine_;
  std::vector<Event> last_;
  Timestamp now_ = 1000;
};

}  // namespace exchange::testing
