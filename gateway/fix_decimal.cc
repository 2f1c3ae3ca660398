// FIX decimal fields over base/fixed_point_text.h: its parse, with the
// error texts sent back in Text(58), and its writer, limited to int64 and
// 0..18 decimals.
#include "gateway/fix_decimal.h"

#include <algorithm>
#include <cassert>
#include <utility>

#include "base/fixed_point_text.h"

namespace exchange::fix {
namespace {

constexpr int kMaxDecimals = 18;
constexpr std::size_t kMaxShownBytes = 32;  // of a bad value quoted in an error

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

// The text sent back for ParseFixedPoint's refusal.
DecimalError ErrorOf(FixedPointError error, std::string_view text, int decimals,
                     std::string_view what) {
  switch (error) {
    case FixedPointError::kDecimalsOutOfRange: {
      std::string message(what);
      message += ": ";
      message += std::to_string(decimals);
      message += " decimals is outside 0..18";
      return DecimalError{std::move(message)};
    }
    case FixedPointError::kEmpty: return Error(what, text, "is empty");
    case FixedPointError::kNotANumber:
      return Error(what, text, " is not a decimal number", /*quoted=*/true);
    case FixedPointError::kTooManyDecimals: {
      if (decimals == 0) return Error(what, text, " is not a whole number");
      std::string why = " has more than ";
      why += std::to_string(decimals);
      why += " decimals";
      return Error(what, text, why);
    }
    case FixedPointError::kOutOfRange: break;
  }
  return Error(what, text, " is out of range");
}

}  // namespace

std::variant<std::int64_t, DecimalError> ParseDecimal(std::string_view text, int decimals,
                                                      std::string_view what) {
  const std::variant<std::int64_t, FixedPointError> parsed = ParseFixedPoint(text, decimals);
  if (const auto* value = std::get_if<std::int64_t>(&parsed)) return *value;
  return ErrorOf(std::get<FixedPointError>(parsed), text, decimals, what);
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
  return WriteFixedPoint(out, value, std::clamp(decimals, 0, kMaxDecimals));
}

std::string FormatDecimal(std::int64_t value, int decimals) {
  char text[kMaxDecimalChars];
  return std::string(text, FormatDecimalTo(text, value, decimals));
}

}  // namespace exchange::fix
