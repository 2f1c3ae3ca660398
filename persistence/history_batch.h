// HistoryBatch: what the history sink writes to PostgreSQL in one
// transaction: the trades, balance changes and finished orders of a run of
// engine events, the
// candle changes they made, and the engine sequence they bring the history
// up to. TradeRowOf makes a trade row from the engine's TRADE event.
//
// Plain values; built on the history sink's thread, written by
// HistoryWriter.
#pragma once

#include <vector>

#include "candles/candle.h"
#include "engine/event.h"
#include "persistence/order_tracker.h"

namespace exchange::persistence {

struct TradeRow {
  SymbolName symbol;
  Sequence trade_id = 0;  // the TRADE event's sequence
  Timestamp time = 0;
  Price price = 0;
  Quantity quantity = 0;
  Side aggressor = Side::kBuy;  // the taker's side
  AccountId taker_account = 0;
  ClientOrderId taker_order_id = 0;
  AccountId maker_account = 0;
  ClientOrderId maker_order_id = 0;
  bool operator==(const TradeRow&) const = default;
};

TradeRow TradeRowOf(const SymbolName& symbol, const Event& trade);

// One balance change (a BALANCE event) as a row of `ledger`.
struct LedgerRow {
  Sequence sequence = 0;
  Timestamp time = 0;
  AccountId account = 0;
  SymbolName asset;
  Amount available_delta = 0;
  Amount held_delta = 0;
  Amount available = 0;
  Amount held = 0;
  BalanceReason reason = BalanceReason::kDeposit;
  SymbolName symbol;  // empty for a transfer
  ClientOrderId order_id = 0;
  OrderId exchange_order_id = 0;
  Sequence trade_id = 0;
  bool operator==(const LedgerRow&) const = default;
};

LedgerRow LedgerRowOf(const SymbolName& symbol, const SymbolName& asset, const Event& balance);

struct HistoryBatch {
  std::vector<TradeRow> trades;
  std::vector<LedgerRow> ledger;
  std::vector<FinishedOrder> orders;
  std::vector<candles::Candle> candles;  // partial: merged into what is stored
  Sequence up_to = 0;                    // every event up to here is in
  bool empty() const {
    return trades.empty() && ledger.empty() && orders.empty() && candles.empty();
  }
};

}  // namespace exchange::persistence
