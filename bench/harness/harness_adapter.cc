// The engine behind the C ABI of the public matching-engine benchmark harness
// (GitHub flash1-dev/matching-engine-benchmark, api/matching_engine_api.h).
// Built as a shared library by scripts/bench-harness.sh, never in CI.
//
// The mapping, per the harness's contract:
//  - one instrument, tick 1 (the harness's signed ticks are our prices), lot 1,
//    no price band, no cash risk;
//  - each order its own account (account = order id), so self-trade
//    prevention never fires;
//  - new order: NewOrder LIMIT, GTC or IOC. ACCEPTED is the OrderAck, each
//    TRADE a Trade, an IOC remainder's CANCELED a CancelAck;
//  - cancel: CancelOrder; CANCELED is the CancelAck, REJECTED (unknown
//    order) the CancelReject;
//  - modify: the harness's "cancel + reinsert with new_quantity open" is a
//    CancelOrder then a NewOrder under the same id: the order loses its
//    place, and what the reinsert crosses trades under the modify's
//    sequence number. (The engine's own ReplaceOrder has FIX semantics,
//    new total = filled + open, so it is not used here.)
// Every report goes through the harness's transport. The engine is driven
// through Engine::Process, as every other adapter of ours drives it.
//
// The harness calls everything from one thread (its matcher thread).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "engine/engine.h"
// The ABI's functions are this library's only exports; everything else is
// built hidden (scripts/bench-harness.sh), so calls inside it bind directly.
#pragma GCC visibility push(default)
#include "matching_engine_api.h"
#pragma GCC visibility pop

#include "report_ring.h"

#ifndef EXCHANGE_HARNESS_EXPECTED_ORDERS
#define EXCHANGE_HARNESS_EXPECTED_ORDERS (1 << 16)  // EngineOptions' default
#endif
// 1: reports travel over this adapter's ReportRing (engine_get_transport);
// 0: over the harness's default queue.
#ifndef EXCHANGE_HARNESS_OWN_TRANSPORT
#define EXCHANGE_HARNESS_OWN_TRANSPORT 1
#endif

namespace {

using exchange::CancelOrder;
using exchange::Command;
using exchange::Event;
using exchange::EventType;
using exchange::NewOrder;

struct Adapter {
  std::unique_ptr<exchange::Engine> engine;
  exchange::SymbolId symbol = 0;
  const me_transport_t* transport = nullptr;
  void* sink = nullptr;
};

Adapter g;

void Push(const me_report_t& r) {
#if EXCHANGE_HARNESS_OWN_TRANSPORT
  // The ring is ours: push to it directly, not through the table.
  auto* ring = static_cast<exchange::harness::ReportRing*>(g.sink);
  while (!ring->Push(r)) {
  }
#else
  while (!g.transport->push(g.sink, &r)) {
  }
#endif
}

void PushAck(std::uint8_t type, std::uint64_t seq, std::uint64_t order_id, std::uint8_t side,
             std::int64_t price, std::uint32_t quantity) {
  me_report_t r{};
  r.type = type;
  r.sequence_number = seq;
  r.order_id = order_id;
  r.side = side;
  r.price_ticks = price;
  r.quantity = quantity;
  Push(r);
}

[[noreturn]] void Refuse(const char* what, std::uint64_t seq, const Event& e) {
  std::fprintf(stderr, "exchange adapter: %s at sequence %llu: engine said %s (%s)\n", what,
               static_cast<unsigned long long>(seq), std::string(ToString(e.type)).c_str(),
               std::string(ToString(e.reject_reason)).c_str());
  std::abort();
}

// Pushes the reports of a new order's (or a modify's reinsert's) events:
// the OrderAck unless `modify`, every Trade, and the IOC remainder's CancelAck.
void PushOrderEvents(std::span<const Event> events, std::uint64_t seq, bool modify) {
  for (const Event& e : events) {
    switch (e.type) {
      case EventType::kAccepted:
        if (!modify) {
          PushAck(ME_ORDER_ACK, seq, e.order_id, static_cast<std::uint8_t>(e.side), e.price,
                  static_cast<std::uint32_t>(e.quantity));
        }
        break;
      case EventType::kTrade: {
        me_report_t r{};
        r.type = ME_TRADE;
        r.side = static_cast<std::uint8_t>(e.side);
        r.sequence_number = seq;
        r.order_id = e.order_id;
        r.price_ticks = e.price;
        r.quantity = static_cast<std::uint32_t>(e.quantity);
        r.maker_order_id = e.maker_order_id;
        r.taker_order_id = e.order_id;
        Push(r);
        break;
      }
      case EventType::kCanceled:
        PushAck(ME_CANCEL_ACK, seq, e.order_id, static_cast<std::uint8_t>(e.side), e.price,
                static_cast<std::uint32_t>(e.quantity));
        break;
      default: Refuse("a new order was refused", seq, e);
    }
  }
}

NewOrder ToNewOrder(std::uint64_t id, std::uint8_t side, std::int64_t price, std::uint32_t qty,
                    bool ioc) {
  NewOrder o;
  o.account = static_cast<exchange::AccountId>(id);
  o.symbol = g.symbol;
  o.order_id = id;
  o.side = side == 0 ? exchange::Side::kBuy : exchange::Side::kSell;
  o.type = exchange::OrderType::kLimit;
  o.tif = ioc ? exchange::TimeInForce::kIoc : exchange::TimeInForce::kGtc;
  o.price = price;
  o.quantity = qty;
  return o;
}

CancelOrder ToCancel(std::uint64_t id) {
  CancelOrder c;
  c.account = static_cast<exchange::AccountId>(id);
  c.symbol = g.symbol;
  c.order_id = id;
  return c;
}

// Cancels order `id`; its CANCELED event, or nullptr when it is not resting.
const Event* CancelResting(std::uint64_t id, std::uint64_t seq) {
  const auto events = g.engine->Process(Command{static_cast<std::int64_t>(seq), ToCancel(id)});
  const Event& e = events.front();
  if (e.type == EventType::kCanceled) return &e;
  if (e.type != EventType::kRejected) Refuse("a cancel gave an unexpected event", seq, e);
  return nullptr;
}

#if EXCHANGE_HARNESS_OWN_TRANSPORT
using exchange::harness::ReportRing;

void* RingCreate(std::uint32_t capacity) {
  return new (std::nothrow) ReportRing(capacity);
}
int RingPush(void* ring, const me_report_t* r) {
  return static_cast<ReportRing*>(ring)->Push(*r);
}
std::uint32_t RingDrain(void* ring, me_report_t* out, std::uint32_t max) {
  return static_cast<ReportRing*>(ring)->Drain(out, max);
}
void RingFlush(void* ring) {
  static_cast<ReportRing*>(ring)->Publish();
}
void RingDestroy(void* ring) {
  delete static_cast<ReportRing*>(ring);
}

const me_transport_t kRingTransport{RingCreate, RingPush, RingDrain, RingFlush, RingDestroy};
#endif

}  // namespace

extern "C" {

#if EXCHANGE_HARNESS_OWN_TRANSPORT
const me_transport_t* engine_get_transport(void) {
  return &kRingTransport;
}
#endif

void engine_init(uint64_t /*seed*/, const me_transport_t* transport, void* report_sink) {
  g.transport = transport;
  g.sink = report_sink;
  g.engine = std::make_unique<exchange::Engine>(
      exchange::EngineOptions{.expected_orders = EXCHANGE_HARNESS_EXPECTED_ORDERS});
  exchange::InstrumentSpec spec;
  spec.symbol = exchange::SymbolName("HARNESS");
  const auto added = g.engine->Process(Command{0, exchange::AddInstrument{spec}});
  if (added.front().type != EventType::kInstrumentAdded) Refuse("no instrument", 0, added.front());
  g.symbol = added.front().symbol;
}

void engine_shutdown(void) {
  g.engine.reset();
}

void engine_on_new_order(const new_order_t* o) {
  const NewOrder order = ToNewOrder(o->order_id, o->side, o->price_ticks, o->quantity, o->ioc);
  PushOrderEvents(g.engine->Process(Command{static_cast<std::int64_t>(o->sequence_number), order}),
                  o->sequence_number, /*modify=*/false);
}

void engine_on_cancel(const cancel_t* c) {
  const Event* canceled = CancelResting(c->order_id, c->sequence_number);
  if (canceled == nullptr) {
    PushAck(ME_CANCEL_REJECT, c->sequence_number, c->order_id, 0, 0, 0);
    return;
  }
  PushAck(ME_CANCEL_ACK, c->sequence_number, c->order_id, static_cast<std::uint8_t>(canceled->side),
          canceled->price, static_cast<std::uint32_t>(canceled->quantity));
}

void engine_on_modify(const modify_t* m) {
  const Event* canceled = CancelResting(m->order_id, m->sequence_number);
  if (canceled == nullptr) {
    PushAck(ME_MODIFY_REJECT, m->sequence_number, m->order_id, 0, 0, 0);
    return;
  }
  const std::uint8_t side = static_cast<std::uint8_t>(canceled->side);
  PushAck(ME_MODIFY_ACK, m->sequence_number, m->order_id, side, m->new_price_ticks,
          m->new_quantity);
  const NewOrder order = ToNewOrder(m->order_id, side, m->new_price_ticks, m->new_quantity, false);
  PushOrderEvents(g.engine->Process(Command{static_cast<std::int64_t>(m->sequence_number), order}),
                  m->sequence_number, /*modify=*/true);
}

void engine_flush(void) {}

int64_t engine_query_best_bid(void) {
  const exchange::PriceLevel* best = g.engine->book(g.symbol).bids.Best();
  return best ? best->price : INT64_MIN;
}

int64_t engine_query_best_ask(void) {
  const exchange::PriceLevel* best = g.engine->book(g.symbol).asks.Best();
  return best ? best->price : INT64_MAX;
}

uint64_t engine_query_depth_at(int64_t price_ticks, uint8_t side) {
  const exchange::OrderBook& book = g.engine->book(g.symbol);
  const exchange::PriceLevel* level = (side == 0 ? book.bids : book.asks).Find(price_ticks);
  return level ? static_cast<std::uint64_t>(level->displayed) : 0;
}

}  // extern "C"
