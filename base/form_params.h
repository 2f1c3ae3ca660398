// ParseFormParams: "a=1&b=x%20y" (a URL query string or an
// application/x-www-form-urlencoded body) as name/value pairs, in order,
// percent-decoded with '+' as a space. Used by every HTTP front end
// (exchange-md's query parameters, the gateway's Binance API).
//
// A pure function; any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace exchange {

using FormParams = std::vector<std::pair<std::string, std::string>>;

// nullopt and `error` set on a malformed percent escape.
std::optional<FormParams> ParseFormParams(std::string_view text, std::string& error);

// `text` percent-decoded ('+' as a space); nullopt on a malformed escape.
std::optional<std::string> PercentDecode(std::string_view text);

}  // namespace exchange
