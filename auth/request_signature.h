// Request signatures as Binance's spot API checks them: HMAC-SHA256 of the
// request's total parameters (the query string, then the body, exactly as
// sent) keyed with the API secret, in lower-case hex. Compared in constant
// time.
//
// Plain functions; any thread.
#pragma once

#include <string>
#include <string_view>

namespace exchange::auth {

// HMAC-SHA256(secret, payload) as 64 lower-case hex digits.
std::string HmacSha256Hex(std::string_view secret, std::string_view payload);

// True when `signature` (hex, either case) is HMAC-SHA256(secret, payload);
// constant time in the signature's content.
bool SignatureMatches(std::string_view secret, std::string_view payload,
                      std::string_view signature);

}  // namespace exchange::auth
