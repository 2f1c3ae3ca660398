#include "persistence/history_batch.h"

namespace exchange::persistence {

TradeRow TradeRowOf(const SymbolName& symbol, const Event& trade) {
  TradeRow row;
  row.symbol = symbol;
  row.trade_id = trade.sequence;
  row.time = trade.timestamp;
  row.price = trade.price;
  row.quantity = trade.quantity;
  row.aggressor = trade.side;
  row.taker_account = trade.account;
  row.taker_order_id = trade.order_id;
  row.maker_account = trade.maker_account;
  row.maker_order_id = trade.maker_order_id;
  return row;
}

LedgerRow LedgerRowOf(const SymbolName& symbol, const SymbolName& asset, const Event& e) {
  LedgerRow r;
  r.sequence = e.sequence;
  r.time = e.timestamp;
  r.account = e.account;
  r.asset = asset;
  r.available_delta = e.available_delta;
  r.held_delta = e.held_delta;
  r.available = e.available;
  r.held = e.held;
  r.reason = e.balance_reason;
  r.symbol = symbol;
  r.order_id = e.order_id;
  r.exchange_order_id = e.exchange_order_id;
  r.trade_id = e.trade_sequence;
  return r;
}

}  // namespace exchange::persistence
