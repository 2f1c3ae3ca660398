// OrderRouter: FIX order entry to engine commands, engine events to FIX
// reports. See order_router.h; the field mapping is tabled in README.md.
#include "gateway/order_router.h"

#include <algorithm>
#include <type_traits>
#include <utility>

#include "gateway/execution_report.h"
#include "gateway/fix_tags.h"

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

std::string GatewayExecId(std::uint64_t token) {
  std::string id = "GW:";
  id += std::to_string(token);
  return id;
}

// Readable text for an engine rejection: "PRICE_NOT_ON_TICK" -> "price not on tick".
std::string ReasonText(std::string_view code) {
  std::string text;
  for (const char c : code)
    text += c == '_' ? ' ' : static_cast<char>(c | 0x20);
  return text;
}

bool IsExpiry(CancelReason r) {
  return r == CancelReason::kIocRemainder || r == CancelReason::kProtectionReached ||
         r == CancelReason::kNoLiquidity || r == CancelReason::kFokCannotFill;
}

}  // namespace

OrderRouter::OrderRouter(InstrumentTable instruments, CommandSubmitter& submitter,
                         ClientOrderId first_order_id)
    : instruments_(std::move(instruments)), submitter_(submitter), next_order_id_(first_order_id) {}

OrderRouter::~OrderRouter() = default;

void OrderRouter::OnApplicationMessage(FixSession& s, const FixMessage& m, std::int64_t now_ns) {
  const OrderRequest request = ReadOrderRequest(m, instruments_);
  if (const auto* r = std::get_if<NewOrderRequest>(&request)) {
    HandleNew(s, *r, now_ns);
  } else if (const auto* c = std::get_if<CancelRequest>(&request)) {
    HandleCancel(s, *c, now_ns);
  } else if (const auto* p = std::get_if<ReplaceRequest>(&request)) {
    HandleReplace(s, *p, now_ns);
  } else if (const auto* q = std::get_if<MassCancelRequest>(&request)) {
    HandleMassCancel(s, *q, now_ns);
  } else {
    HandleRefusal(s, m, std::get<Refusal>(request), now_ns);
  }
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

void OrderRouter::HandleNew(FixSession& s, const NewOrderRequest& r, std::int64_t now_ns) {
  ClOrdIdMap& ids = IdsOf(s);
  if (ids.count(std::string(r.cl_ord_id)) != 0) {
    TrackedOrder shadow;  // the refused order as asked, for the report's fields
    shadow.instrument = r.instrument;
    shadow.side = r.side;
    shadow.type = r.type;
    shadow.tif = r.tif;
    shadow.price = r.price;
    shadow.stop_price = r.stop_price;
    shadow.quantity = r.quantity;
    shadow.cl_ord_id = r.cl_ord_id;
    shadow.done = true;
    const std::string exec_id = GatewayExecId(next_token_++);
    std::string text = "duplicate ClOrdID(11) '";
    text += r.cl_ord_id;
    text += "': an open order of this session has it";
    FixWriter& w = s.BeginApplication(msg::kExecutionReport, now_ns);
    AddExecutionReport(w, shadow,
                       {exec_type::kRejected,
                        exec_id,
                        r.cl_ord_id,
                        {},
                        0,
                        0,
                        ord_rej::kDuplicateOrder,
                        text,
                        now_ns},
                       s.config().account);
    s.SendApplication();
    return;
  }
  auto order = std::make_unique<TrackedOrder>();
  TrackedOrder& o = *order;
  o.session = &s;
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
  c.account = s.config().account;
  c.order_id = o.id;
  c.side = r.side;
  c.type = r.type;
  c.tif = r.tif;
  c.stp = r.stp;
  c.price = r.price;
  c.quantity = r.quantity;
  c.stop_price = r.stop_price;
  c.display_quantity = r.display_quantity;
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
    o.pending.clear();
    o.done = true;
    const std::string exec_id = GatewayExecId(next_token_++);
    FixWriter& w = s.BeginApplication(msg::kExecutionReport, now_ns);
    AddExecutionReport(
        w, o,
        {exec_type::kRejected, exec_id, o.cl_ord_id, {}, 0, 0, ord_rej::kOther, error, now_ns},
        s.config().account);
    s.SendApplication();
    return;
  }
  o.pending.back().token = token;
  ids[o.cl_ord_id] = o.id;
  orders_.emplace(o.id, std::move(order));
}

void OrderRouter::HandleCancel(FixSession& s, const CancelRequest& r, std::int64_t now_ns) {
  SubmitAmend(s, r.cl_ord_id, r.orig_cl_ord_id, r.instrument, CancelOrder{}, now_ns);
}

void OrderRouter::HandleReplace(FixSession& s, const ReplaceRequest& r, std::int64_t now_ns) {
  ReplaceOrder c;
  c.price = r.price;
  c.quantity = r.quantity;
  c.stop_price = r.stop_price;
  SubmitAmend(s, r.cl_ord_id, r.orig_cl_ord_id, r.instrument, c, now_ns);
}

void OrderRouter::SubmitAmend(FixSession& s, std::string_view cl_ord_id, std::string_view orig,
                              const InstrumentConfig* instrument, CommandBody body,
                              std::int64_t now_ns) {
  const bool replace = std::holds_alternative<ReplaceOrder>(body);
  TrackedOrder* o = FindBySession(s, orig);
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
          if constexpr (std::is_same_v<std::decay_t<decltype(c)>, CancelOrder> ||
                        std::is_same_v<std::decay_t<decltype(c)>, ReplaceOrder>) {
            c.account = s.config().account;
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
    SendCancelReject(
        s, cl_ord_id, orig, o && o->exchange_id ? std::to_string(o->exchange_id) : "NONE",
        o ? OrdStatusOf(*o, exec_type::kNew) : '8', replace, unknown ? 1 : 99, problem, now_ns);
    return;
  }
  o->pending.back().token = token;
  IdsOf(s)[std::string(cl_ord_id)] = o->id;
}

void OrderRouter::HandleMassCancel(FixSession& s, const MassCancelRequest& r, std::int64_t now_ns) {
  MassCancel c;
  c.account = s.config().account;
  const std::string_view symbol = r.instrument ? r.instrument->spec.symbol.view() : "";
  std::string problem;
  const std::uint64_t token = Submit(symbol, Command{now_ns, c}, &problem);
  if (token == 0) {
    SendMassCancelReport(s, r.cl_ord_id, r.instrument, 0, problem, now_ns);
    return;
  }
  // The orders this session has open in scope: the engine's CANCELED events
  // follow for each, as ExecutionReports.
  int affected = 0;
  for (const auto& [id, o] : orders_) {
    if (o->session == &s && !o->done && (r.instrument == nullptr || o->instrument == r.instrument))
      ++affected;
  }
  SendMassCancelReport(s, r.cl_ord_id, r.instrument, affected, {}, now_ns);
}

void OrderRouter::HandleRefusal(FixSession& s, const FixMessage& m, const Refusal& r,
                                std::int64_t now_ns) {
  const std::uint64_t seq = static_cast<std::uint64_t>(m.seq_num().value_or(0));
  if (r.kind == RefusalKind::kSessionReject) {
    s.SendReject(seq, m.msg_type(), r.ref_tag, r.reason, r.text, now_ns);
    return;
  }
  if (r.kind == RefusalKind::kBusinessReject) {
    FixWriter& w = s.BeginApplication(msg::kBusinessMessageReject, now_ns);
    w.Add(tag::kRefSeqNum, static_cast<std::int64_t>(seq));
    w.Add(tag::kRefMsgType, m.msg_type());
    if (m.Has(tag::kClOrdID)) w.Add(tag::kBusinessRejectRefID, m.Get(tag::kClOrdID));
    w.Add(tag::kBusinessRejectReason, static_cast<std::int64_t>(r.reason));
    w.Add(tag::kText, r.text);
    s.SendApplication();
    return;
  }
  // A well-formed request the exchange cannot take.
  const std::string_view type = m.msg_type();
  if (type == msg::kOrderCancelRequest || type == msg::kOrderCancelReplaceRequest) {
    SendCancelReject(s, m.Get(tag::kClOrdID), m.Get(tag::kOrigClOrdID), "NONE", '8',
                     type == msg::kOrderCancelReplaceRequest, 99, r.text, now_ns);
    return;
  }
  if (type == msg::kOrderMassCancelRequest) {
    SendMassCancelReport(s, m.Get(tag::kClOrdID), nullptr, 0, r.text, now_ns);
    return;
  }
  // NewOrderSingle: echo what was asked, as text, since it may not convert.
  const std::string exec_id = GatewayExecId(next_token_++);
  FixWriter& w = s.BeginApplication(msg::kExecutionReport, now_ns);
  w.Add(tag::kAccount, static_cast<std::int64_t>(s.config().account));
  w.Add(tag::kOrderID, "NONE");
  w.Add(tag::kClOrdID, m.Get(tag::kClOrdID));
  w.Add(tag::kExecID, exec_id);
  w.Add(tag::kExecType, exec_type::kRejected);
  w.Add(tag::kOrdStatus, '8');
  w.Add(tag::kOrdRejReason, static_cast<std::int64_t>(r.reason));
  for (const int t : {tag::kSymbol, tag::kSide, tag::kOrderQty, tag::kOrdType, tag::kPrice,
                      tag::kStopPx, tag::kExecInst, tag::kTimeInForce}) {
    if (m.Has(t)) w.Add(t, m.Get(t));
  }
  w.Add(tag::kLeavesQty, std::int64_t{0});
  w.Add(tag::kCumQty, std::int64_t{0});
  w.Add(tag::kAvgPx, std::int64_t{0});
  w.AddTime(tag::kTransactTime, now_ns);
  w.Add(tag::kText, r.text);
  s.SendApplication();
}

// ------------------------------------------------------------ events in

TrackedOrder* OrderRouter::FindBySession(FixSession& s, std::string_view cl_ord_id) {
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
  if (o.session->config().account != account) return nullptr;
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
                e.timestamp},
               now_ns);
    return;
  }
  if (p.cl_ord_id != o.cl_ord_id) IdsOf(*o.session).erase(p.cl_ord_id);
  // CxlRejReason(102): 0 too late (the order is done), 1 unknown, 99 other.
  const int reason = o.done ? 0 : e.reject_reason == RejectReason::kUnknownOrder ? 1 : 99;
  SendCancelReject(*o.session, p.cl_ord_id, p.orig_cl_ord_id,
                   o.exchange_id ? std::to_string(o.exchange_id) : "NONE",
                   OrdStatusOf(o, exec_type::kNew), p.kind == PendingRequest::Kind::kReplace,
                   reason, o.done ? "too late: the order is done" : text, now_ns);
  Settle(o);
}

void OrderRouter::OnFill(TrackedOrder& o, const Event& e, bool maker, std::int64_t now_ns) {
  o.last_sequence = e.sequence;
  o.cum_qty = maker ? e.maker_filled : e.filled;
  o.leaves = maker ? e.maker_leaves : e.leaves;
  o.notional += static_cast<__int128>(e.price) * e.quantity;
  if (o.leaves == 0) o.done = true;
  const std::string exec_id = ExecIdOf(*o.instrument, e.sequence);
  SendReport(
      o, {exec_type::kTrade, exec_id, o.cl_ord_id, {}, e.quantity, e.price, -1, {}, e.timestamp},
      now_ns);
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
    IdsOf(*o.session).erase(p.cl_ord_id);
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
    IdsOf(*o.session).erase(o.cl_ord_id);
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
  FixSession& s = *o.session;
  FixWriter& w = s.BeginApplication(msg::kExecutionReport, now_ns);
  AddExecutionReport(w, o, d, s.config().account);
  s.SendApplication();
  Settle(o);
}

void OrderRouter::SendCancelReject(FixSession& s, std::string_view cl_ord_id, std::string_view orig,
                                   std::string_view order_id, char ord_status, bool replace,
                                   int reason, std::string_view text, std::int64_t now_ns) {
  FixWriter& w = s.BeginApplication(msg::kOrderCancelReject, now_ns);
  w.Add(tag::kOrderID, order_id);
  w.Add(tag::kClOrdID, cl_ord_id);
  w.Add(tag::kOrigClOrdID, orig);
  w.Add(tag::kOrdStatus, ord_status);
  w.Add(tag::kCxlRejResponseTo, replace ? '2' : '1');
  w.Add(tag::kCxlRejReason, static_cast<std::int64_t>(reason));
  w.Add(tag::kText, text);
  s.SendApplication();
}

void OrderRouter::SendMassCancelReport(FixSession& s, std::string_view cl_ord_id,
                                       const InstrumentConfig* ins, int affected,
                                       std::string_view reject_text, std::int64_t now_ns) {
  FixWriter& w = s.BeginApplication(msg::kOrderMassCancelReport, now_ns);
  w.Add(tag::kClOrdID, cl_ord_id);
  w.Add(tag::kOrderID, "NONE");
  w.Add(tag::kMassCancelRequestType, ins ? '1' : '7');
  if (!reject_text.empty()) {
    w.Add(tag::kMassCancelResponse, '0');
    w.Add(tag::kMassCancelRejectReason, std::int64_t{99});
    w.Add(tag::kText, reject_text);
  } else {
    w.Add(tag::kMassCancelResponse, ins ? '1' : '7');
    w.Add(tag::kTotalAffectedOrders, static_cast<std::int64_t>(affected));
  }
  if (ins) w.Add(tag::kSymbol, ins->spec.symbol.view());
  s.SendApplication();
}

void OrderRouter::Settle(TrackedOrder& o) {
  if (!o.done || !o.pending.empty()) {
    if (journal_) journal_->Put(o);
    return;
  }
  if (journal_) journal_->Erase(o.id);
  IdsOf(*o.session).erase(o.cl_ord_id);
  orders_.erase(o.id);  // o is gone from here on
}

std::size_t OrderRouter::Restore(
    std::vector<JournaledOrder> orders,
    const std::function<FixSession*(std::string_view name)>& session_named,
    std::vector<std::string>* dropped) {
  std::size_t restored = 0;
  for (JournaledOrder& j : orders) {
    FixSession* session = session_named(j.session);
    const auto instrument = instruments_.find(j.symbol);
    if (session == nullptr || instrument == instruments_.end()) {
      std::string why = "order ";
      why += std::to_string(j.order.id);
      why += " (ClOrdID '";
      why += j.order.cl_ord_id;
      why += "') dropped: ";
      why += session == nullptr ? "no session named '" + j.session + "'"
                                : "no instrument '" + j.symbol + "'";
      why += " is configured";
      dropped->push_back(std::move(why));
      if (journal_) journal_->Erase(j.order.id);
      continue;
    }
    auto order = std::make_unique<TrackedOrder>(std::move(j.order));
    order->session = session;
    order->instrument = &instrument->second;
    ClOrdIdMap& ids = IdsOf(*session);
    ids[order->cl_ord_id] = order->id;
    for (const PendingRequest& p : order->pending)
      ids[p.cl_ord_id] = order->id;
    next_order_id_ = std::max(next_order_id_, order->id + 1);
    orders_[order->id] = std::move(order);
    ++restored;
  }
  FlushJournal();
  return restored;
}

}  // namespace exchange::fix
