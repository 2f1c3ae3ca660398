#include "gateway/binance/user_stream_json.h"

#include "gateway/binance/account_orders.h"
#include "gateway/binance/json_fields.h"

namespace exchange::binance {
namespace {

using namespace json_fields;

}  // namespace

std::string ExecutionReportJson(const OrderView& o, const ExecutionChange& x,
                                std::int64_t event_ms) {
  const int pd = o.instrument->price_decimals, qd = o.instrument->quantity_decimals;
  std::string out = "{";
  Text(out, "e", "executionReport");
  Int(out, "E", event_ms);
  Text(out, "s", o.instrument->spec.symbol.view());
  Text(out, "c", x.client_order_id);
  Text(out, "S", o.side == Side::kBuy ? "BUY" : "SELL");
  Text(out, "o", o.type);
  Text(out, "f", TifName(o.tif));
  Decimal(out, "q", o.orig_qty, qd);
  Decimal(out, "p", o.price, pd);
  Decimal(out, "P", o.stop_price, pd);
  Decimal(out, "F", 0, qd);  // iceberg: the engine shows no peak size
  Int(out, "g", -1);
  Text(out, "C", x.orig_client_order_id);
  Text(out, "x", x.exec_type);
  Text(out, "X", o.status);
  Text(out, "r", x.reject_reason);
  Int(out, "i", static_cast<std::int64_t>(o.order_id));
  Decimal(out, "l", x.last_qty, qd);
  Decimal(out, "z", o.executed, qd);
  Decimal(out, "L", x.last_px, pd);
  if (x.commission_asset.empty()) {
    out += R"("n":"0","N":null,)";
  } else {
    Decimal(out, "n", x.commission, x.commission_decimals);
    Text(out, "N", x.commission_asset);
  }
  Int(out, "T", x.transact_ms);
  Int(out, "t", x.trade_id);
  Int(out, "I", x.execution_id);
  Bool(out, "w", o.working && (o.status == "NEW" || o.status == "PARTIALLY_FILLED"));
  Bool(out, "m", x.maker);
  Bool(out, "M", false);
  Int(out, "O", o.time_ms);
  Decimal(out, "Z", o.cum_quote, pd + qd);
  Decimal(out, "Y", static_cast<__int128>(x.last_px) * x.last_qty, pd + qd);
  Decimal(out, "Q", o.orig_quote_qty, o.quote_decimals);
  if (o.working && o.order_id != 0) Int(out, "W", o.time_ms);
  Text(out, "V", "NONE");
  out.back() = '}';
  return out;
}

std::string AccountPositionJson(const std::vector<AssetPosition>& balances, std::int64_t event_ms,
                                std::int64_t update_ms) {
  std::string out = "{";
  Text(out, "e", "outboundAccountPosition");
  Int(out, "E", event_ms);
  Int(out, "u", update_ms);
  out += "\"B\":[";
  const char* comma = "";
  for (const AssetPosition& b : balances) {
    out += comma;
    out += '{';
    Text(out, "a", b.asset);
    Decimal(out, "f", b.free, b.decimals);
    Decimal(out, "l", b.locked, b.decimals);
    out.back() = '}';
    comma = ",";
  }
  return out + "]}";
}

std::string BalanceUpdateJson(std::string_view asset, Amount delta, int decimals,
                              std::int64_t event_ms, std::int64_t clear_ms) {
  std::string out = "{";
  Text(out, "e", "balanceUpdate");
  Int(out, "E", event_ms);
  Text(out, "a", asset);
  Decimal(out, "d", delta, decimals);
  Int(out, "T", clear_ms);
  out.back() = '}';
  return out;
}

std::string ListenKeyExpiredJson(std::string_view listen_key, std::int64_t event_ms) {
  std::string out = "{";
  Text(out, "e", "listenKeyExpired");
  Int(out, "E", event_ms);
  Text(out, "listenKey", listen_key);
  out.back() = '}';
  return out;
}

std::string CombinedStreamFrame(std::string_view stream, std::string_view event) {
  std::string out = "{\"stream\":\"";
  out += stream;
  out += "\",\"data\":";
  out += event;
  return out + "}";
}

std::string SubscriptionFrame(std::uint32_t subscription_id, std::string_view event) {
  std::string out = "{\"subscriptionId\":" + std::to_string(subscription_id) + ",\"event\":";
  out += event;
  return out + "}";
}

}  // namespace exchange::binance
