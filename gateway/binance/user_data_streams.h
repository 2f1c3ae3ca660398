// UserDataStreams: who hears each account's user data stream events, and
// the listen keys. A listen key (POST /api/v3/userDataStream) belongs to
// one account and lives kListenKeyValidityMs from its creation or last
// keepalive (PUT); an account has one at a time (POST again returns it and
// extends it, as Binance). Connections on /ws/<key> or /stream?streams=<key>
// get the account's events in the order published; a WebSocket API
// subscription (userDataStream.subscribe.signature) gets them framed with
// its subscriptionId.
//
// None missing after a reconnect: each key keeps its last
// kBufferedEvents events, numbered; a key's cursor is the last event
// written to one of its connections (to the socket: what the kernel took).
// A connection opened on the key first gets the buffered events after the
// cursor, then the live ones. A client away so long that more than
// kBufferedEvents events passed misses the oldest of them. WebSocket API
// subscriptions are bound to their connection and replay nothing, as
// Binance's. When a key expires its connections get listenKeyExpired and
// are closed; DELETE closes them too.
//
// Owned by the BinanceApi; I/O thread only.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/types.h"
#include "gateway/binance/api_websocket.h"

namespace exchange::binance {

class UserDataStreams {
 public:
  static constexpr std::int64_t kListenKeyValidityMs = 60 * 60 * 1000;
  static constexpr std::size_t kBufferedEvents = 4096;

  // `new_key`: a fresh unguessable listen key (64 letters and digits).
  explicit UserDataStreams(std::function<std::string()> new_key);

  // The account's listen key, made or extended.
  std::string CreateKey(AccountId account, std::int64_t now_ms);
  // False when `key` is not one of the account's live keys.
  bool KeepAlive(AccountId account, const std::string& key, std::int64_t now_ms);
  bool DeleteKey(AccountId account, const std::string& key);
  bool KeyExists(const std::string& key) const { return keys_.count(key) != 0; }

  // A connection on `key` (combined: /stream framing); false for an unknown
  // key. Replays what the key's connections missed.
  bool Attach(const std::string& key, const std::shared_ptr<WebSocketChannel>& channel,
              bool combined);
  void Detach(const std::string& key, const WebSocketChannel* channel);
  // A WebSocket API subscription of `account` on `channel`.
  void Subscribe(AccountId account, const std::shared_ptr<WebSocketChannel>& channel,
                 std::uint32_t subscription_id);
  // Ends the channel's subscription `subscription_id`, or all of them for
  // -1. Returns how many ended.
  std::size_t Unsubscribe(const WebSocketChannel* channel, std::int64_t subscription_id = -1);

  // Someone may hear `account`'s events (a key or a subscription).
  bool Wanted(AccountId account) const {
    return key_of_.count(account) != 0 || subscriptions_.count(account) != 0;
  }
  // One event (its JSON object) of `account`, to every key and subscription.
  void Publish(AccountId account, const std::string& event);
  // Keys not kept alive expire: listenKeyExpired, connections closed.
  void Expire(std::int64_t now_ms);

 private:
  struct Connection {
    std::shared_ptr<WebSocketChannel> channel;
    bool combined = false;
  };
  struct ListenKey {
    AccountId account = 0;
    std::int64_t renewed_ms = 0;
    std::deque<std::pair<std::uint64_t, std::string>> buffer;  // (number, event)
    std::uint64_t next = 1;
    std::uint64_t cursor = 0;  // the last event written to a connection
    std::vector<Connection> connections;
  };
  struct Subscription {
    std::shared_ptr<WebSocketChannel> channel;
    std::uint32_t id = 0;
  };
  void Send(const std::string& key_name, ListenKey& key, const Connection& c, std::uint64_t number,
            const std::string& event);
  void UpdateCursor(ListenKey& key);
  void CloseKey(std::unordered_map<std::string, ListenKey>::iterator it);

  std::function<std::string()> new_key_;
  std::unordered_map<std::string, ListenKey> keys_;
  std::unordered_map<AccountId, std::string> key_of_;
  std::unordered_map<AccountId, std::vector<Subscription>> subscriptions_;
};

}  // namespace exchange::binance
