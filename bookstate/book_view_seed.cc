#include "bookstate/book_view_seed.h"

#include <cstdint>

namespace exchange::bookstate {

OpenOrder OpenOrderOf(const Order& o) {
  OpenOrder out;
  out.account = o.account;
  out.order_id = o.client_id;
  out.exchange_id = o.exchange_id;
  out.side = o.side;
  out.type = o.type;
  if (o.is_stop() && o.level == nullptr) {
    out.status = OrderStatus::kPendingTrigger;
  } else {
    out.status = o.filled > 0 ? OrderStatus::kPartiallyFilled : OrderStatus::kNew;
  }
  out.price = o.price;
  out.stop_price = o.stop_price;
  out.quantity = o.quantity;
  out.leaves = o.leaves;
  out.filled = o.filled;
  return out;
}

BookViews SeedBookViews(const Engine& engine) {
  BookViews views;
  for (SymbolId s = 0; s < engine.symbol_count(); ++s) {
    const OrderBook& book = engine.book(s);
    BookView& view = views.View(book.instrument.symbol.view());
    for (Side side : {Side::kBuy, Side::kSell}) {
      for (const DepthLevel& l : engine.Depth(s, side, SIZE_MAX))
        view.SetLevel(side, l.price, LevelValue{l.quantity, l.orders});
    }
    view.SetHalted(book.halted);
    view.SetSequence(engine.last_sequence());
    view.EndBatch();
  }
  engine.ForEachOrder([&](const Order& o) {
    views.View(engine.book(o.symbol).instrument.symbol.view()).SetOrder(OpenOrderOf(o));
  });
  for (AssetId a = 0; a < engine.asset_count(); ++a)
    views.balances().SetAssetDecimals(engine.asset(a).name.view(), engine.asset(a).decimals);
  engine.ledger().ForEach([&](AccountId account, AssetId asset, const Balance& b) {
    views.balances().Set(account, engine.asset(asset).name.view(),
                         AccountBalance{b.available, b.held, engine.last_sequence()});
  });
  return views;
}

}  // namespace exchange::bookstate
