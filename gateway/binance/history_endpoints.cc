// BinanceApi's history reads: GET /api/v3/allOrders and GET
// /api/v3/myTrades. Each reads the trade history (PostgreSQL, on the
// HistoryReader's thread) and adds what the gateway holds that the history
// may not have yet: open orders and recently finished ones (AccountOrders'
// views), and the fills of the last engine batches (recent_fills). Rows
// both have are taken from the gateway (it knows the client order ids).
// Paging is Binance's: from an id upwards, or else the newest `limit`.
#include <algorithm>
#include <charconv>
#include <map>

#include "gateway/binance/binance_api.h"
#include "gateway/binance/json_fields.h"
#include "gateway/execution_report.h"

namespace exchange::binance {
namespace {

using namespace json_fields;

constexpr std::int64_t kDefaultLimit = 500;
constexpr std::int64_t kMaxLimit = 1000;
constexpr std::int64_t kMaxWindowMs = 24 * 3600 * 1000;

// An integer parameter in [min, max], absent (nullopt), or its error.
std::variant<std::optional<std::int64_t>, ApiError> IntParam(const FormParams& p, const char* name,
                                                             std::int64_t min, std::int64_t max) {
  const std::string* text = FindParam(p, name);
  if (text == nullptr) return std::optional<std::int64_t>();
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
  if (ec != std::errc() || end != text->data() + text->size()) {
    return ApiError{400, api_code::kIllegalChars,
                    "Illegal characters found in parameter '" + std::string(name) +
                        "'; legal range is '^-?[0-9]{1,20}$'."};
  }
  if (v < min || v > max) {
    return ApiError{400, api_code::kInvalidParameter,
                    "Data sent for parameter '" + std::string(name) + "' is not valid (" +
                        std::to_string(min) + " to " + std::to_string(max) + ")."};
  }
  return std::optional<std::int64_t>(v);
}

// The parameters allOrders and myTrades share.
struct HistoryParams {
  const InstrumentConfig* instrument = nullptr;
  std::optional<std::int64_t> from_id;   // orderId (allOrders) or fromId (myTrades)
  std::optional<std::int64_t> order_id;  // myTrades' orderId
  std::optional<std::int64_t> start_ms;
  std::optional<std::int64_t> end_ms;
  std::int64_t limit = kDefaultLimit;
};

std::variant<HistoryParams, ApiError> ReadHistoryParams(const FormParams& p,
                                                        const SymbolTable& symbols,
                                                        const char* from_name, bool trades) {
  HistoryParams out;
  auto symbol = ReadSymbol(p, symbols);
  if (auto* e = std::get_if<ApiError>(&symbol)) return *e;
  out.instrument = std::get<const InstrumentConfig*>(symbol);
  const auto read = [&](const char* name, std::int64_t min, std::int64_t max,
                        std::optional<std::int64_t>& into) -> std::optional<ApiError> {
    auto v = IntParam(p, name, min, max);
    if (auto* e = std::get_if<ApiError>(&v)) return *e;
    into = std::get<std::optional<std::int64_t>>(v);
    return std::nullopt;
  };
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  std::optional<std::int64_t> limit;
  for (auto error :
       {read(from_name, 0, kMax, out.from_id), read("startTime", 0, kMax, out.start_ms),
        read("endTime", 0, kMax, out.end_ms), read("limit", 1, kMaxLimit, limit)}) {
    if (error) return *error;
  }
  if (trades) {
    if (auto error = read("orderId", 0, kMax, out.order_id)) return *error;
    if (out.from_id && (out.start_ms || out.end_ms)) {
      return ApiError{400, api_code::kInvalidParameter,
                      "fromId cannot be sent with startTime or endTime (Binance's supported "
                      "combinations)."};
    }
  }
  if (out.start_ms && out.end_ms) {
    if (*out.end_ms < *out.start_ms) {
      return ApiError{400, api_code::kInvalidParameter, "endTime is before startTime."};
    }
    if (*out.end_ms - *out.start_ms > kMaxWindowMs) {
      return ApiError{400, api_code::kLookbackTooLong,
                      "More than 24 hours between startTime and endTime."};
    }
  }
  out.limit = limit.value_or(kDefaultLimit);
  return out;
}

ApiResponse HistoryFailure(bool busy, const std::string& error) {
  if (busy) {
    return ErrorResponse({503, api_code::kServerBusy,
                          "Server is currently overloaded with other requests. Please try again "
                          "in a few minutes."});
  }
  return ErrorResponse({503, api_code::kDisconnected,
                        "Internal error; unable to process your request. Please try again. (the "
                        "trade history cannot be read: " +
                            error + ")"});
}

bool InWindow(std::int64_t ms, const HistoryParams& p) {
  return (!p.start_ms || ms >= *p.start_ms) && (!p.end_ms || ms <= *p.end_ms);
}

// Binance's page of `rows` (keyed and sorted ascending): from `from`
// upwards, or the newest `limit`.
template <typename Key, typename Row>
std::vector<Row> Page(std::map<Key, Row> rows, bool from_given, std::int64_t limit) {
  std::vector<Row> out;
  for (auto& [key, row] : rows)
    out.push_back(std::move(row));
  const auto n = static_cast<std::size_t>(limit);
  if (out.size() <= n) return out;
  if (from_given) {
    out.resize(n);
  } else {
    out.erase(out.begin(), out.end() - static_cast<std::ptrdiff_t>(n));
  }
  return out;
}

// A finished order of the history as GET order shows one. The gateway
// does not know its client order id any more: the engine's number stands
// for it (gateway/README.md, differences).
OrderView ViewOfHistory(const persistence::HistoryOrder& h, const InstrumentConfig& instrument) {
  OrderView v;
  v.instrument = &instrument;
  v.engine_id = h.order_id;
  v.order_id = h.exchange_order_id;
  v.client_order_id = std::to_string(h.order_id);
  v.type = BinanceTypeName(h.order_type);
  v.side = h.side;
  v.price = h.price;
  v.stop_price = h.stop_price;
  v.orig_qty = h.quantity;
  v.executed = h.filled;
  const int quote_decimals = instrument.price_decimals + instrument.quantity_decimals;
  __int128 unknown = -1;
  for (int i = 0; i < quote_decimals; ++i)
    unknown *= 10;
  v.cum_quote = h.quote_filled.value_or(unknown);  // Binance's "< 0: not available"
  const std::optional<CancelReason> reason = ParseCancelReason(h.reason);
  const bool expired = reason && fix::IsExpiry(*reason);
  if (h.status == persistence::FinishStatus::kFilled) {
    v.status = "FILLED";
  } else if (h.status == persistence::FinishStatus::kRejected) {
    v.status = "REJECTED";
  } else {
    v.status = expired ? "EXPIRED" : "CANCELED";
  }
  if (reason == CancelReason::kFokCannotFill) v.tif = TimeInForce::kFok;
  if (reason == CancelReason::kIocRemainder && h.order_type != OrderType::kMarket)
    v.tif = TimeInForce::kIoc;
  v.update_ms = h.finished_at / 1'000'000;
  v.time_ms = h.accepted_at.value_or(h.finished_at) / 1'000'000;
  v.working =
      !(h.order_type == OrderType::kStop || h.order_type == OrderType::kStopLimit) || h.filled > 0;
  return v;
}

// One row of myTrades.
struct TradeRow {
  Sequence trade_id = 0;
  OrderId order_id = 0;
  Price price = 0;
  Quantity quantity = 0;
  Amount commission = 0;
  std::string commission_asset;
  std::int64_t time_ms = 0;
  bool buyer = false;
  bool maker = false;
};

std::string TradeJson(const TradeRow& t, const InstrumentConfig& ins,
                      const std::map<std::string, int>& asset_decimals) {
  const int pd = ins.price_decimals, qd = ins.quantity_decimals;
  const auto decimals = asset_decimals.find(t.commission_asset);
  std::string out = "{";
  Text(out, "symbol", ins.spec.symbol.view());
  Int(out, "id", static_cast<std::int64_t>(t.trade_id));
  Int(out, "orderId", static_cast<std::int64_t>(t.order_id));
  Int(out, "orderListId", -1);
  Decimal(out, "price", t.price, pd);
  Decimal(out, "qty", t.quantity, qd);
  Decimal(out, "quoteQty", static_cast<__int128>(t.price) * t.quantity, pd + qd);
  Decimal(out, "commission", t.commission, decimals == asset_decimals.end() ? 0 : decimals->second);
  Text(out, "commissionAsset", t.commission_asset);
  Int(out, "time", t.time_ms);
  Bool(out, "isBuyer", t.buyer);
  Bool(out, "isMaker", t.maker);
  Bool(out, "isBestMatch", true);
  out.back() = '}';
  return out;
}

// myTrades' answer: the stored trades and the account's recent fills
// that the request `p` asks for, paged.
std::string MyTradesJson(const AccountOrders& orders, const HistoryParams& p,
                         const std::vector<persistence::HistoryTrade>& stored,
                         const std::map<std::string, int>& asset_decimals) {
  const InstrumentConfig* instrument = p.instrument;
  std::map<std::pair<Sequence, bool>, TradeRow> rows;  // (trade id, maker): a self-trade is two
  for (const persistence::HistoryTrade& h : stored) {
    TradeRow t{h.trade_id,
               h.exchange_order_id,
               h.price,
               h.quantity,
               h.commission,
               h.is_buyer ? instrument->base_asset : instrument->quote_asset,
               h.time / 1'000'000,
               h.is_buyer,
               h.is_maker};
    if (t.order_id == 0) {  // a row stored before migration 0007: the gateway may know the order
      if (const OrderView* v = orders.FindByEngineId(h.order_id)) t.order_id = v->order_id;
    }
    rows[{t.trade_id, t.maker}] = std::move(t);
  }
  for (const RecentFill& f : orders.recent_fills()) {
    if (f.instrument != instrument ||
        (p.order_id && f.order_id != static_cast<OrderId>(*p.order_id)) ||
        (p.from_id && f.fill.trade_id < static_cast<Sequence>(*p.from_id)) ||
        !InWindow(f.time_ms, p)) {
      continue;
    }
    std::string asset = f.fill.commission_asset;
    if (asset.empty())
      asset = f.side == Side::kBuy ? instrument->base_asset : instrument->quote_asset;
    rows[{f.fill.trade_id, f.maker}] = {f.fill.trade_id, f.order_id,           f.fill.price,
                                        f.fill.quantity, f.fill.commission,    std::move(asset),
                                        f.time_ms,       f.side == Side::kBuy, f.maker};
  }
  std::string body = "[";
  for (const TradeRow& t : Page(std::move(rows), p.from_id.has_value(), p.limit)) {
    if (body.size() > 1) body += ',';
    body += TradeJson(t, *instrument, asset_decimals);
  }
  return body + "]";
}

}  // namespace

std::int64_t BinanceApi::MyTradesWeight(const ApiRequest& request) {
  std::string error;
  const auto query = ParseFormParams(request.query, error);
  const auto body = ParseFormParams(request.body, error);
  const bool one = (query && FindParam(*query, "orderId")) || (body && FindParam(*body, "orderId"));
  return one ? 5 : 20;
}

void BinanceApi::AllOrders(const Caller& c, Respond& respond) {
  auto read = ReadHistoryParams(c.params, symbols_, "orderId", /*trades=*/false);
  if (auto* e = std::get_if<ApiError>(&read)) return respond(ErrorResponse(*e));
  const HistoryParams p = std::get<HistoryParams>(read);
  const AccountId account = c.key->key.account;
  persistence::HistoryOrderQuery q;
  q.account = account;
  q.symbol = std::string(p.instrument->spec.symbol.view());
  q.from_order_id = p.from_id;
  q.start_ms = p.start_ms;
  q.end_ms = p.end_ms;
  q.limit = static_cast<int>(p.limit);
  history_.ReadOrders(q, [this, account, p, respond = std::move(respond)](auto result) {
    if (!result.error.empty() || result.busy)
      return respond(HistoryFailure(result.busy, result.error));
    std::map<OrderId, OrderView> rows;
    for (const persistence::HistoryOrder& h : result.rows)
      rows[h.exchange_order_id] = ViewOfHistory(h, *p.instrument);
    for (const OrderView* v : OrdersOf(account).Held(p.instrument)) {
      if (v->order_id == 0 || (p.from_id && v->order_id < static_cast<OrderId>(*p.from_id)) ||
          !InWindow(v->time_ms, p)) {
        continue;  // not accepted (never an order at Binance), or outside the request
      }
      rows[v->order_id] = *v;
    }
    std::string body = "[";
    for (const OrderView& v : Page(std::move(rows), p.from_id.has_value(), p.limit)) {
      if (body.size() > 1) body += ',';
      body += QueriedOrderJson(v);
    }
    respond({200, body + "]", {}});
  });
}

void BinanceApi::MyTrades(const Caller& c, Respond& respond) {
  auto read = ReadHistoryParams(c.params, symbols_, "fromId", /*trades=*/true);
  if (auto* e = std::get_if<ApiError>(&read)) return respond(ErrorResponse(*e));
  const HistoryParams p = std::get<HistoryParams>(read);
  const AccountId account = c.key->key.account;
  persistence::HistoryTradeQuery q;
  q.account = account;
  q.symbol = std::string(p.instrument->spec.symbol.view());
  if (p.order_id) {
    q.exchange_order_id = static_cast<OrderId>(*p.order_id);
    if (const OrderView* v = OrdersOf(account).FindByOrderId(*q.exchange_order_id))
      q.order_id = v->engine_id;
  }
  if (p.from_id) q.from_trade_id = static_cast<Sequence>(*p.from_id);
  q.start_ms = p.start_ms;
  q.end_ms = p.end_ms;
  q.limit = static_cast<int>(p.limit);
  history_.ReadTrades(q, [this, account, p, respond = std::move(respond)](auto result) {
    if (!result.error.empty() || result.busy)
      return respond(HistoryFailure(result.busy, result.error));
    respond({200, MyTradesJson(OrdersOf(account), p, result.rows, asset_decimals_), {}});
  });
}

}  // namespace exchange::binance
