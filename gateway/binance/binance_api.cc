#include "gateway/binance/binance_api.h"

#include <spdlog/spdlog.h>

#include <charconv>
#include <random>

#include "gateway/binance/order_params.h"

namespace exchange::binance {
namespace {

// A placement over the account's ORDERS limit: Binance's 429, with the
// seconds to wait (at most the 10-second window) in Retry-After.
ApiResponse TooManyOrders(const ApiError& e) {
  return {e.status, ErrorBody(e), {{"Retry-After", "10"}}};
}

std::optional<std::int64_t> IntParam(const FormParams& p, std::string_view name) {
  const std::string* text = FindParam(p, name);
  if (text == nullptr) return std::nullopt;
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
  if (ec != std::errc() || end != text->data() + text->size()) return std::nullopt;
  return v;
}

// 64 letters and digits, from the system's random source.
std::string RandomListenKey() {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::random_device random;
  std::string key(64, ' ');
  for (char& c : key)
    c = kAlphabet[random() % 62];
  return key;
}

}  // namespace

BinanceApi::BinanceApi(fix::OrderRouter& router, ApiKeyDirectory& keys, HistoryReader& history,
                       std::map<std::string, int> asset_decimals, std::string redis_url,
                       Clock clock, ApiLimits limits)
    : router_(router),
      keys_(keys),
      history_(history),
      symbols_(MakeSymbolTable(router.instruments())),
      asset_decimals_(std::move(asset_decimals)),
      balances_(std::move(redis_url)),
      clock_(std::move(clock)),
      limits_(limits),
      weights_(limits.weight_per_minute, 4096),
      streams_(RandomListenKey) {
  routes_[{"POST", "/api/v3/order"}] = {Security::kTrade, &BinanceApi::NewOrder};
  routes_[{"POST", "/api/v3/order/test"}] = {Security::kTrade, &BinanceApi::TestOrder};
  routes_[{"POST", "/api/v3/order/cancelReplace"}] = {Security::kTrade, &BinanceApi::CancelReplace};
  routes_[{"DELETE", "/api/v3/order"}] = {Security::kTrade, &BinanceApi::CancelOrder};
  routes_[{"DELETE", "/api/v3/openOrders"}] = {Security::kTrade, &BinanceApi::CancelOpenOrders};
  routes_[{"GET", "/api/v3/rateLimit/order"}] = {Security::kUserData, &BinanceApi::OrderRateLimit,
                                                 40};
  routes_[{"GET", "/api/v3/order"}] = {Security::kUserData, &BinanceApi::QueryOrder, 4};
  routes_[{"GET", "/api/v3/openOrders"}] = {Security::kUserData, &BinanceApi::OpenOrders, 6};
  routes_[{"GET", "/api/v3/allOrders"}] = {Security::kUserData, &BinanceApi::AllOrders, 20};
  routes_[{"GET", "/api/v3/myTrades"}] = {Security::kUserData, &BinanceApi::MyTrades, 20};
  routes_[{"GET", "/api/v3/account"}] = {Security::kUserData, &BinanceApi::Account, 20};
  routes_[{"POST", "/api/v3/userDataStream"}] = {Security::kUserStream, &BinanceApi::NewListenKey};
  routes_[{"PUT", "/api/v3/userDataStream"}] = {Security::kUserStream, &BinanceApi::KeepListenKey};
  routes_[{"DELETE", "/api/v3/userDataStream"}] = {Security::kUserStream,
                                                   &BinanceApi::CloseListenKey};
  // No margin trading here: the pair lists clients read at start are empty.
  routes_[{"GET", "/sapi/v1/margin/allPairs"}] = {Security::kUserStream, &BinanceApi::NoMargin};
  routes_[{"GET", "/sapi/v1/margin/isolated/allPairs"}] = {Security::kUserData,
                                                           &BinanceApi::NoMargin};
}

BinanceApi::~BinanceApi() = default;

std::int64_t BinanceApi::WeightOf(
    const ApiRequest& request,
    std::map<std::pair<std::string, std::string>, Route>::const_iterator route) const {
  if (route == routes_.end()) return 1;  // ping, time, system/status; unknown paths
  if (request.method == "GET" && request.path == "/api/v3/openOrders") {
    // 6 for one symbol, 80 for all (Binance's).
    std::string error;
    const auto query = ParseFormParams(request.query, error);
    const auto body = ParseFormParams(request.body, error);
    const bool one = (query && FindParam(*query, "symbol")) || (body && FindParam(*body, "symbol"));
    return one ? 6 : 80;
  }
  if (request.method == "GET" && request.path == "/api/v3/myTrades") return MyTradesWeight(request);
  return route->second.weight;
}

void BinanceApi::Handle(const ApiRequest& request, Respond respond) {
  const std::int64_t now_ms = NowMs();
  const std::int64_t weight = WeightOf(request, routes_.find({request.method, request.path}));
  const RequestWeights::Verdict v =
      limits_.enforce_weight
          ? weights_.Charge(request.peer, weight, now_ms)
          : RequestWeights::Verdict{weights_.Add(request.peer, weight, now_ms), 0};
  const std::int64_t used = v.used;
  Respond weighed = [used, respond = std::move(respond)](ApiResponse r) {
    r.headers.emplace_back("X-MBX-USED-WEIGHT-1M", std::to_string(used));
    respond(std::move(r));
  };
  if (v.banned_until_ms > now_ms) {
    ApiResponse banned =
        ErrorResponse({418, api_code::kTooManyRequests, BanMessage(v.banned_until_ms)});
    banned.headers.emplace_back("Retry-After",
                                std::to_string((v.banned_until_ms - now_ms + 999) / 1000));
    return weighed(std::move(banned));
  }
  if (limits_.enforce_weight && used > limits_.weight_per_minute) {
    ApiResponse refused = ErrorResponse(
        {429, api_code::kTooManyRequests,
         "Too much request weight used; current limit is " +
             std::to_string(limits_.weight_per_minute) +
             " request weight per 1 MINUTE. Please use WebSocket Streams for live updates to "
             "avoid polling the API."});
    refused.headers.emplace_back("Retry-After", std::to_string(60 - now_ms / 1000 % 60));
    return weighed(std::move(refused));
  }
  Dispatch(request, std::move(weighed));
}

void BinanceApi::Dispatch(const ApiRequest& request, Respond respond, bool keys_reloaded) {
  const std::int64_t now_ms = NowMs();
  if (request.method == "GET" && request.path == "/api/v3/ping") return respond({200, "{}", {}});
  if (request.method == "GET" && request.path == "/sapi/v1/system/status") {
    return respond({200, R"({"status":0,"msg":"normal"})", {}});
  }
  if (request.method == "GET" && request.path == "/api/v3/time") {
    return respond({200, "{\"serverTime\":" + std::to_string(now_ms) + "}", {}});
  }
  const auto route = routes_.find({request.method, request.path});
  if (route == routes_.end()) {
    return respond(ErrorResponse({404, api_code::kUnknown,
                                  "Unknown path " + request.method + " " + request.path +
                                      " (this gateway serves the trading API; market data is "
                                      "exchange-md's)"}));
  }
  auto caller = Authenticate(request, route->second.security, keys_, now_ms);
  if (auto* e = std::get_if<ApiError>(&caller)) {
    if (e->code == api_code::kRejectedMbxKey && !keys_reloaded &&
        keys_.Find(request.api_key) == nullptr) {
      // A key made a moment ago works on its first request: asked again
      // once the keys are read afresh.
      return keys_.ReloadThen([this, request, respond = std::move(respond)]() mutable {
        Dispatch(request, std::move(respond), /*keys_reloaded=*/true);
      });
    }
    return respond(ErrorResponse(*e));
  }
  const AccountId account = std::get<Caller>(caller).key->key.account;
  if (route->second.security == Security::kTrade && subscribed_.count(account) == 0) {
    return respond(
        ErrorResponse({503, api_code::kDisconnected,
                       "Internal error; unable to process your request. Please try again "
                       "(the gateway is subscribing to account " +
                           std::to_string(account) + "'s events)."}));
  }
  (this->*route->second.endpoint)(std::get<Caller>(caller), respond);
}

AccountOrders& BinanceApi::OrdersOf(AccountId account) {
  std::unique_ptr<AccountOrders>& orders = accounts_[account];
  if (!orders) orders = std::make_unique<AccountOrders>(account, limits_.orders);
  return *orders;
}

fix::OrderOwner* BinanceApi::OwnerNamed(std::string_view name) {
  constexpr std::string_view kPrefix = "binance:";
  if (name.substr(0, kPrefix.size()) != kPrefix) return nullptr;
  AccountId account = 0;
  const std::string_view digits = name.substr(kPrefix.size());
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), account);
  if (ec != std::errc() || end != digits.data() + digits.size()) return nullptr;
  return &OrdersOf(account);
}

std::string BinanceApi::NewClientOrderId() {
  // Unique within a gateway run and across restarts (the clock's part).
  return "gw" + std::to_string(clock_() / 1'000'000'000) + "-" + std::to_string(next_client_id_++);
}

void BinanceApi::NewOrder(const Caller& c, Respond& respond) {
  auto parsed = ReadNewOrder(c.params, symbols_, asset_decimals_, NewClientOrderId());
  if (auto* e = std::get_if<ApiError>(&parsed)) return respond(ErrorResponse(*e));
  AccountOrders& orders = OrdersOf(c.key->key.account);
  if (auto e = orders.order_count().Add(NowMs())) return respond(TooManyOrders(*e));
  Place(orders, std::move(std::get<ParsedOrder>(parsed)), std::move(respond));
}

void BinanceApi::Place(AccountOrders& orders, ParsedOrder order, Respond respond) {
  if (const OrderView* open = orders.FindByClientId(order.view.client_order_id);
      open != nullptr && open->status != "FILLED" && open->status != "CANCELED" &&
      open->status != "REJECTED" && open->status != "EXPIRED") {
    return respond(ErrorResponse({400, api_code::kNewOrderRejected, "Duplicate order sent."}));
  }
  const std::string client_id = order.view.client_order_id;
  order.view.time_ms = NowMs();
  Respond counted = [this, &orders, respond = std::move(respond)](ApiResponse r) {
    if (r.status == 200) {
      for (auto& header : orders.order_count().Headers(NowMs()))
        r.headers.push_back(std::move(header));
    }
    respond(std::move(r));
  };
  orders.ExpectNew(std::move(order.view), order.response, std::move(counted));
  order.request.cl_ord_id = client_id;
  router_.PlaceOrder(orders, order.request, clock_());
}

void BinanceApi::TestOrder(const Caller& c, Respond& respond) {
  auto parsed = ReadNewOrder(c.params, symbols_, asset_decimals_, "test");
  if (auto* e = std::get_if<ApiError>(&parsed)) return respond(ErrorResponse(*e));
  respond({200, "{}", {}});
}

std::variant<const OrderView*, ApiError> BinanceApi::NamedOrder(const Caller& c,
                                                                const ApiError& unknown,
                                                                std::string_view prefix) {
  auto symbol = ReadSymbol(c.params, symbols_);
  if (auto* e = std::get_if<ApiError>(&symbol)) return *e;
  AccountOrders& orders = OrdersOf(c.key->key.account);
  const std::string id_name = prefix.empty() ? "orderId" : std::string(prefix) + "OrderId";
  const std::string client_name =
      prefix.empty() ? "origClientOrderId" : std::string(prefix) + "OrigClientOrderId";
  const std::string* orig = FindParam(c.params, client_name);
  const OrderView* order = nullptr;
  if (FindParam(c.params, id_name) != nullptr) {
    const auto id = IntParam(c.params, id_name);
    if (!id) {
      return ApiError{400, api_code::kIllegalChars,
                      "Illegal characters found in parameter '" + id_name +
                          "'; legal range is '^[0-9]{1,20}$'."};
    }
    order = orders.FindByOrderId(static_cast<OrderId>(*id));
    if (order != nullptr && orig != nullptr && order->client_order_id != *orig) order = nullptr;
  } else if (orig != nullptr) {
    order = orders.FindByClientId(*orig);
  } else {
    return ApiError{400, api_code::kMandatoryParamMissing,
                    "Param '" + client_name + "' or '" + id_name +
                        "' must be sent, but both were "
                        "empty/null!"};
  }
  if (order == nullptr || order->instrument != std::get<const InstrumentConfig*>(symbol)) {
    return unknown;
  }
  return order;
}

std::string BinanceApi::QueriedOrderJson(const OrderView& o) {
  std::string body = OrderJson(o, ResponseType::kResult);
  body.pop_back();
  body += ",\"time\":" + std::to_string(o.time_ms) +
          ",\"updateTime\":" + std::to_string(o.update_ms) +
          ",\"isWorking\":" + (o.working ? "true" : "false") + "}";
  return body;
}

void BinanceApi::QueryOrder(const Caller& c, Respond& respond) {
  auto named = NamedOrder(c, {400, api_code::kNoSuchOrder, "Order does not exist."});
  if (auto* e = std::get_if<ApiError>(&named)) return respond(ErrorResponse(*e));
  respond({200, QueriedOrderJson(*std::get<const OrderView*>(named)), {}});
}

void BinanceApi::OpenOrders(const Caller& c, Respond& respond) {
  const InstrumentConfig* instrument = nullptr;
  if (FindParam(c.params, "symbol") != nullptr) {
    auto symbol = ReadSymbol(c.params, symbols_);
    if (auto* e = std::get_if<ApiError>(&symbol)) return respond(ErrorResponse(*e));
    instrument = std::get<const InstrumentConfig*>(symbol);
  }
  std::string body = "[";
  for (const OrderView* o : OrdersOf(c.key->key.account).Open(instrument)) {
    if (body.size() > 1) body += ',';
    body += QueriedOrderJson(*o);
  }
  respond({200, body + "]", {}});
}

void BinanceApi::OrderRateLimit(const Caller& c, Respond& respond) {
  respond({200, OrdersOf(c.key->key.account).order_count().Json(NowMs()), {}});
}

void BinanceApi::NoMargin(const Caller&, Respond& respond) {
  respond({200, "[]", {}});
}

void BinanceApi::Account(const Caller& c, Respond& respond) {
  auto balances = balances_.BalancesJson(c.key->key.account);
  if (auto* e = std::get_if<ApiError>(&balances)) return respond(ErrorResponse(*e));
  const std::int64_t now_ms = clock_() / 1'000'000;
  std::string body =
      R"({"makerCommission":0,"takerCommission":0,"buyerCommission":0,"sellerCommission":0,)"
      R"("commissionRates":{"maker":"0.00000000","taker":"0.00000000","buyer":"0.00000000",)"
      R"("seller":"0.00000000"},"canTrade":)";
  body += c.key->key.can_trade ? "true" : "false";
  body += R"(,"canWithdraw":false,"canDeposit":false,"brokered":false,)"
          R"("requireSelfTradePrevention":false,"preventSor":false,"updateTime":)" +
          std::to_string(now_ms) + R"(,"accountType":"SPOT","balances":)" +
          std::get<std::string>(balances) + R"(,"permissions":["SPOT"],"uid":)" +
          std::to_string(c.key->key.account) + "}";
  respond({200, std::move(body), {}});
}

void BinanceApi::MarkSubscribed(const std::vector<AccountId>& accounts) {
  subscribed_.insert(accounts.begin(), accounts.end());
}

void BinanceApi::OnRecord(const wire::EventRecord& record) {
  const Event& e = record.event;
  if (e.type != EventType::kBalance) return;
  if (streams_.Wanted(e.account)) KeepBalanceChange(record);
  if (e.balance_reason != BalanceReason::kTrade) return;
  const auto it = accounts_.find(e.account);
  if (it == accounts_.end()) return;
  const std::string asset(record.asset.view());
  const auto decimals = asset_decimals_.find(asset);
  it->second->OnReceived(e.trade_sequence, asset, e.available_delta,
                         decimals == asset_decimals_.end() ? 0 : decimals->second);
}

void BinanceApi::Tick() {
  FlushStreams();  // changes reported outside an engine batch
  streams_.Expire(NowMs());
  const std::int64_t deadline = clock_() / 1'000'000 - kAnswerTimeoutMs;
  for (auto& [account, orders] : accounts_) {
    if (const std::size_t n = orders->ExpireBefore(deadline)) {
      spdlog::warn("binance api: account {}: {} answers timed out (-1007): is the engine up?",
                   account, n);
    }
  }
}

void BinanceApi::OnBatchEnd() {
  FlushStreams();  // before the orders forget the batch's commissions
  for (auto& [account, orders] : accounts_)
    orders->OnBatchEnd();
}

}  // namespace exchange::binance
