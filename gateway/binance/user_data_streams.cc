#include "gateway/binance/user_data_streams.h"

#include <algorithm>

#include "gateway/binance/user_stream_json.h"

namespace exchange::binance {

UserDataStreams::UserDataStreams(std::function<std::string()> new_key)
    : new_key_(std::move(new_key)) {}

std::string UserDataStreams::CreateKey(AccountId account, std::int64_t now_ms) {
  if (auto it = key_of_.find(account); it != key_of_.end()) {
    keys_.at(it->second).renewed_ms = now_ms;
    return it->second;
  }
  std::string key = new_key_();
  ListenKey& k = keys_[key];
  k.account = account;
  k.renewed_ms = now_ms;
  key_of_[account] = key;
  return key;
}

bool UserDataStreams::KeepAlive(AccountId account, const std::string& key, std::int64_t now_ms) {
  const auto it = keys_.find(key);
  if (it == keys_.end() || it->second.account != account) return false;
  it->second.renewed_ms = now_ms;
  return true;
}

bool UserDataStreams::DeleteKey(AccountId account, const std::string& key) {
  const auto it = keys_.find(key);
  if (it == keys_.end() || it->second.account != account) return false;
  CloseKey(it);
  return true;
}

void UserDataStreams::CloseKey(std::unordered_map<std::string, ListenKey>::iterator it) {
  std::vector<Connection> connections = std::move(it->second.connections);
  key_of_.erase(it->second.account);
  keys_.erase(it);
  for (Connection& c : connections)
    c.channel->Close();
}

void UserDataStreams::UpdateCursor(ListenKey& key) {
  for (const Connection& c : key.connections)
    key.cursor = std::max(key.cursor, c.channel->written_tag());
}

bool UserDataStreams::Attach(const std::string& name,
                             const std::shared_ptr<WebSocketChannel>& channel, bool combined) {
  const auto it = keys_.find(name);
  if (it == keys_.end()) return false;
  ListenKey& key = it->second;
  UpdateCursor(key);
  const Connection c{channel, combined};
  for (const auto& [number, event] : key.buffer) {
    if (number > key.cursor) Send(name, key, c, number, event);
  }
  key.connections.push_back(c);
  return true;
}

void UserDataStreams::Detach(const std::string& name, const WebSocketChannel* channel) {
  const auto it = keys_.find(name);
  if (it == keys_.end()) return;
  auto& connections = it->second.connections;
  for (auto c = connections.begin(); c != connections.end(); ++c) {
    if (c->channel.get() != channel) continue;
    it->second.cursor = std::max(it->second.cursor, channel->written_tag());
    connections.erase(c);
    return;
  }
}

void UserDataStreams::Subscribe(AccountId account, const std::shared_ptr<WebSocketChannel>& channel,
                                std::uint32_t subscription_id) {
  subscriptions_[account].push_back({channel, subscription_id});
}

std::size_t UserDataStreams::Unsubscribe(const WebSocketChannel* channel,
                                         std::int64_t subscription_id) {
  std::size_t ended = 0;
  for (auto it = subscriptions_.begin(); it != subscriptions_.end();) {
    auto& list = it->second;
    const auto gone = std::remove_if(list.begin(), list.end(), [&](const Subscription& s) {
      return s.channel.get() == channel && (subscription_id < 0 || s.id == subscription_id);
    });
    ended += static_cast<std::size_t>(list.end() - gone);
    list.erase(gone, list.end());
    it = list.empty() ? subscriptions_.erase(it) : std::next(it);
  }
  return ended;
}

void UserDataStreams::Send(const std::string& name, ListenKey&, const Connection& c,
                           std::uint64_t number, const std::string& event) {
  c.channel->Send(c.combined ? CombinedStreamFrame(name, event) : event, number);
}

void UserDataStreams::Publish(AccountId account, const std::string& event) {
  if (auto k = key_of_.find(account); k != key_of_.end()) {
    ListenKey& key = keys_.at(k->second);
    const std::uint64_t number = key.next++;
    key.buffer.emplace_back(number, event);
    if (key.buffer.size() > kBufferedEvents) key.buffer.pop_front();
    for (const Connection& c : key.connections)
      Send(k->second, key, c, number, event);
  }
  if (auto s = subscriptions_.find(account); s != subscriptions_.end()) {
    for (const Subscription& sub : s->second)
      sub.channel->Send(SubscriptionFrame(sub.id, event));
  }
}

void UserDataStreams::Expire(std::int64_t now_ms) {
  for (auto it = keys_.begin(); it != keys_.end();) {
    const auto next = std::next(it);
    if (now_ms - it->second.renewed_ms > kListenKeyValidityMs) {
      const std::string event = ListenKeyExpiredJson(it->first, now_ms);
      for (const Connection& c : it->second.connections)
        c.channel->Send(c.combined ? CombinedStreamFrame(it->first, event) : event);
      CloseKey(it);
    }
    it = next;
  }
}

}  // namespace exchange::binance
