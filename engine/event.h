// Event: one consequence of a command. The engine emits a sequence of these,
// each with the next engine sequence number; the same commands always give
// byte-identical events.
//
// Produced on the engine thread; a plain value that sinks may copy anywhere.
#pragma once

#include <cstdint>

#include "engine/types.h"

namespace exchange {

enum class EventType : std::uint8_t {
  kAccepted = 0,   // order accepted (resting, held as a stop, or about to match)
  kRejected = 1,   // command refused; reject_reason says why
  kTrade = 2,      // taker (account, order_id) traded with maker (maker_*)
  kCanceled = 3,   // live order removed unfilled; cancel_reason says why
  kReplaced = 4,   // replace applied; price, quantity = new total, leaves
  kTriggered = 5,  // stop order triggered and entering the book
  kHalted = 6,     // symbol halted
  kResumed = 7,    // symbol resumed
  kInstrumentAdded = 8,
};

std::string_view ToString(EventType t);

// Field use by type:
//  ACCEPTED   account order_id exchange_order_id side order_type price quantity leaves
//  REJECTED   account order_id side price quantity reject_reason (what was asked)
//  TRADE      account/order_id/exchange_order_id = taker, side = taker side,
//             price = trade price, quantity = traded, leaves = taker leaves after,
//             maker_* = the resting order, maker_leaves after
//  CANCELED   account order_id exchange_order_id side price quantity = quantity
//             removed, leaves = 0, cancel_reason
//  REPLACED   account order_id (new id) exchange_order_id side price quantity = new
//             total leaves
//  TRIGGERED  account order_id exchange_order_id side price stop_price
struct Event {
  Sequence sequence = 0;
  Timestamp timestamp = 0;
  EventType type = EventType::kAccepted;
  Side side = Side::kBuy;
  OrderType order_type = OrderType::kLimit;
  RejectReason reject_reason = RejectReason::kNone;
  CancelReason cancel_reason = CancelReason::kNone;
  SymbolId symbol = kUnknownSymbol;
  AccountId account = 0;
  ClientOrderId order_id = 0;
  OrderId exchange_order_id = 0;
  Price price = 0;
  Quantity quantity = 0;
  Quantity leaves = 0;
  Quantity filled = 0;  // cumulative filled quantity of the (taker) order after the event
  Price stop_price = 0;
  AccountId maker_account = 0;
  ClientOrderId maker_order_id = 0;
  OrderId maker_exchange_order_id = 0;
  Quantity maker_leaves = 0;
  Quantity maker_filled = 0;
};

}  // namespace exchange
