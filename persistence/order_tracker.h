// OrderTracker: turns the engine's event stream into the final state of each
// finished order, one row of the `orders` table each (filled, cancelled or
// rejected). It follows every open order from ACCEPTED (or from a recovered
// engine) to the event that ends it.
//
// Owned by the history sink; only the sink's thread touches it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/engine.h"
#include "engine/event.h"
#include "engine/instrument.h"
#include "engine/types.h"
#include "wire/wire_format.h"

namespace exchange::persistence {

enum class FinishStatus : std::uint8_t { kFilled, kCanceled, kRejected };

// "filled", "cancelled", "rejected": the `status` column.
std::string_view ToString(FinishStatus status);

// One row of `orders`: an order as it was when the event that finished it ran.
struct FinishedOrder {
  SymbolName symbol;
  Sequence last_sequence = 0;  // the finishing event
  AccountId account = 0;
  ClientOrderId order_id = 0;     // the client id at the end (after replaces)
  OrderId exchange_order_id = 0;  // 0 when rejected before it had one
  Side side = Side::kBuy;
  OrderType order_type = OrderType::kLimit;  // as ordered: a triggered stop stays a stop
  Price price = 0;                           // limit price; 0 for MARKET and STOP
  Price stop_price = 0;
  Quantity quantity = 0;  // total ordered, after replaces
  Quantity filled = 0;
  FinishStatus status = FinishStatus::kFilled;
  std::string_view reason;    // ToString of the cancel or reject reason (static); "" when filled
  Timestamp finished_at = 0;  // the finishing event's timestamp
  // The ACCEPTED event's timestamp; 0 when unknown: an order the tracker was
  // seeded with (after a restart), and a rejected order (never accepted).
  Timestamp accepted_at = 0;
  // Σ price × quantity of its fills, as taker and as maker (price units ×
  // quantity units, exact). A seeded order starts from the engine's
  // Order::traded_notional, which only cash risk keeps: without it, the
  // fills before the restart are missing from the sum.
  __int128 quote_filled = 0;

  bool operator==(const FinishedOrder&) const = default;
};

// An order the tracker holds open (resting, or a stop waiting for its trigger).
struct TrackedOrder {
  SymbolName symbol;
  AccountId account = 0;
  ClientOrderId order_id = 0;
  OrderId exchange_order_id = 0;
  Side side = Side::kBuy;
  OrderType order_type = OrderType::kLimit;
  Price price = 0;
  Price stop_price = 0;
  Quantity quantity = 0;
  Quantity filled = 0;
  Timestamp accepted_at = 0;  // as FinishedOrder's
  __int128 quote_filled = 0;  // as FinishedOrder's
};

// How events end orders:
//  ACCEPTED   starts tracking, filled 0, accepted_at the event's time.
//  TRADE      adds the traded quantity to the taker's and to the maker's
//             filled (and price × quantity to quote_filled); an order left with nothing (taker
//             `leaves`, maker `maker_leaves`, hidden iceberg quantity included) is filled.
//  CANCELED   cancelled, with the cancel reason (user, mass cancel, IOC, FOK
//             and market remainders, self-trade prevention, no liquidity...).
//  REPLACED   renames the client id and sets price, stop price and the new
//             total quantity; filled is unchanged. With leaves 0 the total was
//             cut to what had filled (FIX: the order is done): filled, and the
//             row's quantity may then be below its filled.
//  TRIGGERED  nothing: the row keeps the type as ordered.
//  REJECTED   a rejected new order is a row of its own (exchange id 0; side,
//             price and quantity as asked; the event carries no order type nor
//             stop price, so those are LIMIT and 0). A refused cancel, replace,
//             mass cancel, halt, resume or instrument is not. The event does
//             not say which command it answers, so the tracker decides, in
//             this order (see Engine::Handle in engine/engine.cc):
//              1. UNKNOWN_ORDER, NOT_YOUR_ORDER, DUPLICATE_SYMBOL,
//                 INVALID_INSTRUMENT: never a new order.
//              2. INVALID_ORDER, INVALID_DISPLAY_QUANTITY, NO_LIQUIDITY,
//                 FOK_CANNOT_FILL: only a new order.
//              3. Quantity 0 (cancel, mass cancel, halt, resume, and a replace
//                 keeping its quantity) unless QUANTITY_OUT_OF_RANGE: not one.
//              4. (account, order_id) open in the same symbol: a refused
//                 replace of that order, not a new order.
//              5. Anything else: a rejected new order.
//             Known misses, as the event cannot tell: a new order of quantity
//             0 refused as HALTED or UNKNOWN_SYMBOL, or one reusing a client
//             id open in its symbol, is not recorded; a replace refused for an
//             unknown symbol, or naming its order by exchange id with another
//             client id (0 or stale), that asked a new quantity is recorded.
//  HALTED, RESUMED, INSTRUMENT_ADDED: ignored.
// An event about an order the tracker does not hold is skipped and counted.
class OrderTracker {
 public:
  // After a restart: holds exactly the engine's open orders (resting and
  // held stops), as the recovered engine has them. The caller then applies
  // only the events above engine.last_sequence(). Reads the engine: call it
  // where that is safe (before the engine thread starts, or on it).
  void Seed(const Engine& engine);

  // Applies one event, in sequence order; appends the orders it finished
  // (0, 1 or 2: one trade can finish taker and maker) to `out`.
  void Apply(const wire::EventRecord& record, std::vector<FinishedOrder>* out);

  std::size_t open_orders() const { return open_.size(); }
  // Orders named by events but not held, since construction (one per order
  // skipped: a TRADE whose taker and maker are both unknown counts two).
  std::uint64_t unknown_events() const { return unknown_events_; }
  // The open order with this exchange id, or nullptr.
  const TrackedOrder* FindOpen(OrderId exchange_order_id) const;
  // Calls f(const TrackedOrder&) for each open order, in no particular order.
  template <typename F>
  void ForEachOpenOrder(F&& f) const {
    for (const auto& [id, order] : open_)
      f(order);
  }

 private:
  struct ClientKey {
    AccountId account = 0;
    ClientOrderId order_id = 0;
    bool operator==(const ClientKey&) const = default;
  };
  struct ClientKeyHash {
    std::size_t operator()(const ClientKey& k) const;
  };

  void OnAccepted(const wire::EventRecord& record);
  void OnTrade(const Event& e, std::vector<FinishedOrder>* out);
  void AddFill(OrderId id, Quantity leaves_after, const Event& e, std::vector<FinishedOrder>* out);
  void OnCanceled(const Event& e, std::vector<FinishedOrder>* out);
  void OnReplaced(const Event& e, std::vector<FinishedOrder>* out);
  void OnTriggered(const Event& e);
  void OnRejected(const wire::EventRecord& record, std::vector<FinishedOrder>* out);
  bool IsRejectedNewOrder(const wire::EventRecord& record) const;
  bool IsOpenIn(const SymbolName& symbol, AccountId account, ClientOrderId id) const;

  void Track(const TrackedOrder& order);
  void Unindex(const TrackedOrder& order);  // out of by_client_
  // The open order with this exchange id; counts an unknown event when none.
  TrackedOrder* FindOrCount(OrderId exchange_order_id);
  // Appends the row of an open order and stops tracking it.
  void Finish(OrderId id, FinishStatus status, std::string_view reason, const Event& e,
              std::vector<FinishedOrder>* out);

  std::unordered_map<OrderId, TrackedOrder> open_;
  std::unordered_map<ClientKey, OrderId, ClientKeyHash> by_client_;  // of open_
  std::uint64_t unknown_events_ = 0;
};

}  // namespace exchange::persistence
