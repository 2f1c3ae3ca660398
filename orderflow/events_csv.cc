#include "orderflow/events_csv.h"

namespace exchange {

namespace {

bool IsAssetEvent(const Event& e) {
  return e.type == EventType::kBalance || e.type == EventType::kAssetAdded ||
         (e.type == EventType::kRejected && e.asset != kUnknownAsset);
}

// seq,BALANCE,account,order_id,asset,,,available,held,,,balance_reason
void AppendBalance(const Event& e, std::string_view asset, std::string& out) {
  out += std::to_string(e.account) + ',' + std::to_string(e.order_id) + ',';
  out += asset;
  out += ",,," + std::to_string(e.available) + ',' + std::to_string(e.held) + ",,,";
  out += ToString(e.balance_reason);
}

}  // namespace

void AppendEventCsv(const Event& e, const std::function<std::string_view(SymbolId)>& symbol_name,
                    const std::function<std::string_view(AssetId)>& asset_name, std::string& out) {
  auto num = [&out](std::int64_t v) {
    out += std::to_string(v);
    out += ',';
  };
  num(static_cast<std::int64_t>(e.sequence));
  out += ToString(e.type);
  out += ',';
  const std::string_view asset =
      IsAssetEvent(e) && asset_name ? asset_name(e.asset) : std::string_view();
  if (e.type == EventType::kBalance) {
    AppendBalance(e, asset, out);
    out += '\n';
    return;
  }
  num(e.account);
  num(static_cast<std::int64_t>(e.order_id));
  out += IsAssetEvent(e) ? asset : symbol_name(e.symbol);
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

void AppendEventCsv(const Event& e, const std::function<std::string_view(SymbolId)>& symbol_name,
                    std::string& out) {
  AppendEventCsv(e, symbol_name, {}, out);
}

}  // namespace exchange
