// Order: one live order inside the engine, resting in a PriceLevel or held in
// a StopBook. Intrusive links make removal O(1).
//
// Allocated from the Engine's ObjectPool; engine thread only.
#pragma once

#include "engine/types.h"

namespace exchange {

struct PriceLevel;

struct Order {
  // FIFO links inside the order's PriceLevel (resting orders only).
  Order* prev = nullptr;
  Order* next = nullptr;
  PriceLevel* level = nullptr;

  OrderId exchange_id = 0;
  ClientOrderId client_id = 0;
  AccountId account = 0;
  SymbolId symbol = 0;
  Side side = Side::kBuy;
  OrderType type = OrderType::kLimit;
  TimeInForce tif = TimeInForce::kGtc;
  StpMode stp = StpMode::kCancelResting;  // resolved, never kInstrumentDefault

  Price price = 0;          // limit price (0 for MARKET and untriggered STOP)
  Price stop_price = 0;     // STOP, STOP_LIMIT
  Quantity quantity = 0;    // total quantity (changes with replace)
  Quantity filled = 0;      // cumulative filled
  Quantity leaves = 0;      // quantity − filled, hidden part included
  Quantity display = 0;     // the part shown on the book now (== leaves unless ICEBERG)
  Quantity peak = 0;        // ICEBERG: refill size
  Sequence priority = 0;    // StopBook time priority: sequence of acceptance
  Timestamp timestamp = 0;  // time of entry into the book

  // Cash risk: what the order still holds (quote asset for a buy, base for a
  // sell), always exactly HoldFor(leaves) (engine/risk.cc), and the price a
  // buy's hold is counted at (its limit, or its protection price).
  Amount held = 0;
  Price hold_price = 0;
  // Cash risk: Σ price × quantity of its fills so far, unscaled (risk.cc).
  __int128 traded_notional = 0;
  // MARKET by quote amount (by_quote): the quote it may still spend.
  Amount quote_budget = 0;
  bool by_quote = false;

  bool is_iceberg() const { return type == OrderType::kIceberg; }
  bool is_stop() const { return type == OrderType::kStop || type == OrderType::kStopLimit; }
};

}  // namespace exchange
