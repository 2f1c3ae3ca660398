#include "md/ws/ws_request.h"

#include <cctype>

namespace exchange::md {
namespace {

constexpr std::size_t kMaxIdLength = 36;
constexpr std::string_view kMethods =
    "`SUBSCRIBE`, `UNSUBSCRIBE`, `LIST_SUBSCRIPTIONS`, `SET_PROPERTY`, `GET_PROPERTY`";

bool ValidId(const nlohmann::json& id) {
  if (id.is_null()) return true;
  if (id.is_number_unsigned()) return id.get<std::uint64_t>() <= INT64_MAX;
  if (id.is_number_integer()) return true;  // a negative int64
  if (!id.is_string()) return false;
  const auto& s = id.get_ref<const std::string&>();
  if (s.empty() || s.size() > kMaxIdLength) return false;
  for (char c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

WsRequestError Error(int code, std::string msg, const nlohmann::json& id = nullptr) {
  return WsRequestError{code, std::move(msg), id};
}

// params of SET_PROPERTY / GET_PROPERTY: ["combined"(, true|false)].
std::variant<WsRequest, WsRequestError> ParseProperty(WsRequest request,
                                                      const nlohmann::json& params) {
  const std::size_t wanted = request.method == WsMethod::kSetProperty ? 2 : 1;
  if (!params.is_array() || params.empty() || !params[0].is_string()) {
    return Error(kWsInvalidRequest, "Invalid request: property name must be a string", request.id);
  }
  if (params.size() > wanted) {
    return Error(kWsInvalidRequest, "Invalid request: too many parameters", request.id);
  }
  if (params[0].get<std::string>() != "combined") {
    return Error(kWsUnknownProperty, "Unknown property", request.id);
  }
  if (wanted == 2) {
    if (params.size() < 2 || !params[1].is_boolean()) {
      return Error(kWsInvalidValue, "Invalid value type: expected Boolean", request.id);
    }
    request.combined = params[1].get<bool>();
  }
  return request;
}

}  // namespace

std::variant<WsRequest, WsRequestError> ParseWsRequest(std::string_view text) {
  nlohmann::json body;
  try {
    body = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    std::string what = e.what();  // "[json.exception.parse_error.101] parse error at line ..."
    const std::size_t bracket = what.find("] ");
    if (bracket != std::string::npos) what.erase(0, bracket + 2);
    return Error(kWsInvalidJson, "Invalid JSON: " + what);
  }
  if (!body.is_object()) return Error(kWsInvalidJson, "Invalid JSON: expected an object");
  WsRequest request;
  const auto id = body.find("id");
  if (id == body.end() || !ValidId(*id)) {
    return Error(kWsInvalidRequest,
                 "Invalid request: request ID must be an integer, an alphanumeric string of at "
                 "most 36 characters, or null");
  }
  request.id = *id;
  const auto method = body.find("method");
  if (method == body.end()) {
    return Error(kWsInvalidRequest, "Invalid request: missing field `method`", request.id);
  }
  const std::string name = method->is_string() ? method->get<std::string>() : method->dump();
  if (name == "SUBSCRIBE") {
    request.method = WsMethod::kSubscribe;
  } else if (name == "UNSUBSCRIBE") {
    request.method = WsMethod::kUnsubscribe;
  } else if (name == "LIST_SUBSCRIPTIONS") {
    request.method = WsMethod::kListSubscriptions;
  } else if (name == "SET_PROPERTY") {
    request.method = WsMethod::kSetProperty;
  } else if (name == "GET_PROPERTY") {
    request.method = WsMethod::kGetProperty;
  } else {
    return Error(
        kWsInvalidRequest,
        "Invalid request: unknown variant `" + name + "`, expected one of " + std::string(kMethods),
        request.id);
  }
  const auto params = body.find("params");
  const nlohmann::json none = nlohmann::json::array();
  const nlohmann::json& list = params == body.end() ? none : *params;
  switch (request.method) {
    case WsMethod::kListSubscriptions:
      if (!list.is_array() || !list.empty()) {
        return Error(kWsInvalidRequest, "Invalid request: too many parameters", request.id);
      }
      return request;
    case WsMethod::kSetProperty:
    case WsMethod::kGetProperty: return ParseProperty(std::move(request), list);
    case WsMethod::kSubscribe:
    case WsMethod::kUnsubscribe: break;
  }
  if (!list.is_array()) {
    return Error(kWsInvalidValue, "Invalid value type: 'params' must be an array of stream names",
                 request.id);
  }
  for (const nlohmann::json& p : list) {
    if (!p.is_string()) {
      return Error(kWsInvalidValue, "Invalid value type: 'params' must be an array of stream names",
                   request.id);
    }
    request.streams.push_back(p.get<std::string>());
  }
  return request;
}

std::string WsErrorReply(const WsRequestError& error) {
  return nlohmann::json{{"error", {{"code", error.code}, {"msg", error.msg}}}, {"id", error.id}}
      .dump();
}

std::string WsResultReply(const nlohmann::json& result, const nlohmann::json& id) {
  return nlohmann::json{{"result", result}, {"id", id}}.dump();
}

}  // namespace exchange::md
