#include "bookstate/book_view.h"

#include <algorithm>

namespace exchange::bookstate {

std::string_view ToString(OrderStatus s) {
  switch (s) {
    case OrderStatus::kNew: return "new";
    case OrderStatus::kPartiallyFilled: return "partially_filled";
    case OrderStatus::kPendingTrigger: return "pending_trigger";
  }
  return "?";
}

std::optional<OrderStatus> ParseOrderStatus(std::string_view s) {
  for (OrderStatus status :
       {OrderStatus::kNew, OrderStatus::kPartiallyFilled, OrderStatus::kPendingTrigger}) {
    if (ToString(status) == s) return status;
  }
  return std::nullopt;
}

namespace {

bool IsStop(OrderType type) {
  return type == OrderType::kStop || type == OrderType::kStopLimit;
}

OrderStatus ActiveStatus(Quantity filled) {
  return filled > 0 ? OrderStatus::kPartiallyFilled : OrderStatus::kNew;
}

}  // namespace

void BookView::ApplyEvent(const Event& e) {
  sequence_ = e.sequence;
  if (batch_first_ == 0) batch_first_ = e.sequence;
  batch_last_ = e.sequence;
  batch_time_ = std::max(batch_time_, e.timestamp);
  changes_.any = true;
  switch (e.type) {
    case EventType::kAccepted: {
      OpenOrder o;
      o.account = e.account;
      o.order_id = e.order_id;
      o.exchange_id = e.exchange_order_id;
      o.side = e.side;
      o.type = e.order_type;
      o.status = IsStop(e.order_type) ? OrderStatus::kPendingTrigger : OrderStatus::kNew;
      o.price = e.price;
      o.stop_price = e.stop_price;
      o.quantity = e.quantity;
      o.leaves = e.leaves;
      o.sequence = e.sequence;
      Upsert(o);
      break;
    }
    case EventType::kTrade: OnTrade(e); break;
    case EventType::kCanceled: Remove(OrderKey{e.account, e.order_id}); break;
    case EventType::kReplaced: OnReplaced(e); break;
    case EventType::kTriggered:
      if (OpenOrder* o = Find(e.account, e.order_id)) {
        OpenOrder updated = *o;
        updated.status = ActiveStatus(updated.filled);
        updated.type = e.order_type;  // a triggered stop becomes a market or limit order
        updated.price = e.price;
        updated.sequence = e.sequence;
        Upsert(updated);
      }
      break;
    case EventType::kHalted: halted_ = true; break;
    case EventType::kResumed: halted_ = false; break;
    case EventType::kRejected:
    case EventType::kInstrumentAdded:
    case EventType::kBalance:  // account state, not the book's (bookstate/balance_view.h)
    case EventType::kAssetAdded:
    case EventType::kFeesSet: break;
  }
}

void BookView::OnTrade(const Event& e) {
  last_trade_ = LastTrade{e.price, e.quantity, e.timestamp, e.sequence};
  changes_.trades.push_back(
      TradePrint{e.sequence, e.price, e.quantity, e.timestamp, e.side, e.exchange_order_id});
  auto fill = [&](AccountId account, ClientOrderId id, Quantity leaves, Quantity filled) {
    OpenOrder* o = Find(account, id);
    if (o == nullptr) return;
    if (leaves == 0) {
      Remove(OrderKey{account, id});
      return;
    }
    OpenOrder updated = *o;
    updated.leaves = leaves;
    updated.filled = filled;
    updated.status = ActiveStatus(filled);
    updated.sequence = e.sequence;
    Upsert(updated);
  };
  fill(e.maker_account, e.maker_order_id, e.maker_leaves, e.maker_filled);
  fill(e.account, e.order_id, e.leaves, e.filled);
}

// The event names the order by its new client id; the exchange id finds the
// entry under the old one.
void BookView::OnReplaced(const Event& e) {
  auto it = by_exchange_id_.find(e.exchange_order_id);
  if (it == by_exchange_id_.end()) return;
  const OrderKey old_key = it->second;  // Remove() erases the entry `it` points to
  OpenOrder updated = orders_.at(old_key);
  Remove(old_key);
  if (e.leaves == 0) return;  // replaced down to what was filled: done
  updated.order_id = e.order_id;
  updated.price = e.price;
  updated.stop_price = e.stop_price;
  updated.quantity = e.quantity;
  updated.leaves = e.leaves;
  updated.sequence = e.sequence;
  Upsert(updated);
}

void BookView::SetOrder(const OpenOrder& order) {
  changes_.any = true;
  Upsert(order);
}

void BookView::Upsert(const OpenOrder& order) {
  const OrderKey key{order.account, order.order_id};
  orders_[key] = order;
  by_exchange_id_[order.exchange_id] = key;
  changes_.orders[key] = order;
}

void BookView::Remove(OrderKey key) {  // by value: callers may name an entry it erases
  auto it = orders_.find(key);
  if (it == orders_.end()) return;
  by_exchange_id_.erase(it->second.exchange_id);
  orders_.erase(it);
  changes_.orders[key] = std::nullopt;
}

OpenOrder* BookView::Find(AccountId account, ClientOrderId id) {
  auto it = orders_.find(OrderKey{account, id});
  return it == orders_.end() ? nullptr : &it->second;
}

void BookView::SetLevel(Side side, Price price, LevelValue value) {
  auto update = [&](auto& levels, auto& delta, auto& taken_value) {
    auto it = levels.find(price);
    const LevelValue before = it == levels.end() ? LevelValue{} : it->second;
    if (before == value) return;
    if (value.quantity == 0 && value.orders == 0) {
      levels.erase(it);
    } else {
      levels[price] = value;
    }
    delta[price] = value;
    taken_value.try_emplace(price, before);  // the first change since TakeChanges
    batch_depth_changed_ = true;
    changes_.any = true;
  };
  if (side == Side::kBuy) {
    update(bids_, changes_.depth.bids, changes_.before.bids);
  } else {
    update(asks_, changes_.depth.asks, changes_.before.asks);
  }
}

void BookView::EndBatch() {
  if (batch_depth_changed_) {
    Delta& d = changes_.depth;
    const Sequence first = batch_first_ != 0 ? batch_first_ : sequence_;
    if (d.first == 0) d.first = first;
    d.last = std::max(first, batch_last_);
    d.time = std::max(d.time, batch_time_);
  }
  batch_first_ = batch_last_ = 0;
  batch_time_ = 0;
  batch_depth_changed_ = false;
}

BookView::Changes BookView::TakeChanges() {
  Changes out = std::move(changes_);
  changes_ = Changes{};
  return out;
}

BookView& BookViews::View(std::string_view symbol) {
  auto it = views_.find(symbol);
  if (it == views_.end()) {
    it = views_.emplace(std::string(symbol), std::make_unique<BookView>(std::string(symbol))).first;
  }
  return *it->second;
}

const BookView* BookViews::Find(std::string_view symbol) const {
  auto it = views_.find(symbol);
  return it == views_.end() ? nullptr : it->second.get();
}

void BookViews::ApplyBatch(std::span<const wire::EventRecord> events,
                           std::span<const DepthChange> depth, Sequence ignore_up_to) {
  auto touch = [&](BookView& view) {
    if (std::find(batch_.begin(), batch_.end(), &view) == batch_.end()) batch_.push_back(&view);
    return &view;
  };
  for (const wire::EventRecord& r : events) {
    if (r.event.sequence <= ignore_up_to) continue;
    if (r.event.type == EventType::kBalance) {
      balances_.Set(r.event.account, r.asset.view(),
                    AccountBalance{r.event.available, r.event.held, r.event.sequence});
      continue;
    }
    if (r.event.type == EventType::kAssetAdded) {
      balances_.SetAssetDecimals(r.asset.view(), static_cast<int>(r.event.quantity));
      continue;
    }
    // Unknown symbols (rejected commands) have no book.
    if (r.event.symbol == kUnknownSymbol) continue;
    if (r.symbol.view().empty()) continue;
    touch(View(r.symbol.view()))->ApplyEvent(r.event);
  }
  for (const DepthChange& c : depth) {
    touch(View(c.symbol.view()))->SetLevel(c.side, c.price, LevelValue{c.quantity, c.orders});
  }
  for (BookView* view : batch_)
    view->EndBatch();
  batch_.clear();
}

}  // namespace exchange::bookstate
