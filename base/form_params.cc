#include "base/form_params.h"

#include "base/hex_digit.h"

namespace exchange {

std::optional<std::string> PercentDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out.push_back(' ');
    } else if (s[i] != '%') {
      out.push_back(s[i]);
    } else {
      const int high = i + 2 < s.size() ? HexDigitValue(s[i + 1]) : -1;
      const int low = i + 2 < s.size() ? HexDigitValue(s[i + 2]) : -1;
      if (high < 0 || low < 0) return std::nullopt;
      out.push_back(static_cast<char>(high * 16 + low));
      i += 2;
    }
  }
  return out;
}

std::optional<FormParams> ParseFormParams(std::string_view text, std::string& error) {
  FormParams params;
  while (!text.empty()) {
    const auto amp = text.find('&');
    const std::string_view pair = text.substr(0, amp);
    text = amp == std::string_view::npos ? std::string_view() : text.substr(amp + 1);
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    auto name = PercentDecode(pair.substr(0, eq));
    auto value = eq == std::string_view::npos ? std::optional<std::string>(std::string())
                                              : PercentDecode(pair.substr(eq + 1));
    if (!name || !value) {
      error = "malformed percent escape in '";
      error += pair;
      error += "'";
      return std::nullopt;
    }
    params.emplace_back(std::move(*name), std::move(*value));
  }
  return params;
}

}  // namespace exchange
