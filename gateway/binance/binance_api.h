// BinanceApi: the Binance-compatible trading API of the gateway (spot,
// /api/v3): signed order entry and order queries over HTTP, sharing the
// OrderRouter with the FIX sessions. Each request is authenticated
// (request_auth.h), its parameters read and checked against the
// instrument's tick and lot as Binance's filters would (PRICE_FILTER,
// LOT_SIZE: a refused order never reaches the engine), and handed to the
// router for the key's account. Answers are Binance's JSON; errors are
// Binance's codes (api_error.h). What differs from Binance is tabled in
// gateway/README.md.
//
// Endpoints: GET ping, time; POST order, order/test, order/cancelReplace;
// DELETE order, openOrders (cancel_endpoints.cc); GET order, openOrders,
// rateLimit/order, account (balances from the Redis view:
// account_balances.h); GET allOrders, myTrades (the trade history, read by
// the HistoryReader, with what the gateway holds: history_endpoints.cc); and of /sapi/v1 what
// clients read at start: system status, and the margin pair lists (empty: no margin trading here).
// Each account's placements are held to its unfilled ORDERS limits (unfilled_order_count.h).
//
// The user data stream (user_stream_endpoints.cc): listen keys (POST, PUT,
// DELETE /api/v3/userDataStream), WebSocket connections on /ws/<listenKey>
// and /stream?streams=<listenKey>, and the WebSocket API /ws-api/v3
// (ws_api_session.h); who hears what, and the replay after a reconnect, in
// user_data_streams.h. Events go out at the end of each engine batch, in
// engine order: the batch's executionReport events, then balanceUpdate
// (deposits, withdrawals), then one outboundAccountPosition with the
// account's balances the batch changed (each the balance after the last
// change, as the engine's BALANCE event gives it).
//
// Owned by the gateway; I/O thread only (events reach it there too).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <variant>

#include "base/request_weights.h"
#include "gateway/binance/account_balances.h"
#include "gateway/binance/account_orders.h"
#include "gateway/binance/api_http.h"
#include "gateway/binance/api_key_directory.h"
#include "gateway/binance/history_reader.h"
#include "gateway/binance/order_params.h"
#include "gateway/binance/request_auth.h"
#include "gateway/binance/user_data_streams.h"
#include "gateway/order_router.h"
#include "wire/wire_format.h"

namespace exchange::binance {

// The API's limits: each account's ORDERS, and each client IP's request
// weight per minute (Binance's weights; X-MBX-USED-WEIGHT-1M on every
// answer, 429 -1003 past the limit only when enforced).
struct ApiLimits {
  OrderLimits orders;
  std::int64_t weight_per_minute = 6000;
  bool enforce_weight = false;
};

class BinanceApi : public ApiHandler {
 public:
  using Clock = std::function<std::int64_t()>;  // Unix nanoseconds

  // `asset_decimals`: every asset's decimals by name (the instruments
  // file's [[asset]] tables).
  // `history`: where allOrders and myTrades read the trade history.
  BinanceApi(fix::OrderRouter& router, ApiKeyDirectory& keys, HistoryReader& history,
             std::map<std::string, int> asset_decimals, std::string redis_url, Clock clock,
             ApiLimits limits = {});
  ~BinanceApi() override;

  void Handle(const ApiRequest& request, Respond respond) override;
  Upgraded Upgrade(const ApiRequest& request) override;

  // The events of `accounts` reach the gateway from now on: they may trade.
  void MarkSubscribed(const std::vector<AccountId>& accounts);

  // An engine event the gateway consumed (after the router applied it).
  void OnRecord(const wire::EventRecord& record);
  // The end of an engine batch: answers that wait for it go out.
  void OnBatchEnd();
  // Every second: answers owed longer than kAnswerTimeoutMs get -1007.
  void Tick();
  // Below the 10 s clients wait by default (ccxt), so that they get the answer.
  static constexpr std::int64_t kAnswerTimeoutMs = 7000;

  // The owner of `account`'s API orders, made on first use; for restoring
  // journaled orders by name ("binance:<account>"), nullptr for another
  // name.
  fix::OrderOwner* OwnerNamed(std::string_view name);

 private:
  using Endpoint = void (BinanceApi::*)(const Caller&, Respond&);
  struct Route {
    Security security;
    Endpoint endpoint;
    std::int64_t weight = 1;  // Binance's
  };
  // Binance's weight of `request` (`route`: its route, or routes_.end()).
  std::int64_t WeightOf(
      const ApiRequest& request,
      std::map<std::pair<std::string, std::string>, Route>::const_iterator route) const;
  // Handle's work once the request's weight is counted; `keys_reloaded`:
  // asked again after the API keys were read afresh (an unknown key is
  // then refused).
  void Dispatch(const ApiRequest& request, Respond respond, bool keys_reloaded = false);

  void NewOrder(const Caller& c, Respond& respond);
  void TestOrder(const Caller& c, Respond& respond);
  void CancelOrder(const Caller& c, Respond& respond);
  void CancelOpenOrders(const Caller& c, Respond& respond);
  void CancelReplace(const Caller& c, Respond& respond);
  void OrderRateLimit(const Caller& c, Respond& respond);
  void QueryOrder(const Caller& c, Respond& respond);
  void OpenOrders(const Caller& c, Respond& respond);
  void AllOrders(const Caller& c, Respond& respond);
  void MyTrades(const Caller& c, Respond& respond);
  // myTrades' weight: 5 with orderId, else 20.
  static std::int64_t MyTradesWeight(const ApiRequest& request);
  void NoMargin(const Caller& c, Respond& respond);
  void Account(const Caller& c, Respond& respond);
  void NewListenKey(const Caller& c, Respond& respond);
  void KeepListenKey(const Caller& c, Respond& respond);
  void CloseListenKey(const Caller& c, Respond& respond);

  // The user data stream of `account` may start (its events reach the
  // gateway), or why not.
  std::optional<ApiError> StreamAccount(AccountId account);
  // A BALANCE event of an account whose stream someone hears.
  void KeepBalanceChange(const wire::EventRecord& record);
  // The events kept since the last call go out.
  void FlushStreams();

  AccountOrders& OrdersOf(AccountId account);
  std::int64_t NowMs() const { return clock_() / 1'000'000; }
  // The order `symbol` and `orderId` (or `origClientOrderId`; both: the
  // one orderId names, if its client id matches) name among the caller's,
  // or `unknown` (or the parameters' error). `prefix` "cancel" reads
  // cancelReplace's cancelOrderId and cancelOrigClientOrderId.
  std::variant<const OrderView*, ApiError> NamedOrder(const Caller& c, const ApiError& unknown,
                                                      std::string_view prefix = "");
  // Sends `order` (parsed, checked, counted) to the engine; `respond` gets
  // its ACK, RESULT or FULL, with the account's order counts.
  void Place(AccountOrders& orders, ParsedOrder order, Respond respond);
  // Sends a cancel of `order` with client id `cancel_id`; `respond` gets
  // the cancelled order or the refusal.
  void SendCancel(AccountOrders& orders, const OrderView& order, const std::string& cancel_id,
                  Respond respond);
  // The cancel's client id the request gives in `param`, or a new one; an
  // ApiError for an illegal one.
  std::variant<std::string, ApiError> CancelId(const Caller& c, std::string_view param);
  // An order as GET order and openOrders show it.
  static std::string QueriedOrderJson(const OrderView& order);
  std::string NewClientOrderId();

  fix::OrderRouter& router_;
  ApiKeyDirectory& keys_;
  HistoryReader& history_;
  SymbolTable symbols_;
  std::map<std::string, int> asset_decimals_;
  AccountBalances balances_;
  Clock clock_;
  std::map<std::pair<std::string, std::string>, Route> routes_;  // (method, path)
  std::unordered_map<AccountId, std::unique_ptr<AccountOrders>> accounts_;
  std::uint64_t next_client_id_ = 1;
  std::set<AccountId> subscribed_;
  ApiLimits limits_;
  RequestWeights weights_;
  UserDataStreams streams_;
  struct Position {
    Amount available = 0;
    Amount held = 0;
    int decimals = 0;
    std::int64_t update_ms = 0;
  };
  std::unordered_map<AccountId, std::map<std::string, Position>> changed_positions_;
  std::unordered_map<AccountId, std::vector<std::string>> balance_updates_;
};

}  // namespace exchange::binance
