// FixOrderEntry: FIX order-entry messages to the OrderRouter, its reports
// back as FIX messages. See fix_order_entry.h.
#include "gateway/fix_order_entry.h"

#include "gateway/execution_report.h"
#include "gateway/fix_tags.h"

namespace exchange::fix {
namespace {

// One session as an OrderOwner: reports become FIX messages on it.
class SessionOwner : public OrderOwner {
 public:
  explicit SessionOwner(FixSession& session) : session_(session) {}

  AccountId account() const override { return session_.config().account; }
  const std::string& name() const override { return session_.config().name; }

  void Report(const TrackedOrder& order, const ReportDetail& d, std::int64_t now_ns) override {
    FixWriter& w = session_.BeginApplication(msg::kExecutionReport, now_ns);
    AddExecutionReport(w, order, d, account());
    session_.SendApplication();
  }

  void CancelRejected(const CancelRejectDetail& d, std::int64_t now_ns) override {
    const TrackedOrder* o = d.order;
    FixWriter& w = session_.BeginApplication(msg::kOrderCancelReject, now_ns);
    w.Add(tag::kOrderID, o && o->exchange_id ? std::to_string(o->exchange_id) : "NONE");
    w.Add(tag::kClOrdID, d.cl_ord_id);
    w.Add(tag::kOrigClOrdID, d.orig_cl_ord_id);
    w.Add(tag::kOrdStatus, o ? OrdStatusOf(*o, exec_type::kNew) : '8');
    w.Add(tag::kCxlRejResponseTo, d.replace ? '2' : '1');
    w.Add(tag::kCxlRejReason, static_cast<std::int64_t>(d.reason));
    w.Add(tag::kText, d.text);
    session_.SendApplication();
  }

  void MassCancelReported(const MassCancelDetail& d, std::int64_t now_ns) override {
    const InstrumentConfig* ins = d.instrument;
    FixWriter& w = session_.BeginApplication(msg::kOrderMassCancelReport, now_ns);
    w.Add(tag::kClOrdID, d.cl_ord_id);
    w.Add(tag::kOrderID, "NONE");
    w.Add(tag::kMassCancelRequestType, ins ? '1' : '7');
    if (!d.reject_text.empty()) {
      w.Add(tag::kMassCancelResponse, '0');
      w.Add(tag::kMassCancelRejectReason, std::int64_t{99});
      w.Add(tag::kText, d.reject_text);
    } else {
      w.Add(tag::kMassCancelResponse, ins ? '1' : '7');
      w.Add(tag::kTotalAffectedOrders, static_cast<std::int64_t>(d.affected));
    }
    if (ins) w.Add(tag::kSymbol, ins->spec.symbol.view());
    session_.SendApplication();
  }

 private:
  FixSession& session_;
};

}  // namespace

FixOrderEntry::~FixOrderEntry() = default;

OrderOwner& FixOrderEntry::OwnerOf(FixSession& session) {
  std::unique_ptr<OrderOwner>& owner = owners_[&session];
  if (!owner) owner = std::make_unique<SessionOwner>(session);
  return *owner;
}

void FixOrderEntry::OnApplicationMessage(FixSession& s, const FixMessage& m, std::int64_t now_ns) {
  const OrderRequest request = ReadOrderRequest(m, router_.instruments());
  if (const auto* r = std::get_if<NewOrderRequest>(&request)) {
    router_.PlaceOrder(OwnerOf(s), *r, now_ns);
  } else if (const auto* c = std::get_if<CancelRequest>(&request)) {
    router_.CancelOrder(OwnerOf(s), *c, now_ns);
  } else if (const auto* p = std::get_if<ReplaceRequest>(&request)) {
    router_.ReplaceOrder(OwnerOf(s), *p, now_ns);
  } else if (const auto* q = std::get_if<MassCancelRequest>(&request)) {
    router_.MassCancel(OwnerOf(s), *q, now_ns);
  } else {
    HandleRefusal(s, m, std::get<Refusal>(request), now_ns);
  }
}

void FixOrderEntry::HandleRefusal(FixSession& s, const FixMessage& m, const Refusal& r,
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
    OwnerOf(s).CancelRejected({m.Get(tag::kClOrdID), m.Get(tag::kOrigClOrdID), nullptr,
                               type == msg::kOrderCancelReplaceRequest, 99, r.text},
                              now_ns);
    return;
  }
  if (type == msg::kOrderMassCancelRequest) {
    OwnerOf(s).MassCancelReported({m.Get(tag::kClOrdID), nullptr, 0, r.text}, now_ns);
    return;
  }
  // NewOrderSingle: echo what was asked, as text, since it may not convert.
  const std::string exec_id = router_.NewGatewayExecId();
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

}  // namespace exchange::fix
