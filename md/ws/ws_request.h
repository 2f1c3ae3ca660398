// WsRequest: a WebSocket client's control message, as Binance's stream API
// defines it (web-socket-streams.md, "Live Subscribing/Unsubscribing"):
//   {"method":"SUBSCRIBE"|"UNSUBSCRIBE","params":["<stream>",...],"id":1}
//   {"method":"LIST_SUBSCRIPTIONS","id":2}
//   {"method":"SET_PROPERTY","params":["combined",true],"id":3}
//   {"method":"GET_PROPERTY","params":["combined"],"id":4}
// `id`: a 64-bit signed integer, an alphanumeric string of at most 36
// characters, or null. A malformed request is a WsRequestError with
// Binance's code: 0 unknown property, 1 a value of the wrong type, 2 an
// invalid request, 3 invalid JSON; the reply is
// {"error":{"code":C,"msg":"..."},"id":...}.
//
// Plain values and functions; any thread.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace exchange::md {

enum class WsMethod { kSubscribe, kUnsubscribe, kListSubscriptions, kSetProperty, kGetProperty };

// Binance's error codes for stream requests.
inline constexpr int kWsUnknownProperty = 0;
inline constexpr int kWsInvalidValue = 1;
inline constexpr int kWsInvalidRequest = 2;
inline constexpr int kWsInvalidJson = 3;

struct WsRequest {
  WsMethod method = WsMethod::kListSubscriptions;
  nlohmann::json id;                 // null, an integer or a string
  std::vector<std::string> streams;  // SUBSCRIBE, UNSUBSCRIBE
  bool combined = false;             // SET_PROPERTY's value
};

struct WsRequestError {
  int code = kWsInvalidRequest;
  std::string msg;
  nlohmann::json id;  // the request's, when it could be read
};

std::variant<WsRequest, WsRequestError> ParseWsRequest(std::string_view text);

// {"error":{"code","msg"},"id"}
std::string WsErrorReply(const WsRequestError& error);
// {"result":<result>,"id"}
std::string WsResultReply(const nlohmann::json& result, const nlohmann::json& id);

}  // namespace exchange::md
