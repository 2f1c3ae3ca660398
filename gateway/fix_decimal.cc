// Exact decimal text <-> int64 fixed point. The magnitude is accumulated as
// uint64 with overflow checks, so every int64 (INT64_MIN included) parses and
// nothing is ever rounded.
#include "gateway/fix_decimal.h"

#include <algorithm>
#include <cassert>
#include <charconv>
#include <limits>
#include <optional>
#include <utility>

namespace exchange::fix {
namespace {

constexpr int kMaxDecimals = 18;
constexpr std::size_t kMaxShownBytes = 32;  // of a bad value quoted in an error
// The magnitude of INT64_MIN, the largest a negative value may have.
constexpr std::uint64_t kMaxNegativeMagnitude =
    static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) + 1;

bool AllDigits(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// At most kMaxShownBytes of `text`, unprintable bytes shown as '?': safe to
// send back in Text(58).
std::string Excerpt(std::string_view text) {
  std::string shown;
  for (char c : text.substr(0, kMaxShownBytes))
    shown += (c >= ' ' && c <= '~') ? c : '?';
  if (text.size() > kMaxShownBytes) shown += "...";
  return shown;
}

// "<what> <text><why>", the text quoted when `quoted` (it is not a number).
DecimalError Error(std::string_view what, std::string_view text, std::string_view why,
                   bool quoted = false) {
  std::string message(what);
  message += quoted ? " '" : " ";
  message += Excerpt(text);
  if (quoted) message += "'";
  message += why;
  return DecimalError{std::move(message)};
}

// magnitude = magnitude * 10 + digit; false on overflow.
bool AppendDigit(std::uint64_t& magnitude, int digit) {
  return !__builtin_mul_overflow(magnitude, 10u, &magnitude) &&
         !__builtin_add_overflow(magnitude, static_cast<unsigned>(digit), &magnitude);
}

// The digits of `whole` then `fraction`, then zeros up to `decimals` digits
// after the point, as one number; nullopt on overflow of uint64.
std::optional<std::uint64_t> Magnitude(std::string_view whole, std::string_view fraction,
                                       int decimals) {
  std::uint64_t magnitude = 0;
  for (char c : whole) {
    if (!AppendDigit(magnitude, c - '0')) return std::nullopt;
  }
  for (char c : fraction) {
    if (!AppendDigit(magnitude, c - '0')) return std::nullopt;
  }
  for (auto i = static_cast<int>(fraction.size()); i < decimals; ++i) {
    if (!AppendDigit(magnitude, 0)) return std::nullopt;
  }
  return magnitude;
}

}  // namespace

std::variant<std::int64_t, DecimalError> ParseDecimal(std::string_view text, int decimals,
                                                      std::string_view what) {
  if (decimals < 0 || decimals > kMaxDecimals) {
    std::string message(what);
    message += ": ";
    message += std::to_string(decimals);
    message += " decimals is outside 0..18";
    return DecimalError{std::move(message)};
  }
  if (text.empty()) return Error(what, text, "is empty");

  std::string_view unsigned_text = text;
  const bool negative = unsigned_text.starts_with('-');
  if (negative) unsigned_text.remove_prefix(1);
  const std::size_t point = unsigned_text.find('.');
  const bool has_point = point != std::string_view::npos;
  const std::string_view whole = unsigned_text.substr(0, point);
  std::string_view fraction = has_point ? unsigned_text.substr(point + 1) : std::string_view();
  if (whole.empty() || (has_point && fraction.empty()) || !AllDigits(whole) ||
      !AllDigits(fraction)) {
    return Error(what, text, " is not a decimal number", /*quoted=*/true);
  }

  // Digits beyond `decimals` may only be trailing zeros.
  const auto kept = static_cast<std::size_t>(decimals);
  if (fraction.size() > kept) {
    if (fraction.find_first_not_of('0', kept) != std::string_view::npos) {
      if (decimals == 0) return Error(what, text, " is not a whole number");
      std::string why = " has more than ";
      why += std::to_string(decimals);
      why += " decimals";
      return Error(what, text, why);
    }
    fraction = fraction.substr(0, kept);
  }

  const std::optional<std::uint64_t> magnitude = Magnitude(whole, fraction, decimals);
  const std::uint64_t limit = negative ? kMaxNegativeMagnitude : kMaxNegativeMagnitude - 1;
  if (!magnitude || *magnitude > limit) return Error(what, text, " is out of range");
  if (!negative) return static_cast<std::int64_t>(*magnitude);
  // -magnitude without overflow, INT64_MIN included.
  return static_cast<std::int64_t>(0 - *magnitude);
}

std::variant<std::int64_t, DecimalError> ParseDecimalOnStep(std::string_view text, int decimals,
                                                            std::int64_t step,
                                                            std::string_view what,
                                                            std::string_view step_name) {
  if (step <= 0) {
    std::string message(what);
    message += ": the ";
    message += step_name;
    message += ' ';
    message += std::to_string(step);
    message += " is not positive";
    return DecimalError{std::move(message)};
  }
  std::variant<std::int64_t, DecimalError> parsed = ParseDecimal(text, decimals, what);
  if (std::holds_alternative<DecimalError>(parsed)) return parsed;
  if (std::get<std::int64_t>(parsed) % step == 0) return parsed;
  std::string why = " is not a multiple of the ";
  why += step_name;
  why += ' ';
  why += FormatDecimal(step, decimals);
  return Error(what, text, why);
}

char* FormatDecimalTo(char* out, std::int64_t value, int decimals) {
  assert(decimals >= 0 && decimals <= kMaxDecimals);
  const auto kept = static_cast<std::size_t>(std::clamp(decimals, 0, kMaxDecimals));
  // |value| without overflow, INT64_MIN included.
  const std::uint64_t magnitude =
      value < 0 ? 0 - static_cast<std::uint64_t>(value) : static_cast<std::uint64_t>(value);
  char digits[20];
  const std::size_t count = static_cast<std::size_t>(
      std::to_chars(digits, digits + sizeof digits, magnitude).ptr - digits);

  if (value < 0) *out++ = '-';
  if (count > kept) {
    out = std::copy(digits, digits + count - kept, out);
  } else {
    *out++ = '0';
  }
  if (kept == 0) return out;
  *out++ = '.';
  const std::size_t fraction_digits = std::min(count, kept);
  out = std::fill_n(out, kept - fraction_digits, '0');
  return std::copy(digits + count - fraction_digits, digits + count, out);
}

std::string FormatDecimal(std::int64_t value, int decimals) {
  char text[kMaxDecimalChars];
  return std::string(text, FormatDecimalTo(text, value, decimals));
}

}  // namespace exchange::fix
