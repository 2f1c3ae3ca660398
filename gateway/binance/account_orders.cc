#include "gateway/binance/account_orders.h"

#include <algorithm>
#include <charconv>

#include "gateway/binance/json_fields.h"

namespace exchange::binance {
namespace {

std::int64_t Ms(std::int64_t ns) {
  return ns / 1'000'000;
}

// v × 10^e, rounded down (engine/risk.cc's Scale for v >= 0).
__int128 ScaleDown(__int128 v, int e) {
  __int128 p = 1;
  for (int i = 0; i < (e < 0 ? -e : e); ++i)
    p *= 10;
  return e >= 0 ? v * p : v / p;
}

using namespace json_fields;

// The number of an ExecID: "<symbol>:<sequence>" (the trade id of a trade)
// or "GW:<n>".
std::uint64_t ExecutionNumber(std::string_view exec_id) {
  const std::string_view digits = exec_id.substr(exec_id.rfind(':') + 1);
  std::uint64_t n = 0;
  std::from_chars(digits.data(), digits.data() + digits.size(), n);
  return n;
}

bool IsFinal(const std::string& status) {
  return status == "FILLED" || status == "CANCELED" || status == "REJECTED" || status == "EXPIRED";
}

// Binance's text where its clients match on it (ccxt maps these messages
// to its error classes), else ours.
std::string RejectionText(const fix::ReportDetail& d) {
  switch (d.reject_reason) {
    case RejectReason::kInsufficientFunds:
      return "Account has insufficient balance for requested action.";
    case RejectReason::kPostOnlyWouldTrade: return "Order would immediately match and take.";
    case RejectReason::kNoLiquidity:
    case RejectReason::kFokCannotFill: return "Order would not fill: " + std::string(d.text);
    default: return std::string(d.text);
  }
}

std::string StatusAfter(const fix::TrackedOrder& o, char exec_type) {
  switch (exec_type) {
    case fix::exec_type::kRejected: return "REJECTED";
    case fix::exec_type::kCanceled: return "CANCELED";
    case fix::exec_type::kExpired: return "EXPIRED";
    default: break;
  }
  if (o.leaves == 0 && o.cum_qty > 0) return "FILLED";
  if (o.cum_qty > 0) return "PARTIALLY_FILLED";
  return "NEW";
}

}  // namespace

const char* BinanceTypeName(OrderType t) {
  switch (t) {
    case OrderType::kPostOnly: return "LIMIT_MAKER";
    case OrderType::kMarket: return "MARKET";
    case OrderType::kStop: return "STOP_LOSS";
    case OrderType::kStopLimit: return "STOP_LOSS_LIMIT";
    default: return "LIMIT";
  }
}

std::string AckJson(const OrderView& v) {
  std::string out = "{";
  Text(out, "symbol", v.instrument->spec.symbol.view());
  Int(out, "orderId", static_cast<std::int64_t>(v.order_id));
  Int(out, "orderListId", -1);
  Text(out, "clientOrderId", v.client_order_id);
  out += "\"transactTime\":" + std::to_string(v.time_ms) + "}";
  return out;
}

std::string OrderJson(const OrderView& v, ResponseType type) {
  const InstrumentConfig& ins = *v.instrument;
  const int pd = ins.price_decimals, qd = ins.quantity_decimals;
  std::string out = "{";
  Text(out, "symbol", ins.spec.symbol.view());
  Int(out, "orderId", static_cast<std::int64_t>(v.order_id));
  Int(out, "orderListId", -1);
  Text(out, "clientOrderId", v.client_order_id);
  Int(out, "transactTime", v.time_ms);
  Decimal(out, "price", v.price, pd);
  Decimal(out, "origQty", v.orig_qty, qd);
  Decimal(out, "executedQty", v.executed, qd);
  Decimal(out, "origQuoteOrderQty", v.orig_quote_qty, v.quote_decimals);
  Decimal(out, "cummulativeQuoteQty", v.cum_quote, pd + qd);
  Text(out, "status", v.status);
  Text(out, "timeInForce", TifName(v.tif));
  Text(out, "type", v.type);
  Text(out, "side", SideName(v.side));
  if (v.stop_price != 0) Decimal(out, "stopPrice", v.stop_price, pd);
  Int(out, "workingTime", v.working ? v.time_ms : -1);
  Text(out, "selfTradePreventionMode", "NONE");
  if (type == ResponseType::kFull) {
    out += "\"fills\":[";
    const char* comma = "";
    for (const OrderFill& f : v.fills) {
      out += comma;
      out += '{';
      Decimal(out, "price", f.price, pd);
      Decimal(out, "qty", f.quantity, qd);
      Decimal(out, "commission", f.commission, f.commission_decimals);
      Text(out, "commissionAsset", f.commission_asset);
      out += "\"tradeId\":" + std::to_string(f.trade_id) + "}";
      comma = ",";
    }
    out += "],";
  }
  out.back() = '}';
  return out;
}

AccountOrders::AccountOrders(AccountId account, OrderLimits limits)
    : account_(account), name_("binance:" + std::to_string(account)), order_count_(limits) {}

void AccountOrders::ExpectNew(OrderView view, ResponseType type, Respond respond) {
  const std::string id = view.client_order_id;
  pending_new_[id] = PendingNew{type, std::move(respond), view.time_ms};
  starting_[id] = std::move(view);
}

void AccountOrders::ExpectCancel(const std::string& cancel_id, Respond respond,
                                 std::int64_t now_ms) {
  pending_cancels_[cancel_id] = PendingCancel{std::move(respond), now_ms};
}

std::size_t AccountOrders::ExpireBefore(std::int64_t deadline_ms) {
  const ApiError timeout{503, api_code::kTimeout,
                         "Timeout waiting for response from backend server. Send status unknown; "
                         "execution status unknown."};
  std::size_t expired = 0;
  for (auto it = pending_new_.begin(); it != pending_new_.end();) {
    if (it->second.since_ms >= deadline_ms) {
      ++it;
      continue;
    }
    it->second.respond({timeout.status, ErrorBody(timeout), {}});
    it = pending_new_.erase(it);
    ++expired;
  }
  for (auto it = pending_cancels_.begin(); it != pending_cancels_.end();) {
    if (it->second.since_ms >= deadline_ms) {
      ++it;
      continue;
    }
    it->second.respond({timeout.status, ErrorBody(timeout), {}});
    it = pending_cancels_.erase(it);
    ++expired;
  }
  return expired;
}

OrderView* AccountOrders::ViewOf(const fix::TrackedOrder& o) {
  if (o.id == 0) return nullptr;  // refused before it had an engine id
  if (auto it = views_.find(o.id); it != views_.end()) return &it->second;
  auto start = starting_.find(o.cl_ord_id);
  if (start == starting_.end()) return nullptr;  // not placed through this API
  OrderView& v = views_[o.id] = std::move(start->second);
  starting_.erase(start);
  v.engine_id = o.id;
  by_client_id_[v.client_order_id] = o.id;
  return &v;
}

void AccountOrders::Report(const fix::TrackedOrder& o, const fix::ReportDetail& d,
                           std::int64_t now_ns) {
  OrderView* v = ViewOf(o);
  if (v == nullptr) {  // refused by the router: nothing reached the engine
    const std::string id(d.cl_ord_id);
    starting_.erase(id);
    if (auto p = pending_new_.find(id); p != pending_new_.end()) {
      p->second.respond(
          {400, ErrorBody({400, api_code::kNewOrderRejected, std::string(d.text)}), {}});
      pending_new_.erase(p);
    }
    return;
  }
  v->update_ms = Ms(d.transact_time != 0 ? d.transact_time : now_ns);
  v->status = StatusAfter(o, d.exec_type);
  v->executed = o.cum_qty;
  switch (d.exec_type) {
    case fix::exec_type::kNew:
      v->order_id = o.exchange_id;
      v->time_ms = v->update_ms;
      by_order_id_[o.exchange_id] = o.id;
      v->working = o.type != OrderType::kStop && o.type != OrderType::kStopLimit;
      v->arriving = true;
      arrived_.push_back(o.id);
      if (auto p = pending_new_.find(v->client_order_id); p != pending_new_.end()) {
        if (p->second.type == ResponseType::kAck) {
          p->second.respond({200, AckJson(*v), {}});
          pending_new_.erase(p);
        } else {
          answer_at_batch_end_.push_back(v->client_order_id);
        }
      }
      break;
    case fix::exec_type::kTrade:
      if (o.cum_qty == d.last_qty) order_count_.FirstFill(v->update_ms, !v->arriving);
      v->cum_quote += static_cast<__int128>(d.last_px) * d.last_qty;
      if (pending_new_.count(v->client_order_id) != 0) AddFill(*v, d);
      KeepFill(*v, d);
      break;
    case fix::exec_type::kRestated: v->working = true; break;
    case fix::exec_type::kReplaced:
      v->price = o.price;
      v->orig_qty = o.quantity;
      break;
    case fix::exec_type::kRejected:
      if (auto p = pending_new_.find(v->client_order_id); p != pending_new_.end()) {
        p->second.respond(
            {400, ErrorBody({400, api_code::kNewOrderRejected, RejectionText(d)}), {}});
        pending_new_.erase(p);
      }
      break;
    case fix::exec_type::kCanceled:
      if (auto c = pending_cancels_.find(std::string(d.cl_ord_id)); c != pending_cancels_.end()) {
        std::string body = OrderJson(*v, ResponseType::kResult);
        body.pop_back();
        body += ",\"origClientOrderId\":\"" + v->client_order_id + "\"}";
        // The cancel's own id is clientOrderId, as Binance answers.
        const std::string from = "\"clientOrderId\":\"" + v->client_order_id + "\"";
        body.replace(body.find(from), from.size(),
                     "\"clientOrderId\":\"" + std::string(d.cl_ord_id) + "\"");
        c->second.respond({200, std::move(body), {}});
        pending_cancels_.erase(c);
      }
      break;
    default: break;
  }
  if (streaming_) KeepForStream(*v, d);
  if (IsFinal(v->status)) Finish(*v);
}

void AccountOrders::CancelRejected(const fix::CancelRejectDetail& d, std::int64_t) {
  const auto c = pending_cancels_.find(std::string(d.cl_ord_id));
  if (c == pending_cancels_.end()) return;
  const bool unknown = d.reason == 1 || d.order == nullptr;
  c->second.respond({400,
                     ErrorBody({400, api_code::kCancelRejected,
                                unknown ? "Unknown order sent." : std::string(d.text)}),
                     {}});
  pending_cancels_.erase(c);
}

void AccountOrders::MassCancelReported(const fix::MassCancelDetail&, std::int64_t) {}

void AccountOrders::Restored(const fix::TrackedOrder& o) {
  OrderView& v = views_[o.id];
  v.instrument = o.instrument;
  v.engine_id = o.id;
  v.order_id = o.exchange_id;
  v.client_order_id = o.cl_ord_id;
  v.type = BinanceTypeName(o.type);
  v.side = o.side;
  v.tif = o.tif;
  v.price = o.price;
  v.stop_price = o.stop_price;
  v.orig_qty = o.quantity;
  v.executed = o.cum_qty;
  v.cum_quote = o.notional;
  v.status = StatusAfter(o, fix::exec_type::kNew);
  v.time_ms = v.update_ms = o.accepted_at / 1'000'000;
  v.working = o.type != OrderType::kStop && o.type != OrderType::kStopLimit;
  by_client_id_[v.client_order_id] = o.id;
  if (o.exchange_id != 0) by_order_id_[o.exchange_id] = o.id;
}

namespace {

// A fill of `v` (its cum_quote counting it already), before its commission.
OrderFill FillOf(const OrderView& v, const fix::ReportDetail& d) {
  const InstrumentSpec& spec = v.instrument->spec;
  OrderFill f;
  f.price = d.last_px;
  f.quantity = d.last_qty;
  f.trade_id = ExecutionNumber(d.exec_id);
  if (v.side == Side::kBuy) {
    f.gross = d.last_qty * spec.base_multiplier;
    f.commission_asset = v.instrument->base_asset;
  } else {  // as engine/risk.cc settles a seller: its notional scaled, rounded down
    const __int128 before = v.cum_quote - static_cast<__int128>(d.last_px) * d.last_qty;
    f.gross = static_cast<Amount>(ScaleDown(v.cum_quote, spec.quote_exponent) -
                                  ScaleDown(before, spec.quote_exponent));
    f.commission_asset = v.instrument->quote_asset;
  }
  return f;
}

const char* ExecTypeName(char exec_type) {
  switch (exec_type) {
    case fix::exec_type::kTrade: return "TRADE";
    case fix::exec_type::kCanceled: return "CANCELED";
    case fix::exec_type::kRejected: return "REJECTED";
    case fix::exec_type::kExpired: return "EXPIRED";
    case fix::exec_type::kReplaced: return "REPLACED";
    default: return "NEW";  // new, and a stop order triggered (working from now)
  }
}

// Binance's order reject reasons (user-data-stream.md) for the engine's.
const char* RejectReasonName(RejectReason r) {
  switch (r) {
    case RejectReason::kNone: return "NONE";
    case RejectReason::kInsufficientFunds: return "INSUFFICIENT_BALANCES";
    case RejectReason::kPostOnlyWouldTrade: return "WOULD_MATCH_IMMEDIATELY";
    default: return "OTHER";
  }
}

}  // namespace

void AccountOrders::AddFill(OrderView& v, const fix::ReportDetail& d) {
  v.fills.push_back(FillOf(v, d));
}

void AccountOrders::KeepFill(const OrderView& v, const fix::ReportDetail& d) {
  batch_fills_.push_back(
      {v.instrument, v.engine_id, v.order_id, v.side, d.maker, v.update_ms, FillOf(v, d)});
}

void AccountOrders::KeepForStream(const OrderView& v, const fix::ReportDetail& d) {
  StreamChange c;
  c.order = v;
  c.order.fills.clear();
  ExecutionChange& x = c.change;
  x.exec_type = ExecTypeName(d.exec_type);
  x.client_order_id = v.client_order_id;
  if (d.exec_type == fix::exec_type::kCanceled && !d.orig_cl_ord_id.empty()) {
    x.client_order_id = std::string(d.cl_ord_id);  // the cancel's own id, as Binance
    x.orig_client_order_id = v.client_order_id;
  }
  if (d.exec_type == fix::exec_type::kRejected) x.reject_reason = RejectReasonName(d.reject_reason);
  x.transact_ms = v.update_ms;
  x.execution_id = ExecutionNumber(d.exec_id);
  if (d.exec_type == fix::exec_type::kTrade) {
    const OrderFill f = FillOf(v, d);
    x.last_qty = d.last_qty;
    x.last_px = d.last_px;
    x.trade_id = static_cast<std::int64_t>(f.trade_id);
    x.maker = d.maker;
    x.commission_asset = f.commission_asset;
    c.gross = f.gross;
  }
  stream_changes_.push_back(std::move(c));
}

std::vector<std::string> AccountOrders::TakeStreamEvents(std::int64_t event_ms) {
  std::vector<std::string> events;
  events.reserve(stream_changes_.size());
  for (StreamChange& c : stream_changes_) {
    ExecutionChange& x = c.change;
    if (!x.commission_asset.empty()) {
      const auto r = received_.find({static_cast<Sequence>(x.trade_id), x.commission_asset});
      if (r != received_.end()) {
        x.commission = c.gross - r->second.net;
        x.commission_decimals = r->second.decimals;
      }
    }
    events.push_back(ExecutionReportJson(c.order, x, event_ms));
  }
  stream_changes_.clear();
  return events;
}

void AccountOrders::OnReceived(Sequence trade_id, const std::string& asset, Amount net,
                               int decimals) {
  received_[{trade_id, asset}] = Received{net, decimals};
}

void AccountOrders::OnBatchEnd() {
  for (const std::string& id : answer_at_batch_end_) {
    const auto p = pending_new_.find(id);
    const auto e = by_client_id_.find(id);
    if (p == pending_new_.end() || e == by_client_id_.end()) continue;
    OrderView& v = views_.at(e->second);
    for (OrderFill& f : v.fills)
      WithCommission(f);
    p->second.respond({200, OrderJson(v, p->second.type), {}});
    pending_new_.erase(p);
    v.fills.clear();
    v.fills.shrink_to_fit();
  }
  answer_at_batch_end_.clear();
  KeepRecentFills();
  received_.clear();
  for (ClientOrderId id : arrived_) {
    if (auto v = views_.find(id); v != views_.end()) v->second.arriving = false;
  }
  arrived_.clear();
}

void AccountOrders::WithCommission(OrderFill& f) const {
  const auto r = received_.find({f.trade_id, f.commission_asset});
  if (r == received_.end()) return;  // no cash risk: no fee
  f.commission = f.gross - r->second.net;
  f.commission_decimals = r->second.decimals;
}

void AccountOrders::KeepRecentFills() {
  for (RecentFill& f : batch_fills_) {
    WithCommission(f.fill);
    recent_fills_.push_back(std::move(f));
  }
  batch_fills_.clear();
  while (recent_fills_.size() > kRecentFillsKept)
    recent_fills_.pop_front();
}

void AccountOrders::Finish(OrderView& v) {
  finished_.push_back(v.engine_id);
  while (finished_.size() > kFinishedKept) {
    const auto old = views_.find(finished_.front());
    finished_.pop_front();
    if (old == views_.end() || pending_new_.count(old->second.client_order_id)) continue;
    if (auto c = by_client_id_.find(old->second.client_order_id);
        c != by_client_id_.end() && c->second == old->first) {
      by_client_id_.erase(c);
    }
    by_order_id_.erase(old->second.order_id);
    views_.erase(old);
  }
}

const OrderView* AccountOrders::FindByOrderId(OrderId id) const {
  const auto it = by_order_id_.find(id);
  if (it == by_order_id_.end()) return nullptr;
  const auto v = views_.find(it->second);
  return v == views_.end() ? nullptr : &v->second;
}

const OrderView* AccountOrders::FindByClientId(const std::string& client_order_id) const {
  const auto it = by_client_id_.find(client_order_id);
  if (it == by_client_id_.end()) return nullptr;
  const auto v = views_.find(it->second);
  return v == views_.end() ? nullptr : &v->second;
}

std::vector<const OrderView*> AccountOrders::Open(const InstrumentConfig* instrument) const {
  std::vector<const OrderView*> out;
  for (const auto& [id, v] : views_) {
    if (!IsFinal(v.status) && (instrument == nullptr || v.instrument == instrument)) {
      out.push_back(&v);
    }
  }
  std::sort(out.begin(), out.end(),
            [](const OrderView* a, const OrderView* b) { return a->engine_id < b->engine_id; });
  return out;
}

const OrderView* AccountOrders::FindByEngineId(ClientOrderId id) const {
  const auto v = views_.find(id);
  return v == views_.end() ? nullptr : &v->second;
}

std::vector<const OrderView*> AccountOrders::Held(const InstrumentConfig* instrument) const {
  std::vector<const OrderView*> out;
  for (const auto& [id, v] : views_) {
    if (instrument == nullptr || v.instrument == instrument) out.push_back(&v);
  }
  std::sort(out.begin(), out.end(),
            [](const OrderView* a, const OrderView* b) { return a->engine_id < b->engine_id; });
  return out;
}

}  // namespace exchange::binance
