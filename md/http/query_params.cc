#include "md/http/query_params.h"

#include <charconv>

#include "base/form_params.h"
#include "md/api/json_errors.h"

namespace exchange::md {
namespace {

// Percent-decoding, '+' as a space (HTML forms): base/form_params.h's.
std::string Decode(std::string_view s) {
  std::optional<std::string> decoded = PercentDecode(s);
  if (!decoded) {
    std::string message = "malformed percent escape in the query: '";
    message += s;
    message += "'";
    throw RequestError(400, binance_code::kIllegalChars, message);
  }
  return std::move(*decoded);
}

std::string Quoted(std::string_view name) {
  std::string s = "parameter '";
  s += name;
  s += "'";
  return s;
}

}  // namespace

std::pair<std::string_view, std::string_view> SplitTarget(std::string_view target) {
  const auto mark = target.find('?');
  if (mark == std::string_view::npos) return {target, {}};
  return {target.substr(0, mark), target.substr(mark + 1)};
}

QueryParams QueryParams::Parse(std::string_view query) {
  QueryParams params;
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    std::string name = Decode(pair.substr(0, eq));
    std::string value = eq == std::string_view::npos ? std::string() : Decode(pair.substr(eq + 1));
    params.params_.emplace_back(std::move(name), std::move(value));
  }
  return params;
}

std::optional<std::string_view> QueryParams::Find(std::string_view name) const {
  for (const auto& [key, value] : params_) {
    if (key == name) {
      if (value.empty()) return std::nullopt;
      return std::string_view(value);
    }
  }
  return std::nullopt;
}

std::string_view QueryParams::Required(std::string_view name) const {
  const auto value = Find(name);
  if (!value) {
    std::string message = "mandatory " + Quoted(name);
    message += " was not sent, was empty/null, or malformed";
    throw RequestError(400, binance_code::kMissingParameter, message);
  }
  return *value;
}

std::optional<std::int64_t> QueryParams::Int(std::string_view name, std::int64_t min,
                                             std::int64_t max) const {
  const auto text = Find(name);
  if (!text) return std::nullopt;
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec == std::errc::result_out_of_range) {
    std::string message = Quoted(name) + " is out of range: " + std::string(*text);
    throw RequestError(400, binance_code::kInvalidParameter, message);
  }
  if (ec != std::errc() || end != text->data() + text->size()) {
    std::string message = Quoted(name) + " must be an integer, not '" + std::string(*text) + "'";
    throw RequestError(400, binance_code::kIllegalChars, message);
  }
  if (value < min || value > max) {
    std::string message = Quoted(name) + " must be between ";
    message += std::to_string(min);
    message += " and ";
    message += std::to_string(max);
    message += ", not ";
    message += std::to_string(value);
    throw RequestError(400, binance_code::kInvalidParameter, message);
  }
  return value;
}

std::int64_t QueryParams::RequiredInt(std::string_view name, std::int64_t min,
                                      std::int64_t max) const {
  Required(name);
  return *Int(name, min, max);
}

}  // namespace exchange::md
