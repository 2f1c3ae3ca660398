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

}  // namespace exchange::persistence
