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
  row.taker_exchange_order_id = trade.exchange_order_id;
  row.maker_exchange_order_id = trade.maker_exchange_order_id;
  return row;
}

void TradeSettlement::Begin(TradeRow* row) {
  row_ = row;
  buyer_asset_ = SymbolName();
}

bool TradeSettlement::Apply(const SymbolName& asset, const Event& e) {
  if (e.trade_sequence == 0) return true;  // not a trade's
  if (row_ == nullptr || row_->trade_id != e.trade_sequence) return false;
  const bool taker_buys = row_->aggressor == Side::kBuy;
  const AccountId buyer = taker_buys ? row_->taker_account : row_->maker_account;
  const ClientOrderId buyer_order = taker_buys ? row_->taker_order_id : row_->maker_order_id;
  if (e.balance_reason == BalanceReason::kTrade && e.held_delta == 0 && e.account == buyer &&
      e.order_id == buyer_order) {
    buyer_asset_ = asset;
  } else if (e.balance_reason == BalanceReason::kFee && e.account == kFeeAccount) {
    (asset == buyer_asset_ ? row_->buyer_fee : row_->seller_fee) = e.available_delta;
  }
  return true;
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
