#include "gateway/binance/request_auth.h"

#include <charconv>

#include "auth/request_signature.h"

namespace exchange::binance {
namespace {

ApiError MissingParameter(std::string_view name) {
  std::string msg = "Mandatory parameter '";
  msg += name;
  msg += "' was not sent, was empty/null, or malformed.";
  return {400, api_code::kMandatoryParamMissing, std::move(msg)};
}

ApiError RejectedKey(std::string why) {
  return {401, api_code::kRejectedMbxKey,
          "Invalid API-key, IP, or permissions for action (" + why + ")."};
}

std::optional<std::int64_t> ParseInt(std::string_view text) {
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

const std::string* Find(const FormParams& params, std::string_view name) {
  for (const auto& [k, v] : params)
    if (k == name) return &v;
  return nullptr;
}

// The window checks of a SIGNED request.
std::optional<ApiError> CheckTimestamp(const FormParams& params, std::int64_t now_ms) {
  const std::string* ts = Find(params, "timestamp");
  const auto timestamp = ts ? ParseInt(*ts) : std::nullopt;
  if (!timestamp) return MissingParameter("timestamp");
  std::int64_t window = kDefaultRecvWindowMs;
  if (const std::string* w = Find(params, "recvWindow")) {
    const auto parsed = ParseInt(*w);
    if (!parsed || *parsed <= 0 || *parsed > kMaxRecvWindowMs) {
      return ApiError{400, api_code::kBadRecvWindow,
                      "recvWindow must be less than 60000 (and more than 0)."};
    }
    window = *parsed;
  }
  if (*timestamp > now_ms + 1000 || now_ms - *timestamp > window) {
    return ApiError{400, api_code::kTimestampOutsideWindow,
                    "Timestamp for this request is outside of the recvWindow (server time " +
                        std::to_string(now_ms) + ", timestamp " + std::to_string(*timestamp) +
                        ", recvWindow " + std::to_string(window) + ")."};
  }
  return std::nullopt;
}

}  // namespace

std::string WithoutParam(std::string_view text, std::string_view name, std::string* value) {
  value->clear();
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = std::min(text.find('&', start), text.size());
    const std::string_view pair = text.substr(start, end - start);
    if (pair.size() > name.size() && pair.substr(0, name.size()) == name &&
        pair[name.size()] == '=') {
      *value = std::string(pair.substr(name.size() + 1));
      std::string out(text.substr(0, start == 0 ? 0 : start - 1));
      if (end < text.size()) out += start == 0 ? text.substr(end + 1) : text.substr(end);
      return out;
    }
    start = end + 1;
  }
  return std::string(text);
}

std::variant<Caller, ApiError> Authenticate(const ApiRequest& request, Security security,
                                            const ApiKeyDirectory& keys, std::int64_t now_ms) {
  std::string signature, in_body;
  const std::string query = WithoutParam(request.query, "signature", &signature);
  const std::string body = WithoutParam(request.body, "signature", &in_body);
  if (signature.empty()) signature = in_body;
  std::string error;
  auto params = ParseFormParams(query + (query.empty() || body.empty() ? "" : "&") + body, error);
  if (!params) return ApiError{400, api_code::kIllegalChars, "Illegal characters: " + error};
  Caller caller;
  caller.params = std::move(*params);
  if (security == Security::kNone) return caller;

  if (!auth::LooksLikeApiKey(request.api_key)) {
    return ApiError{401, api_code::kBadApiKeyFormat, "API-key format invalid."};
  }
  const auth::OpenedApiKey* key = keys.Find(request.api_key);
  if (key == nullptr) {
    return RejectedKey(keys.problem().empty() ? "unknown or revoked key"
                                              : "keys unavailable: " + keys.problem());
  }
  if (!auth::IpAllowed(key->key.ip_allow, request.peer)) {
    return RejectedKey("address " + request.peer + " not allowed for this key");
  }
  if (security == Security::kTrade && !key->key.can_trade) {
    return RejectedKey("this key may not trade");
  }
  caller.key = key;
  if (security == Security::kUserStream) return caller;

  if (auto e = CheckTimestamp(caller.params, now_ms)) return *e;
  if (signature.empty()) return MissingParameter("signature");
  const std::string payload = query + body;
  if (!auth::SignatureMatches(key->secret, payload, signature)) {
    return ApiError{400, api_code::kInvalidSignature, "Signature for this request is not valid."};
  }
  return caller;
}

}  // namespace exchange::binance
