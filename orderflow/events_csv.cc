#include "orderflow/events_csv.h"

namespace exchange {

void AppendEventCsv(const Event& e, const std::function<std::string_view(SymbolId)>& symbol_name,
                    std::string& out) {
  auto num = [&out](std::int64_t v) {
    out += std::to_string(v);
    out += ',';
  };
  num(static_cast<std::int64_t>(e.sequence));
  out += ToString(e.type);
  out += ',';
  num(e.account);
  num(static_cast<std::int64_t>(e.order_id));
  out += symbol_name(e.symbol);
  out += ',';
  out += ToString(e.side);
  out += ',';
  num(e.price);
  num(e.quantity);
  num(e.leaves);
  if (e.type == EventType::kTrade) {
    num(e.maker_account);
    num(static_cast<std::int64_t>(e.maker_order_id));
  } else {
    out += ",,";
  }
  if (e.type == EventType::kRejected) {
    out += ToString(e.reject_reason);
  } else if (e.type == EventType::kCanceled) {
    out += ToString(e.cancel_reason);
  }
  out += '\n';
}

}  // namespace exchange
