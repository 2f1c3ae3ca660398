// BinanceApi's user data stream: the listen key endpoints, the WebSocket
// upgrades (/ws/<listenKey>, /stream?streams=<listenKey>, /ws-api/v3) and
// the events kept from the engine's batches (binance_api.h).
#include <memory>

#include "base/form_params.h"
#include "gateway/binance/binance_api.h"
#include "gateway/binance/user_stream_json.h"
#include "gateway/binance/ws_api_session.h"

namespace exchange::binance {
namespace {

const ApiError kUnknownListenKey{400, api_code::kInvalidListenKey,
                                 "This listenKey does not exist."};

// A connection on one listen key: it hears the key's events; what the
// client sends is ignored (Binance's streams take SUBSCRIBE requests; a
// user data stream has nothing to subscribe to).
class ListenKeyConnection : public WebSocketListener {
 public:
  ListenKeyConnection(UserDataStreams& streams, std::string key, bool combined)
      : streams_(streams), key_(std::move(key)), combined_(combined) {}

  void OnOpen(std::shared_ptr<WebSocketChannel> channel) override {
    channel_ = channel.get();
    if (!streams_.Attach(key_, channel, combined_)) channel->Close();  // gone meanwhile
  }
  void OnText(std::string_view) override {}
  void OnClose() override { streams_.Detach(key_, channel_); }

 private:
  UserDataStreams& streams_;
  std::string key_;
  bool combined_;
  const WebSocketChannel* channel_ = nullptr;
};

// The listen key among /stream's `streams` ("a/b/c").
std::string KeyOfStreams(const std::string& query, const UserDataStreams& streams) {
  std::string error;
  const auto params = ParseFormParams(query, error);
  if (!params) return {};
  const std::string* list = FindParam(*params, "streams");
  if (list == nullptr) return {};
  std::size_t start = 0;
  while (start <= list->size()) {
    const std::size_t end = std::min(list->find('/', start), list->size());
    std::string name = list->substr(start, end - start);
    if (streams.KeyExists(name)) return name;
    start = end + 1;
  }
  return {};
}

}  // namespace

std::optional<ApiError> BinanceApi::StreamAccount(AccountId account) {
  if (subscribed_.count(account) == 0) {
    return ApiError{503, api_code::kDisconnected,
                    "Internal error; unable to process your request. Please try again (the "
                    "gateway is subscribing to account " +
                        std::to_string(account) + "'s events)."};
  }
  OrdersOf(account).set_streaming(true);
  return std::nullopt;
}

void BinanceApi::NewListenKey(const Caller& c, Respond& respond) {
  const AccountId account = c.key->key.account;
  if (auto e = StreamAccount(account)) return respond(ErrorResponse(*e));
  respond({200, "{\"listenKey\":\"" + streams_.CreateKey(account, NowMs()) + "\"}", {}});
}

void BinanceApi::KeepListenKey(const Caller& c, Respond& respond) {
  const std::string* key = FindParam(c.params, "listenKey");
  if (key == nullptr) {
    return respond(ErrorResponse({400, api_code::kMandatoryParamMissing,
                                  "Mandatory parameter 'listenKey' was not sent, was "
                                  "empty/null, or malformed."}));
  }
  if (!streams_.KeepAlive(c.key->key.account, *key, NowMs())) {
    return respond(ErrorResponse(kUnknownListenKey));
  }
  respond({200, "{}", {}});
}

void BinanceApi::CloseListenKey(const Caller& c, Respond& respond) {
  const std::string* key = FindParam(c.params, "listenKey");
  if (key == nullptr) {
    return respond(ErrorResponse({400, api_code::kMandatoryParamMissing,
                                  "Mandatory parameter 'listenKey' was not sent, was "
                                  "empty/null, or malformed."}));
  }
  if (!streams_.DeleteKey(c.key->key.account, *key)) {
    return respond(ErrorResponse(kUnknownListenKey));
  }
  respond({200, "{}", {}});
}

ApiHandler::Upgraded BinanceApi::Upgrade(const ApiRequest& request) {
  if (request.path == "/ws-api/v3") {
    WsApiContext context{streams_, keys_, [this] { return NowMs(); },
                         [this](AccountId account) { return StreamAccount(account); }};
    return std::make_shared<WsApiSession>(std::move(context), request.peer);
  }
  constexpr std::string_view kWs = "/ws/";
  if (request.path.compare(0, kWs.size(), kWs) == 0) {
    std::string key = request.path.substr(kWs.size());
    if (!streams_.KeyExists(key)) return ErrorResponse(kUnknownListenKey);
    return std::make_shared<ListenKeyConnection>(streams_, std::move(key), false);
  }
  if (request.path == "/stream") {
    std::string key = KeyOfStreams(request.query, streams_);
    if (key.empty()) return ErrorResponse(kUnknownListenKey);
    return std::make_shared<ListenKeyConnection>(streams_, std::move(key), true);
  }
  return ErrorResponse({404, api_code::kUnknown,
                        "No WebSocket at " + request.path +
                            " (user data: /ws/<listenKey>, /stream?streams=<listenKey>, "
                            "/ws-api/v3; market data is exchange-md's)"});
}

void BinanceApi::KeepBalanceChange(const wire::EventRecord& record) {
  const Event& e = record.event;
  const std::string asset(record.asset.view());
  const auto d = asset_decimals_.find(asset);
  const int decimals = d == asset_decimals_.end() ? 0 : d->second;
  const std::int64_t ms = e.timestamp / 1'000'000;
  changed_positions_[e.account][asset] = Position{e.available, e.held, decimals, ms};
  if (e.balance_reason == BalanceReason::kDeposit || e.balance_reason == BalanceReason::kWithdraw) {
    balance_updates_[e.account].push_back(
        BalanceUpdateJson(asset, e.available_delta, decimals, NowMs(), ms));
  }
}

void BinanceApi::FlushStreams() {
  const std::int64_t now = NowMs();
  for (auto& [account, orders] : accounts_) {
    for (const std::string& event : orders->TakeStreamEvents(now))
      streams_.Publish(account, event);
  }
  for (auto& [account, events] : balance_updates_) {
    for (const std::string& event : events)
      streams_.Publish(account, event);
  }
  balance_updates_.clear();
  for (auto& [account, positions] : changed_positions_) {
    std::vector<AssetPosition> balances;
    std::int64_t update_ms = 0;
    for (const auto& [asset, p] : positions) {
      balances.push_back({asset, p.available, p.held, p.decimals});
      update_ms = std::max(update_ms, p.update_ms);
    }
    streams_.Publish(account, AccountPositionJson(balances, now, update_ms));
  }
  changed_positions_.clear();
}

}  // namespace exchange::binance
