// ExecutionReport fields from a TrackedOrder: see execution_report.h.
#include "gateway/execution_report.h"

#include "gateway/fix_decimal.h"
#include "gateway/fix_tags.h"

namespace exchange::fix {
namespace {

char OrdTypeOf(OrderType t) {
  switch (t) {
    case OrderType::kMarket: return '1';
    case OrderType::kStop: return '3';
    case OrderType::kStopLimit: return '4';
    default: return '2';  // limit, post-only (ExecInst 6), iceberg (MaxFloor)
  }
}

char TimeInForceOf(TimeInForce t) {
  switch (t) {
    case TimeInForce::kIoc: return '3';
    case TimeInForce::kFok: return '4';
    default: return '1';
  }
}

bool HasLimitPrice(OrderType t) {
  return t != OrderType::kMarket && t != OrderType::kStop;
}

bool HasStopPrice(OrderType t) {
  return t == OrderType::kStop || t == OrderType::kStopLimit;
}

}  // namespace

bool IsExpiry(CancelReason r) {
  return r == CancelReason::kIocRemainder || r == CancelReason::kProtectionReached ||
         r == CancelReason::kNoLiquidity || r == CancelReason::kFokCannotFill;
}

char OrdStatusOf(const TrackedOrder& o, char exec_type) {
  if (exec_type == exec_type::kRejected) return '8';
  if (exec_type == exec_type::kCanceled) return '4';
  if (exec_type == exec_type::kExpired) return 'C';
  if (o.leaves == 0 && o.cum_qty > 0) return '2';
  if (o.cum_qty > 0) return '1';
  return '0';
}

std::string AveragePrice(__int128 notional, Quantity cum_qty, int price_decimals) {
  if (cum_qty <= 0) return "0";
  constexpr int kExtra = 4;
  const __int128 scaled = notional * 10'000 / cum_qty;
  std::string text;
  if (scaled > INT64_MAX || scaled < INT64_MIN) {
    text = FormatDecimal(static_cast<std::int64_t>(notional / cum_qty), price_decimals);
  } else {
    text = FormatDecimal(static_cast<std::int64_t>(scaled), price_decimals + kExtra);
  }
  // Keep the price's own decimals; drop the extra digits' trailing zeros.
  for (int i = 0; i < kExtra && text.size() > 1 && text.back() == '0'; ++i) {
    if (price_decimals == 0 && i == kExtra - 1) {
      text.pop_back();
      if (text.back() == '.') text.pop_back();
      break;
    }
    text.pop_back();
  }
  if (!text.empty() && text.back() == '.') text.pop_back();
  return text;
}

void AddExecutionReport(FixWriter& w, const TrackedOrder& o, const ReportDetail& d,
                        std::uint32_t account) {
  const InstrumentConfig& ins = *o.instrument;
  w.Add(tag::kAccount, static_cast<std::int64_t>(account));
  w.Add(tag::kOrderID, o.exchange_id == 0 ? std::string_view("NONE")
                                          : std::string_view(std::to_string(o.exchange_id)));
  w.Add(tag::kClOrdID, d.cl_ord_id);
  if (!d.orig_cl_ord_id.empty()) w.Add(tag::kOrigClOrdID, d.orig_cl_ord_id);
  w.Add(tag::kExecID, d.exec_id);
  w.Add(tag::kExecType, d.exec_type);
  w.Add(tag::kOrdStatus, OrdStatusOf(o, d.exec_type));
  if (d.ord_rej_reason >= 0) w.Add(tag::kOrdRejReason, static_cast<std::int64_t>(d.ord_rej_reason));
  w.Add(tag::kSymbol, ins.spec.symbol.view());
  w.Add(tag::kSide, o.side == Side::kBuy ? '1' : '2');
  w.AddDecimal(tag::kOrderQty, o.quantity, ins.quantity_decimals);
  w.Add(tag::kOrdType, OrdTypeOf(o.type));
  if (HasLimitPrice(o.type) && o.price != 0) w.AddDecimal(tag::kPrice, o.price, ins.price_decimals);
  if (HasStopPrice(o.type) && o.stop_price != 0) {
    w.AddDecimal(tag::kStopPx, o.stop_price, ins.price_decimals);
  }
  if (o.type == OrderType::kPostOnly) w.Add(tag::kExecInst, '6');
  w.Add(tag::kTimeInForce, TimeInForceOf(o.tif));
  if (d.exec_type == exec_type::kTrade) {
    w.AddDecimal(tag::kLastQty, d.last_qty, ins.quantity_decimals);
    w.AddDecimal(tag::kLastPx, d.last_px, ins.price_decimals);
  }
  const bool open = d.exec_type != exec_type::kRejected && d.exec_type != exec_type::kCanceled &&
                    d.exec_type != exec_type::kExpired;
  w.AddDecimal(tag::kLeavesQty, open ? o.leaves : 0, ins.quantity_decimals);
  w.AddDecimal(tag::kCumQty, o.cum_qty, ins.quantity_decimals);
  w.Add(tag::kAvgPx, AveragePrice(o.notional, o.cum_qty, ins.price_decimals));
  if (d.transact_time != 0) w.AddTime(tag::kTransactTime, d.transact_time);
  if (!d.text.empty()) w.Add(tag::kText, d.text);
}

}  // namespace exchange::fix
