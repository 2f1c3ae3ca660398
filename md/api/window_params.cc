#include "md/api/window_params.h"

#include <charconv>

namespace exchange::md {
namespace {

constexpr Timestamp kMinute = 60'000'000'000;
constexpr Timestamp kHour = 60 * kMinute;
constexpr Timestamp kDay = 24 * kHour;

}  // namespace

std::optional<Timestamp> ParseWindowSize(std::string_view text) {
  if (text.size() < 2) return std::nullopt;
  int number = 0;
  const char* end = text.data() + text.size() - 1;
  const auto [ptr, ec] = std::from_chars(text.data(), end, number);
  if (ec != std::errc() || ptr != end || text.front() == '0' || number < 1) return std::nullopt;
  switch (text.back()) {
    case 'm': return number <= 59 ? std::optional(number * kMinute) : std::nullopt;
    case 'h': return number <= 23 ? std::optional(number * kHour) : std::nullopt;
    case 'd': return number <= 7 ? std::optional(number * kDay) : std::nullopt;
    default: return std::nullopt;
  }
}

std::optional<int> ParseTimeZone(std::string_view text) {
  bool negative = false;
  if (!text.empty() && (text.front() == '-' || text.front() == '+')) {
    negative = text.front() == '-';
    text.remove_prefix(1);
  }
  const auto colon = text.find(':');
  const std::string_view hours_text = text.substr(0, colon);
  const std::string_view minutes_text =
      colon == std::string_view::npos ? std::string_view("0") : text.substr(colon + 1);
  int hours = 0, minutes = 0;
  const auto number = [](std::string_view s, int& out) {
    if (s.empty() || s.size() > 2) return false;
    const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && ptr == s.data() + s.size();
  };
  if (!number(hours_text, hours) || !number(minutes_text, minutes) || minutes > 59)
    return std::nullopt;
  const int total = (negative ? -1 : 1) * (hours * 60 + minutes);
  if (total < -12 * 60 || total > 14 * 60) return std::nullopt;
  return total;
}

}  // namespace exchange::md
