// OrderRouter: order requests to engine commands, engine events to reports
// to each order's owner. See order_router.h.
#include "gateway/order_router.h"

#include <algorithm>
#include <type_traits>
#include <utility>

#include "gateway/execution_report.h"

namespace exchange::fix {
namespace {

std::string ExecIdOf(const InstrumentConfig& ins, Sequence sequence) {
  // Engine sequences are per shard and a symbol lives on one shard, so the
  // symbol and the sequence name one event exchange-wide.
  std::string id(ins.spec.symbol.view());
  id += ':';
  id += std::to_string(sequence);
  return id;
}

// Readable text for an engine rejection: "PRICE_NOT_ON_TICK" -> "price not on tick".
std::string ReasonText(std::string_view code) {
  std::string text;
  for (const char c : code)
    text += c == '_' ? ' ' : static_cast<char>(c | 0x20);
  return text;
}

}  // namespace

OrderRouter::OrderRouter(InstrumentTable instruments, CommandSubmitter& submitter,
                         ClientOrderId first_order_id)
    : instruments_(std::move(instruments)), submitter_(submitter), next_order_id_(first_order_id) {}

OrderRouter::~OrderRouter() = default;

std::string OrderRouter::NewGatewayExecId() {
  std::string id = "GW:";
  id += std::to_string(next_token_++);
  return id;
}

std::uint64_t OrderRouter::Submit(std::string_view symbol, const Command& c, std::string* error) {
  const std::uint64_t token = next_token_++;
  if (auto problem = submitter_.Submit(symbol, c, token)) {
    *error = "not sent to the exchange: " + *problem;
    return 0;
  }
  return token;
}

// ------------------------------------------------------------ requests in

void OrderRouter::RefuseNew(OrderOwner& s, const NewOrderRequest& r, int ord_rej_reason,
                            std::string_view text, std::int64_t now_ns) {
  TrackedOrder shadow;  // the refused order as asked, for the report's fields
  shadow.owner = &s;
  shadow.instrument = r.instrument;
  shadow.side = r.side;
  shadow.type = r.type;
  shadow.tif = r.tif;
  shadow.price = r.price;
  shadow.stop_price = r.stop_price;
  shadow.quantity = r.quantity;
  shadow.cl_ord_id = r.cl_ord_id;
  shadow.done = true;
  const std::string exec_id = NewGatewayExecId();
  s.Report(shadow,
           {exec_type::kRejected, exec_id, r.cl_ord_id, {}, 0, 0, ord_rej_reason, text, now_ns},
           now_ns);
}

void OrderRouter::PlaceOrder(OrderOwner& s, const NewOrderRequest& r, std::int64_t now_ns) {
  ClOrdIdMap& ids = IdsOf(s);
  if (ids.count(std::string(r.cl_ord_id)) != 0) {
    std::string text = "duplicate ClOrdID(11) '";
    text += r.cl_ord_id;
    text += "': an open order of this session has it";
    RefuseNew(s, r, ord_rej::kDuplicateOrder, text, now_ns);
    return;
  }
  auto order = std::make_unique<TrackedOrder>();
  TrackedOrder& o = *order;
  o.owner = &s;
  o.id = next_order_id_++;
  o.cl_ord_id = r.cl_ord_id;
  o.instrument = r.instrument;
  o.side = r.side;
  o.type = r.type;
  o.tif = r.tif;
  o.price = r.price;
  o.stop_price = r.stop_price;
  o.quantity = r.quantity;
  o.leaves = r.quantity;

  NewOrder c;
  c.account = s.account();
  c.order_id = o.id;
  c.side = r.side;
  c.type = r.type;
  c.tif = r.tif;
  c.stp = r.stp;
  c.price = r.price;
  c.quantity = r.quantity;
  c.stop_price = r.stop_price;
  c.display_quantity = r.display_quantity;
  c.quote_quantity = r.quote_quantity;
  // On disk before the engine can know it (a restart still reports on it).
  o.pending.push_back({PendingRequest::Kind::kNew, 0, o.cl_ord_id, {}});
  if (journal_) {
    journal_->Put(o);
    journal_->Flush();
  }
  std::string error;
  const std::uint64_t token = Submit(r.instrument->spec.symbol.view(), Command{now_ns, c}, &error);
  if (token == 0) {
    if (journal_) journal_->Erase(o.id);
    RefuseNew(s, r, ord_rej::kOther, error, now_ns);
    return;
  }
  o.pending.back().token = token;
  ids[o.cl_ord_id] = o.id;
  orders_.emplace(o.id, std::move(order));
}

void OrderRouter::CancelOrder(OrderOwner& s, const CancelRequest& r, std::int64_t now_ns) {
  SubmitAmend(s, r.cl_ord_id, r.orig_cl_ord_id, r.instrument, exchange::CancelOrder{}, now_ns);
}

void OrderRouter::ReplaceOrder(OrderOwner& s, const ReplaceRequest& r, std::int64_t now_ns) {
  exchange::ReplaceOrder c;
  c.price = r.price;
  c.quantity = r.quantity;
  c.stop_price = r.stop_price;
  SubmitAmend(s, r.cl_ord_id, r.orig_cl_ord_id, r.instrument, c, now_ns);
}

void OrderRouter::SubmitAmend(OrderOwner& s, std::string_view cl_ord_id, std::string_view orig,
                              const InstrumentConfig* instrument, CommandBody body,
                              std::int64_t now_ns) {
  const bool replace = std::holds_alternative<exchange::ReplaceOrder>(body);
  TrackedOrder* o = FindByOwner(s, orig);
  std::string problem;
  if (o == nullptr || o->done) {
    problem = "unknown order: no open order of this session has OrigClOrdID(41) '";
    problem += orig;
    problem += "'";
  } else if (o->instrument != instrument) {
    problem = "Symbol(55) does not match the order's";
  } else if (IdsOf(s).count(std::string(cl_ord_id)) != 0) {
    problem = "duplicate ClOrdID(11) '";
    problem += cl_ord_id;
    problem += "'";
  }
  std::uint64_t token = 0;
  if (problem.empty()) {
    std::visit(
        [&](auto& c) {
          if constexpr (std::is_same_v<std::decay_t<decltype(c)>, exchange::CancelOrder> ||
                        std::is_same_v<std::decay_t<decltype(c)>, exchange::ReplaceOrder>) {
            c.account = s.account();
            c.order_id = o->id;
          }
        },
        body);
    // On disk before the engine can know it, as for a new order.
    const auto kind = replace ? PendingRequest::Kind::kReplace : PendingRequest::Kind::kCancel;
    o->pending.push_back({kind, 0, std::string(cl_ord_id), o->cl_ord_id});
    if (journal_) {
      journal_->Put(*o);
      journal_->Flush();
    }
    token = Submit(o->instrument->spec.symbol.view(), Command{now_ns, body}, &problem);
    if (token == 0) {
      o->pending.pop_back();
      if (journal_) journal_->Put(*o);
    }
  }
  if (token == 0) {
    const bool unknown = o == nullptr || o->done;
    s.CancelRejected({cl_ord_id, orig, o, replace, unknown ? 1 : 99, problem}, now_ns);
    return;
  }
  o->pending.back().token = token;
  IdsOf(s)[std::string(cl_ord_id)] = o->id;
}

void OrderRouter::MassCancel(OrderOwner& s, const MassCancelRequest& r, std::int64_t now_ns) {
  exchange::MassCancel c;
  c.account = s.account();
  const std::string_view symbol = r.instrument ? r.instrument->spec.symbol.view() : "";
  std::string problem;
  const std::uint64_t token = Submit(symbol, Command{now_ns, c}, &problem);
  if (token == 0) {
    s.MassCancelReported({r.cl_ord_id, r.instrument, 0, problem}, now_ns);
    return;
  }
  // The orders this owner has open in scope: the engine's CANCELED events
  // follow for each, as reports.
  int affected = 0;
  for (const auto& [id, o] : orders_) {
    if (o->owner == &s && !o->done && (r.instrument == nullptr || o->instrument == r.instrument))
      ++affected;
  }
  s.MassCancelReported({r.cl_ord_id, r.instrument, affected, {}}, now_ns);
}

// ------------------------------------------------------------ events in

TrackedOrder* OrderRouter::FindByOwner(OrderOwner& s, std::string_view cl_ord_id) {
  ClOrdIdMap& ids = IdsOf(s);
  const auto it = ids.find(std::string(cl_ord_id));
  if (it == ids.end()) return nullptr;
  const auto o = orders_.find(it->second);
  if (o == orders_.end()) return nullptr;
  TrackedOrder& order = *o->second;
  if (order.cl_ord_id == cl_ord_id) return &order;
  for (const PendingRequest& p : order.pending) {
    if (p.kind == PendingRequest::Kind::kReplace && p.cl_ord_id == cl_ord_id) return &order;
  }
  return nullptr;  // the id of a pending cancel: not an order
}

TrackedOrder* OrderRouter::FindForEvent(ClientOrderId id, AccountId account, Sequence sequence) {
  const auto it = orders_.find(id);
  if (it == orders_.end()) return nullptr;
  TrackedOrder& o = *it->second;
  if (o.owner->account() != account) return nullptr;
  if (sequence <= o.last_sequence) return nullptr;  // applied already (a redelivery)
  return &o;
}

void OrderRouter::OnEvent(const Event& e, std::int64_t now_ns) {
  if (e.type == EventType::kBalance) return;  // FIX 4.4 order entry reports no balances
  if (e.type == EventType::kTrade) {
    if (TrackedOrder* taker = FindForEvent(e.order_id, e.account, e.sequence)) {
      OnFill(*taker, e, false, now_ns);
    }
    if (TrackedOrder* maker = FindForEvent(e.maker_order_id, e.maker_account, e.sequence)) {
      OnFill(*maker, e, true, now_ns);
    }
    return;
  }
  TrackedOrder* o = FindForEvent(e.order_id, e.account, e.sequence);
  if (o == nullptr) return;
  switch (e.type) {
    case EventType::kAccepted: OnAccepted(*o, e, now_ns); break;
    case EventType::kRejected: OnRejected(*o, e, now_ns); break;
    case EventType::kCanceled: OnCanceled(*o, e, now_ns); break;
    case EventType::kReplaced: OnReplaced(*o, e, now_ns); break;
    case EventType::kTriggered: OnTriggered(*o, e, now_ns); break;
    default: break;
  }
}

void OrderRouter::OnAccepted(TrackedOrder& o, const Event& e, std::int64_t now_ns) {
  o.last_sequence = e.sequence;
  if (!o.pending.empty() && o.pending.front().kind == PendingRequest::Kind::kNew) {
    o.pending.pop_front();
  }
  o.accepted = true;
  o.accepted_at = e.timestamp;
  o.exchange_id = e.exchange_order_id;
  o.leaves = e.leaves;
  const std::string exec_id = ExecIdOf(*o.instrument, e.sequence);
  SendReport(o, {exec_type::kNew, exec_id, o.cl_ord_id, {}, 0, 0, -1, {}, e.timestamp}, now_ns);
}

void OrderRouter::OnRejected(TrackedOrder& o, const Event& e, std::int64_t now_ns) {
  o.last_sequence = e.sequence;
  if (o.pending.empty()) return;  // not an answer to this gateway's request
  const PendingRequest p = std::move(o.pending.front());
  o.pending.pop_front();
  const std::string text =
      e.reject_reason == RejectReason::kInsufficientFunds
          ? "insufficient funds: the order would hold more than the account has available"
          : ReasonText(ToString(e.reject_reason));
  if (p.kind == PendingRequest::Kind::kNew) {
    o.done = true;
    o.leaves = 0;
    const std::string exec_id = ExecIdOf(*o.instrument, e.sequence);
    SendReport(o,
               {exec_type::kRejected,
                exec_id,
                o.cl_ord_id,
                {},
                0,
                0,
                OrdRejReasonOf(e.reject_reason),
                text,
                e.timestamp,
                e.reject_reason},
               now_ns);
    return;
  }
  if (p.cl_ord_id != o.cl_ord_id) IdsOf(*o.owner).erase(p.cl_ord_id);
  // CxlRejReason(102): 0 too late (the order is done), 1 unknown, 99 other.
  const int reason = o.done ? 0 : e.reject_reason == RejectReason::kUnknownOrder ? 1 : 99;
  o.owner->CancelRejected(
      {p.cl_ord_id, p.orig_cl_ord_id, &o, p.kind == PendingRequest::Kind::kReplace, reason,
       o.done ? "too late: the order is done" : text},
      now_ns);
  Settle(o);
}

void OrderRouter::OnFill(TrackedOrder& o, const Event& e, bool maker, std::int64_t now_ns) {
  o.last_sequence = e.sequence;
  o.cum_qty = maker ? e.maker_filled : e.filled;
  o.leaves = maker ? e.maker_leaves : e.leaves;
  o.notional += static_cast<__int128>(e.price) * e.quantity;
  if (o.leaves == 0) o.done = true;
  const std::string exec_id = ExecIdOf(*o.instrument, e.sequence);
  ReportDetail d{exec_type::kTrade, exec_id, o.cl_ord_id, {},         e.quantity,
                 e.price,           -1,      {},          e.timestamp};
  d.maker = maker;
  SendReport(o, d, now_ns);
}

void OrderRouter::OnCanceled(TrackedOrder& o, const Event& e, std::int64_t now_ns) {
  o.last_sequence = e.sequence;
  o.done = true;
  o.leaves = 0;
  std::string cl_ord_id = o.cl_ord_id, orig, text;
  char type = exec_type::kCanceled;
  if (e.cancel_reason == CancelReason::kUserRequest && !o.pending.empty() &&
      o.pending.front().kind == PendingRequest::Kind::kCancel) {
    PendingRequest p = std::move(o.pending.front());
    o.pending.pop_front();
    IdsOf(*o.owner).erase(p.cl_ord_id);
    orig = o.cl_ord_id;
    cl_ord_id = p.cl_ord_id;
  } else {
    if (IsExpiry(e.cancel_reason)) type = exec_type::kExpired;
    text = ReasonText(ToString(e.cancel_reason));
  }
  const std::string exec_id = ExecIdOf(*o.instrument, e.sequence);
  SendReport(o, {type, exec_id, cl_ord_id, orig, 0, 0, -1, text, e.timestamp}, now_ns);
}

void OrderRouter::OnReplaced(TrackedOrder& o, const Event& e, std::int64_t now_ns) {
  o.last_sequence = e.sequence;
  std::string orig = o.cl_ord_id;
  if (!o.pending.empty() && o.pending.front().kind == PendingRequest::Kind::kReplace) {
    PendingRequest p = std::move(o.pending.front());
    o.pending.pop_front();
    IdsOf(*o.owner).erase(o.cl_ord_id);
    o.cl_ord_id = p.cl_ord_id;
  }
  o.price = e.price;
  o.stop_price = e.stop_price != 0 ? e.stop_price : o.stop_price;
  o.quantity = e.quantity;
  o.leaves = e.leaves;
  if (o.leaves <= 0) {
    o.leaves = 0;
    o.done = true;
  }
  const std::string exec_id = ExecIdOf(*o.instrument, e.sequence);
  SendReport(o, {exec_type::kReplaced, exec_id, o.cl_ord_id, orig, 0, 0, -1, {}, e.timestamp},
             now_ns);
}

void OrderRouter::OnTriggered(TrackedOrder& o, const Event& e, std::int64_t now_ns) {
  o.last_sequence = e.sequence;
  const std::string exec_id = ExecIdOf(*o.instrument, e.sequence);
  SendReport(
      o, {exec_type::kRestated, exec_id, o.cl_ord_id, {}, 0, 0, -1, "stop triggered", e.timestamp},
      now_ns);
}

// ------------------------------------------------------------ reports out

void OrderRouter::SendReport(TrackedOrder& o, const ReportDetail& d, std::int64_t now_ns) {
  o.owner->Report(o, d, now_ns);
  Settle(o);
}

void OrderRouter::Settle(TrackedOrder& o) {
  if (!o.done || !o.pending.empty()) {
    if (journal_) journal_->Put(o);
    return;
  }
  if (journal_) journal_->Erase(o.id);
  IdsOf(*o.owner).erase(o.cl_ord_id);
  orders_.erase(o.id);  // o is gone from here on
}

std::size_t OrderRouter::Restore(
    std::vector<JournaledOrder> orders,
    const std::function<OrderOwner*(std::string_view name)>& owner_named,
    std::vector<std::string>* dropped) {
  std::size_t restored = 0;
  for (JournaledOrder& j : orders) {
    OrderOwner* owner = owner_named(j.owner);
    const auto instrument = instruments_.find(j.symbol);
    if (owner == nullptr || instrument == instruments_.end()) {
      std::string why = "order ";
      why += std::to_string(j.order.id);
      why += " (ClOrdID '";
      why += j.order.cl_ord_id;
      why += "') dropped: ";
      why += owner == nullptr ? "no session named '" + j.owner + "'"
                              : "no instrument '" + j.symbol + "'";
      why += " is configured";
      dropped->push_back(std::move(why));
      if (journal_) journal_->Erase(j.order.id);
      continue;
    }
    auto order = std::make_unique<TrackedOrder>(std::move(j.order));
    order->owner = owner;
    order->instrument = &instrument->second;
    ClOrdIdMap& ids = IdsOf(*owner);
    ids[order->cl_ord_id] = order->id;
    for (const PendingRequest& p : order->pending)
      ids[p.cl_ord_id] = order->id;
    next_order_id_ = std::max(next_order_id_, order->id + 1);
    owner->Restored(*order);
    orders_[order->id] = std::move(order);
    ++restored;
  }
  FlushJournal();
  return restored;
}

}  // namespace exchange::fix
