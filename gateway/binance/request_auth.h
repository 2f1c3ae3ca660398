// Who sends a request of the Binance-compatible API, checked as Binance
// does (its spot API's "Endpoint security type" and "SIGNED endpoint
// security"): the API key in X-MBX-APIKEY, the key's IP allow-list and
// permissions, and for SIGNED endpoints `timestamp` within `recvWindow`
// (default 5000 ms, at most 60000; a timestamp more than 1000 ms ahead of
// the server is refused too) and `signature`, HMAC-SHA256 of the query
// string concatenated with the body, as sent, without the signature
// parameter itself (auth/request_signature.h).
//
// Pure functions of the request, the keys and the time; I/O thread (the
// directory's).
#pragma once

#include <cstdint>
#include <string_view>
#include <variant>

#include "base/form_params.h"
#include "gateway/binance/api_error.h"
#include "gateway/binance/api_http.h"
#include "gateway/binance/api_key_directory.h"

namespace exchange::binance {

enum class Security {
  kNone,        // public
  kUserStream,  // API key only
  kUserData,    // signed, any key
  kTrade,       // signed, a key that may trade
};

struct Caller {
  const auth::OpenedApiKey* key = nullptr;  // nullptr for kNone
  FormParams params;                        // query then body, decoded; no signature
};

inline constexpr std::int64_t kDefaultRecvWindowMs = 5000;
inline constexpr std::int64_t kMaxRecvWindowMs = 60000;

std::variant<Caller, ApiError> Authenticate(const ApiRequest& request, Security security,
                                            const ApiKeyDirectory& keys, std::int64_t now_ms);

// `text` without its `name=value` pair (the first one); the value removed
// goes to `value` (empty when there was none).
std::string WithoutParam(std::string_view text, std::string_view name, std::string* value);

}  // namespace exchange::binance
