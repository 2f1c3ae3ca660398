// WsApiSession: one connection of the WebSocket API (/ws-api/v3), as
// Binance's (web-socket-api.md) for what a client needs of the user data
// stream: requests {"id":..,"method":..,"params":{..}} answered
// {"id":..,"status":..,"result":..} or {"id":..,"status":..,"error":{..}}.
// Methods: ping, time, userDataStream.subscribe.signature (params apiKey,
// timestamp, recvWindow, signature: HMAC-SHA256 of the other parameters
// sorted by name, name=value joined by '&', as Binance and ccxt sign them),
// userDataStream.unsubscribe (one subscriptionId, or all), and
// session.subscriptions. Events come as {"subscriptionId":..,"event":..}
// (UserDataStreams). session.logon is answered with an error: it needs an
// Ed25519 key, and the exchange issues HMAC keys only.
//
// Owned by its connection; I/O thread only.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>

#include "gateway/binance/api_error.h"
#include "gateway/binance/api_key_directory.h"
#include "gateway/binance/api_websocket.h"
#include "gateway/binance/user_data_streams.h"

namespace exchange::binance {

struct WsApiContext {
  UserDataStreams& streams;
  ApiKeyDirectory& keys;
  std::function<std::int64_t()> now_ms;
  // Whether `account`'s events reach the gateway (an error if not yet).
  std::function<std::optional<ApiError>(AccountId)> stream_account;
};

class WsApiSession : public WebSocketListener {
 public:
  static constexpr std::size_t kMaxSubscriptions = 1000;  // per connection, as Binance

  WsApiSession(WsApiContext context, std::string peer)
      : context_(std::move(context)), peer_(std::move(peer)) {}

  void OnOpen(std::shared_ptr<WebSocketChannel> channel) override { channel_ = channel; }
  void OnText(std::string_view text) override;
  void OnClose() override;

 private:
  std::string SubscribeSignature(const std::string& id, const nlohmann::json& params);

  WsApiContext context_;
  std::string peer_;
  std::weak_ptr<WebSocketChannel> channel_;
  std::uint32_t next_subscription_ = 0;
  std::map<std::uint32_t, AccountId> subscriptions_;  // one per account, as Binance
};

}  // namespace exchange::binance
