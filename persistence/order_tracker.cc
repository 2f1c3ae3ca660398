#include "persistence/order_tracker.h"

#include <functional>

namespace exchange::persistence {

std::string_view ToString(FinishStatus status) {
  switch (status) {
    case FinishStatus::kFilled: return "filled";
    case FinishStatus::kCanceled: return "cancelled";
    case FinishStatus::kRejected: return "rejected";
  }
  return "?";
}

namespace {

// Which commands the engine refuses with a reason (engine/engine.cc).
enum class RejectScope { kNeverNewOrder, kOnlyNewOrder, kEither };

// No default: a new reason must be placed here.
RejectScope ScopeOf(RejectReason reason) {
  switch (reason) {
    case RejectReason::kNone:
    case RejectReason::kUnknownOrder:       // cancel, replace
    case RejectReason::kNotYourOrder:       // cancel, replace
    case RejectReason::kDuplicateSymbol:    // add instrument
    case RejectReason::kInvalidInstrument:  // add instrument
    case RejectReason::kUnknownAsset:       // deposit, withdraw, add instrument
    case RejectReason::kDuplicateTransfer:  // deposit, withdraw
    case RejectReason::kInvalidAmount:      // deposit, withdraw, add asset
    case RejectReason::kInvalidFeeSchedule:
    case RejectReason::kDuplicateAsset: return RejectScope::kNeverNewOrder;
    case RejectReason::kReservedAccount:
    case RejectReason::kInvalidOrder:
    case RejectReason::kInvalidDisplayQuantity:
    case RejectReason::kNoLiquidity:
    case RejectReason::kFokCannotFill: return RejectScope::kOnlyNewOrder;
    case RejectReason::kUnknownSymbol:
    case RejectReason::kHalted:
    case RejectReason::kPriceNotOnTick:
    case RejectReason::kPriceOutsideBand:
    case RejectReason::kQuantityNotOnLot:
    case RejectReason::kQuantityOutOfRange:
    case RejectReason::kDuplicateClientOrderId:
    case RejectReason::kPostOnlyWouldTrade:
    case RejectReason::kInvalidStopPrice:
    case RejectReason::kInsufficientFunds:  // new order, replace (and withdraw)
    case RejectReason::kInvalidPrice: return RejectScope::kEither;
  }
  return RejectScope::kNeverNewOrder;
}

// The type the order was entered with: the engine turns a triggered STOP
// into MARKET and a triggered STOP_LIMIT into LIMIT, and only stops have a
// stop price.
OrderType TypeAsOrdered(const Order& o) {
  if (o.stop_price == 0) return o.type;
  if (o.type == OrderType::kMarket) return OrderType::kStop;
  if (o.type == OrderType::kLimit) return OrderType::kStopLimit;
  return o.type;
}

TrackedOrder TrackedOrderOf(const Order& o, SymbolName symbol) {
  TrackedOrder t;
  t.symbol = symbol;
  t.account = o.account;
  t.order_id = o.client_id;
  t.exchange_order_id = o.exchange_id;
  t.side = o.side;
  t.order_type = TypeAsOrdered(o);
  t.price = o.price;
  t.stop_price = o.stop_price;
  t.quantity = o.quantity;
  t.filled = o.filled;
  t.quote_filled = o.traded_notional;  // kept by cash risk only; accepted_at unknown
  return t;
}

FinishedOrder RowOf(const TrackedOrder& o, FinishStatus status, std::string_view reason,
                    const Event& e) {
  FinishedOrder row;
  row.symbol = o.symbol;
  row.last_sequence = e.sequence;
  row.account = o.account;
  row.order_id = o.order_id;
  row.exchange_order_id = o.exchange_order_id;
  row.side = o.side;
  row.order_type = o.order_type;
  row.price = o.price;
  row.stop_price = o.stop_price;
  row.quantity = o.quantity;
  row.filled = o.filled;
  row.status = status;
  row.reason = reason;
  row.finished_at = e.timestamp;
  row.accepted_at = o.accepted_at;
  row.quote_filled = o.quote_filled;
  return row;
}

FinishedOrder RejectedRowOf(const wire::EventRecord& record) {
  const Event& e = record.event;
  FinishedOrder row;
  row.symbol = record.symbol;
  row.last_sequence = e.sequence;
  row.account = e.account;
  row.order_id = e.order_id;
  row.exchange_order_id = e.exchange_order_id;
  row.side = e.side;
  row.order_type = e.order_type;
  row.price = e.price;
  row.stop_price = e.stop_price;
  row.quantity = e.quantity;
  row.status = FinishStatus::kRejected;
  row.reason = ToString(e.reject_reason);
  row.finished_at = e.timestamp;
  return row;
}

}  // namespace

std::size_t OrderTracker::ClientKeyHash::operator()(const ClientKey& k) const {
  return std::hash<std::uint64_t>{}(k.order_id * 0x9e3779b97f4a7c15ULL ^ k.account);
}

void OrderTracker::Seed(const Engine& engine) {
  open_.clear();
  by_client_.clear();
  engine.ForEachOrder(
      [&](const Order& o) { Track(TrackedOrderOf(o, engine.book(o.symbol).instrument.symbol)); });
}

void OrderTracker::Apply(const wire::EventRecord& record, std::vector<FinishedOrder>* out) {
  const Event& e = record.event;
  switch (e.type) {
    case EventType::kAccepted: OnAccepted(record); break;
    case EventType::kTrade: OnTrade(e, out); break;
    case EventType::kCanceled: OnCanceled(e, out); break;
    case EventType::kReplaced: OnReplaced(e, out); break;
    case EventType::kTriggered: OnTriggered(e); break;
    case EventType::kRejected: OnRejected(record, out); break;
    case EventType::kHalted:
    case EventType::kResumed:
    case EventType::kInstrumentAdded:
    case EventType::kBalance:
    case EventType::kAssetAdded:
    case EventType::kFeesSet: break;
  }
}

const TrackedOrder* OrderTracker::FindOpen(OrderId exchange_order_id) const {
  auto it = open_.find(exchange_order_id);
  return it == open_.end() ? nullptr : &it->second;
}

void OrderTracker::OnAccepted(const wire::EventRecord& record) {
  const Event& e = record.event;
  TrackedOrder o;
  o.symbol = record.symbol;
  o.account = e.account;
  o.order_id = e.order_id;
  o.exchange_order_id = e.exchange_order_id;
  o.side = e.side;
  o.order_type = e.order_type;
  o.price = e.price;
  o.stop_price = e.stop_price;
  o.quantity = e.quantity;
  o.accepted_at = e.timestamp;
  Track(o);
}

// The maker's row first: the engine is done with the maker inside the match,
// with the taker only after it.
void OrderTracker::OnTrade(const Event& e, std::vector<FinishedOrder>* out) {
  AddFill(e.maker_exchange_order_id, e.maker_leaves, e, out);
  AddFill(e.exchange_order_id, e.leaves, e, out);
}

void OrderTracker::AddFill(OrderId id, Quantity leaves_after, const Event& e,
                           std::vector<FinishedOrder>* out) {
  TrackedOrder* o = FindOrCount(id);
  if (o == nullptr) return;
  o->filled += e.quantity;
  o->quote_filled += static_cast<__int128>(e.price) * e.quantity;
  if (leaves_after == 0) Finish(id, FinishStatus::kFilled, "", e, out);
}

void OrderTracker::OnCanceled(const Event& e, std::vector<FinishedOrder>* out) {
  if (FindOrCount(e.exchange_order_id) == nullptr) return;
  Finish(e.exchange_order_id, FinishStatus::kCanceled, ToString(e.cancel_reason), e, out);
}

// The event names the order by its new client id; quantity is the new total
// and filled stays what has traded.
void OrderTracker::OnReplaced(const Event& e, std::vector<FinishedOrder>* out) {
  TrackedOrder* o = FindOrCount(e.exchange_order_id);
  if (o == nullptr) return;
  Unindex(*o);
  o->order_id = e.order_id;
  o->price = e.price;
  o->stop_price = e.stop_price;
  o->quantity = e.quantity;
  by_client_[ClientKey{o->account, o->order_id}] = o->exchange_order_id;
  if (e.leaves == 0) Finish(e.exchange_order_id, FinishStatus::kFilled, "", e, out);
}

// Nothing changes that a row shows: the row keeps the type as ordered.
void OrderTracker::OnTriggered(const Event& e) {
  FindOrCount(e.exchange_order_id);
}

void OrderTracker::OnRejected(const wire::EventRecord& record, std::vector<FinishedOrder>* out) {
  if (IsRejectedNewOrder(record)) out->push_back(RejectedRowOf(record));
}

// The rule is spelled out, with its known misses, in order_tracker.h.
bool OrderTracker::IsRejectedNewOrder(const wire::EventRecord& record) const {
  const Event& e = record.event;
  if (e.asset != kUnknownAsset) return false;  // a deposit or withdrawal
  switch (ScopeOf(e.reject_reason)) {
    case RejectScope::kNeverNewOrder: return false;
    case RejectScope::kOnlyNewOrder: return true;
    case RejectScope::kEither: break;
  }
  if (e.quantity == 0 && e.reject_reason != RejectReason::kQuantityOutOfRange) return false;
  return !IsOpenIn(record.symbol, e.account, e.order_id);
}

bool OrderTracker::IsOpenIn(const SymbolName& symbol, AccountId account, ClientOrderId id) const {
  auto it = by_client_.find(ClientKey{account, id});
  return it != by_client_.end() && open_.at(it->second).symbol == symbol;
}

void OrderTracker::Track(const TrackedOrder& order) {
  auto it = open_.find(order.exchange_order_id);
  if (it != open_.end()) Unindex(it->second);
  open_[order.exchange_order_id] = order;
  by_client_[ClientKey{order.account, order.order_id}] = order.exchange_order_id;
}

TrackedOrder* OrderTracker::FindOrCount(OrderId exchange_order_id) {
  auto it = open_.find(exchange_order_id);
  if (it != open_.end()) return &it->second;
  ++unknown_events_;
  return nullptr;
}

void OrderTracker::Finish(OrderId id, FinishStatus status, std::string_view reason, const Event& e,
                          std::vector<FinishedOrder>* out) {
  auto it = open_.find(id);
  const TrackedOrder& o = it->second;
  out->push_back(RowOf(o, status, reason, e));
  Unindex(o);
  open_.erase(it);
}

void OrderTracker::Unindex(const TrackedOrder& order) {
  auto it = by_client_.find(ClientKey{order.account, order.order_id});
  if (it != by_client_.end() && it->second == order.exchange_order_id) by_client_.erase(it);
}

}  // namespace exchange::persistence
