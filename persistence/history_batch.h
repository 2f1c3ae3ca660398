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
  OrderId taker_exchange_order_id = 0;
  OrderId maker_exchange_order_id = 0;
  // Each side's fee (cash risk), in the asset it receives: the buyer's in
  // base, the seller's in quote; negative: a rebate. Set by
  // TradeSettlement from the BALANCE events after the TRADE.
  Amount buyer_fee = 0;
  Amount seller_fee = 0;
  bool operator==(const TradeRow&) const = default;
};

TradeRow TradeRowOf(const SymbolName& symbol, const Event& trade);

// Reads a trade's settlement (the BALANCE events cash risk emits right
// after the TRADE, engine/risk.cc SettleTrade) into its row's fees: the
// buyer's order's TRADE row that holds nothing back names the asset the
// buyer receives; the fee account's FEE row in that asset is the buyer's
// fee, the other one the seller's.
class TradeSettlement {
 public:
  // A new trade row (the events that follow are its settlement).
  void Begin(TradeRow* row);
  // A BALANCE event (with its asset's name); false when it is a trade's
  // but not the row's (its TRADE went in an earlier batch: not expected).
  bool Apply(const SymbolName& asset, const Event& balance);

 private:
  TradeRow* row_ = nullptr;
  SymbolName buyer_asset_;
};

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
