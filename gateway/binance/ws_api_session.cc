#include "gateway/binance/ws_api_session.h"

#include <map>
#include <nlohmann/json.hpp>

#include "gateway/binance/request_auth.h"

namespace exchange::binance {
namespace {

using nlohmann::json;

std::string Ok(const std::string& id, const std::string& result) {
  return "{\"id\":" + id + ",\"status\":200,\"result\":" + result + "}";
}

std::string Error(const std::string& id, const ApiError& e) {
  return "{\"id\":" + id + ",\"status\":" + std::to_string(e.status) +
         ",\"error\":" + ErrorBody(e) + "}";
}

// A parameter as signed: strings as they are, other values as JSON text.
std::string SignedText(const json& v) {
  return v.is_string() ? v.get<std::string>() : v.dump();
}

}  // namespace

void WsApiSession::OnText(std::string_view text) {
  const std::shared_ptr<WebSocketChannel> channel = channel_.lock();
  if (!channel) return;
  const json request = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!request.is_object() || !request.contains("method") || !request["method"].is_string()) {
    return channel->Send(
        Error("null", {400, api_code::kUnknown, "Malformed request: not a JSON request object."}));
  }
  const std::string id = request.contains("id") ? request["id"].dump() : "null";
  const std::string method = request["method"].get<std::string>();
  const json params = request.value("params", json::object());
  if (method == "ping") return channel->Send(Ok(id, "{}"));
  if (method == "time") {
    return channel->Send(Ok(id, "{\"serverTime\":" + std::to_string(context_.now_ms()) + "}"));
  }
  if (method == "userDataStream.subscribe.signature") {
    return channel->Send(SubscribeSignature(id, params));
  }
  if (method == "userDataStream.unsubscribe") {
    std::int64_t which = -1;
    if (params.contains("subscriptionId") && params["subscriptionId"].is_number_integer()) {
      which = params["subscriptionId"].get<std::int64_t>();
    }
    context_.streams.Unsubscribe(channel.get(), which);
    if (which < 0) {
      subscriptions_.clear();
    } else {
      subscriptions_.erase(static_cast<std::uint32_t>(which));
    }
    return channel->Send(Ok(id, "{}"));
  }
  if (method == "session.subscriptions") {
    std::string list = "[";
    for (const auto& entry : subscriptions_)
      list += (list.size() > 1 ? ",{\"subscriptionId\":" : "{\"subscriptionId\":") +
              std::to_string(entry.first) + "}";
    return channel->Send(Ok(id, list + "]"));
  }
  if (method == "session.logon") {
    return channel->Send(Error(id, {400, api_code::kUnsupportedOperation,
                                    "session.logon needs an Ed25519 API key; this exchange "
                                    "issues HMAC-SHA256 keys (use "
                                    "userDataStream.subscribe.signature)."}));
  }
  channel->Send(Error(id, {400, api_code::kUnknown, "Unknown method '" + method + "'."}));
}

std::string WsApiSession::SubscribeSignature(const std::string& id, const json& params) {
  if (!params.is_object()) {
    return Error(id, {400, api_code::kMandatoryParamMissing, "params must be an object."});
  }
  std::map<std::string, std::string> sorted;  // every parameter but the signature, by name
  std::string signature;
  for (const auto& [name, value] : params.items()) {
    if (name == "signature") {
      signature = SignedText(value);
    } else {
      sorted[name] = SignedText(value);
    }
  }
  ApiRequest request;
  request.peer = peer_;
  if (auto k = sorted.find("apiKey"); k != sorted.end()) request.api_key = k->second;
  for (const auto& [name, value] : sorted)
    request.query += (request.query.empty() ? "" : "&") + name + "=" + value;
  request.query += "&signature=" + signature;
  auto caller = Authenticate(request, Security::kUserData, context_.keys, context_.now_ms());
  if (auto* e = std::get_if<ApiError>(&caller)) return Error(id, *e);
  const AccountId account = std::get<Caller>(caller).key->key.account;
  if (auto e = context_.stream_account(account)) return Error(id, *e);
  for (const auto& entry : subscriptions_) {
    if (entry.second != account) continue;
    return Error(
        id, {400, api_code::kUnknown, "This account is already subscribed on this connection."});
  }
  if (subscriptions_.size() >= kMaxSubscriptions) {
    return Error(id, {400, api_code::kUnknown, "Too many active subscriptions."});
  }
  const std::uint32_t subscription = next_subscription_++;
  context_.streams.Subscribe(account, channel_.lock(), subscription);
  subscriptions_[subscription] = account;
  return Ok(id, "{\"subscriptionId\":" + std::to_string(subscription) + "}");
}

void WsApiSession::OnClose() {
  if (const auto channel = channel_.lock()) context_.streams.Unsubscribe(channel.get());
  subscriptions_.clear();
}

}  // namespace exchange::binance
