// HistoryBatch: what the history sink writes to PostgreSQL in one
// transaction: the trades and finished orders of a run of engine events, the
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

struct HistoryBatch {
  std::vector<TradeRow> trades;
  std::vector<FinishedOrder> orders;
  std::vector<candles::Candle> candles;  // partial: merged into what is stored
  Sequence up_to = 0;                    // every event up to here is in
  bool empty() const { return trades.empty() && orders.empty() && candles.empty(); }
};

}  // namespace exchange::persistence
