#include "persistence/pg_values.h"

#include <charconv>
#include <stdexcept>
#include <string>

namespace exchange::persistence {

namespace {

constexpr Timestamp kNanosPerMicro = 1000;

[[noreturn]] void Refuse(std::string_view text, const char* what, const char* kind) {
  std::string message = "PostgreSQL value: ";
  message += what;
  message += " is not ";
  message += kind;
  message += ": '";
  message += text;
  message += "'";
  throw std::runtime_error(message);
}

}  // namespace

std::int64_t PgInt64(std::string_view text, const char* what) {
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) Refuse(text, what, "a 64-bit integer");
  return v;
}

__int128 PgInt128(std::string_view text, const char* what) {
  const bool negative = !text.empty() && text[0] == '-';
  std::string_view digits = text.substr(negative ? 1 : 0);
  if (const auto point = digits.find('.'); point != std::string_view::npos) {
    if (digits.find_first_not_of('0', point + 1) != std::string_view::npos) digits = {};
    digits = digits.substr(0, point);
  }
  constexpr __int128 kMax = static_cast<__int128>(~static_cast<unsigned __int128>(0) >> 1);
  __int128 v = 0;
  bool ok = !digits.empty();
  for (char c : digits) {
    if (c < '0' || c > '9' || v > (kMax - (c - '0')) / 10) {
      ok = false;
      break;
    }
    v = v * 10 + (c - '0');
  }
  if (!ok) Refuse(text, what, "an integer of 127 bits");
  return negative ? -v : v;
}

std::int64_t PgInt64Sum(std::string_view text, const char* what) {
  const __int128 v = PgInt128(text, what);
  if (v > INT64_MAX || v < INT64_MIN) Refuse(text, what, "within 64 bits");
  return static_cast<std::int64_t>(v);
}

Timestamp PgMicrosToNanos(std::string_view text, const char* what) {
  return PgInt64(text, what) * kNanosPerMicro;
}

}  // namespace exchange::persistence
