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
  kBalance = 9,      // one account's balance of one asset changed
  kAssetAdded = 10,  // an asset was added
  kFeesSet = 11,     // a symbol's fee rates (or one account's override) changed
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
//  BALANCE    account asset balance_reason available held (after the change)
//             available_delta held_delta; symbol exchange_order_id order_id =
//             the order it belongs to (or symbol kUnknownSymbol, order_id =
//             the transfer id, for DEPOSIT and WITHDRAW); trade_sequence = the
//             TRADE event's sequence for TRADE, FEE and ROUNDING
//  ASSET_ADDED asset quantity = decimals
//  FEES_SET   symbol account (0 and price = 0 for the default; price = 1
//             for an account override, 2 when it was cleared) maker_ppm
//             taker_ppm
//  REJECTED of a deposit or withdrawal: account order_id = transfer id asset
//             quantity = amount
struct Event {
  Sequence sequence = 0;
  Timestamp timestamp = 0;
  EventType type = EventType::kAccepted;
  Side side = Side::kBuy;
  OrderType order_type = OrderType::kLimit;
  RejectReason reject_reason = RejectReason::kNone;
  CancelReason cancel_reason = CancelReason::kNone;
  BalanceReason balance_reason = BalanceReason::kDeposit;  // BALANCE only
  AssetId asset = kUnknownAsset;  // BALANCE, ASSET_ADDED, a rejected transfer
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
  // BALANCE, FEES_SET only
  Amount available = 0;
  Amount held = 0;
  Amount available_delta = 0;
  Amount held_delta = 0;
  Sequence trade_sequence = 0;
  std::int32_t maker_ppm = 0;
  std::int32_t taker_ppm = 0;
};

}  // namespace exchange
