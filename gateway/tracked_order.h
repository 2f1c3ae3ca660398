// TrackedOrder: what the gateway knows of one order an OrderOwner placed:
// its ClOrdID chain, its fields in engine units, its fills so far, and the
// requests sent for it that the engine has not answered yet.
//
// Owned by the OrderRouter; I/O thread only.
#pragma once

#include <cstdint>
#include <deque>
#include <string>

#include "config/instruments_file.h"
#include "engine/types.h"

namespace exchange::fix {

class OrderOwner;

// A request sent to the engine and not yet answered. The engine answers the
// requests of one order in the order they were sent, so the oldest pending
// request is the one an ACCEPTED, REPLACED, user CANCELED or REJECTED event
// answers.
struct PendingRequest {
  enum class Kind { kNew, kCancel, kReplace } kind = Kind::kNew;
  std::uint64_t token = 0;  // the submission's number (for a failed publish)
  std::string cl_ord_id;    // of the request
  std::string orig_cl_ord_id;
};

struct TrackedOrder {
  OrderOwner* owner = nullptr;
  ClientOrderId id = 0;  // the engine's client order id, allocated by the gateway
  OrderId exchange_id = 0;
  std::string cl_ord_id;  // current: the last accepted replace's, or the order's own
  const InstrumentConfig* instrument = nullptr;
  Side side = Side::kBuy;
  OrderType type = OrderType::kLimit;
  TimeInForce tif = TimeInForce::kGtc;
  Price price = 0;
  Price stop_price = 0;
  Quantity quantity = 0;  // total, as last accepted
  Quantity cum_qty = 0;
  Quantity leaves = 0;
  __int128 notional = 0;       // sum of fill price × quantity, for AvgPx(6)
  Sequence last_sequence = 0;  // events up to this one applied (redeliveries are skipped)
  bool accepted = false;
  Timestamp accepted_at = 0;  // the ACCEPTED event's engine time; 0 before (or journaled without)
  bool done = false;          // filled, cancelled, expired or rejected: no further fills
  std::deque<PendingRequest> pending;
};

}  // namespace exchange::fix
