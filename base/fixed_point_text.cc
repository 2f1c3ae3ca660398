#include "base/fixed_point_text.h"

#include <algorithm>
#include <charconv>
#include <limits>
#include <optional>
#include <stdexcept>

namespace exchange {
namespace {

constexpr int kMaxParsedDecimals = 18;
// The magnitude of INT64_MIN, the largest a negative value may have.
constexpr std::uint64_t kMaxNegativeMagnitude =
    static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) + 1;

// |value| without overflow, the most negative value included.
unsigned __int128 Magnitude(__int128 value) {
  const auto u = static_cast<unsigned __int128>(value);
  return value < 0 ? ~u + 1 : u;
}

// The decimal digits of `magnitude` ("0" for 0) at `out`, which has room
// for 39; returns their end.
char* WriteDigits(char* out, unsigned __int128 magnitude) {
  if (magnitude <= std::numeric_limits<std::uint64_t>::max()) {
    return std::to_chars(out, out + 39, static_cast<std::uint64_t>(magnitude)).ptr;
  }
  char* end = out;
  for (; magnitude != 0; magnitude /= 10)
    *end++ = static_cast<char>('0' + static_cast<int>(magnitude % 10));
  std::reverse(out, end);
  return end;
}

// The text's layout: `digits` (the magnitude, without sign; leading zeros
// and "" allowed) with `decimals` of them after the point, '-' first when
// `negative`. Writes SizeOfLayout(...) characters.
std::size_t SizeOfLayout(bool negative, std::size_t digits, std::size_t decimals) {
  return (negative ? 1 : 0) + std::max(digits, decimals + 1) + (decimals > 0 ? 1 : 0);
}

char* LayOut(char* out, bool negative, std::string_view digits, std::size_t decimals) {
  const std::size_t n = digits.size();
  const std::size_t width = std::max(n, decimals + 1);  // with leading zeros
  const std::size_t zeros = width - n;
  if (negative) *out++ = '-';
  const std::size_t integer = width - decimals;
  // The integer part: leading zeros (only ever the single "0"), then digits.
  const std::size_t integer_zeros = std::min(zeros, integer);
  out = std::fill_n(out, integer_zeros, '0');
  out = std::copy_n(digits.data(), integer - integer_zeros, out);
  if (decimals == 0) return out;
  *out++ = '.';
  out = std::fill_n(out, zeros - integer_zeros, '0');
  return std::copy(digits.data() + (integer - integer_zeros), digits.data() + n, out);
}

// magnitude = magnitude * 10 + digit; false on overflow.
bool AppendDigit(std::uint64_t& magnitude, int digit) {
  return !__builtin_mul_overflow(magnitude, 10u, &magnitude) &&
         !__builtin_add_overflow(magnitude, static_cast<unsigned>(digit), &magnitude);
}

// The digits of `whole` then `fraction`, then zeros up to `decimals` digits
// after the point, as one number; nullopt on overflow of uint64.
std::optional<std::uint64_t> ParsedMagnitude(std::string_view whole, std::string_view fraction,
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

bool AllDigits(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

char* WriteFixedPoint(char* out, __int128 value, int decimals) {
  char digits[39];
  const char* end = WriteDigits(digits, Magnitude(value));
  return LayOut(out, value < 0, std::string_view(digits, static_cast<std::size_t>(end - digits)),
                static_cast<std::size_t>(decimals));
}

void AppendFixedPoint(std::string& out, __int128 value, int decimals) {
  if (decimals < 0 || decimals > kMaxFixedPointDecimals) {
    out += FixedPoint(value, decimals);  // throws
    return;
  }
  char text[kMaxFixedPointChars];
  out.append(text, WriteFixedPoint(text, value, decimals));
}

std::string DecimalRatio(__int128 numerator, __int128 denominator, int shift, int decimals) {
  if (denominator == 0) throw std::invalid_argument("DecimalRatio: division by zero");
  if (shift < 0 || shift > kMaxFixedPointDecimals || decimals < 0 ||
      decimals > kMaxFixedPointDecimals) {
    throw std::invalid_argument("DecimalRatio: shift and decimals must be in [0, 36]");
  }
  const bool negative = (numerator < 0) != (denominator < 0);
  const unsigned __int128 n = Magnitude(numerator);
  const unsigned __int128 d = Magnitude(denominator);
  // The result is round(n / d * 10^exponent), written with `decimals`
  // digits after the point. The digits of n / d: the integer part (at most
  // 2^127, as n is), then as many fraction digits as the result keeps plus
  // one to round on (remainder * 10 fits: remainder < d <= 2^127).
  const int exponent = decimals - shift;
  char integer[39];
  std::string digits(integer, WriteDigits(integer, n / d));
  const long integer_digits = static_cast<long>(digits.size());
  unsigned __int128 remainder = n % d;
  for (int i = 0; i < exponent + 1; ++i) {
    remainder *= 10;
    digits.push_back(static_cast<char>('0' + static_cast<int>(remainder / d)));
    remainder %= d;
  }
  // Half away from zero: up when the first digit dropped is 5 or more.
  const long keep = integer_digits + exponent;
  std::string kept = keep > 0 ? digits.substr(0, static_cast<std::size_t>(keep)) : "0";
  const bool round_up = keep >= 0 && static_cast<std::size_t>(keep) < digits.size() &&
                        digits[static_cast<std::size_t>(keep)] >= '5';
  if (round_up) {
    std::size_t i = kept.size();
    while (i > 0 && kept[i - 1] == '9')
      kept[--i] = '0';
    if (i == 0) {
      kept.insert(kept.begin(), '1');
    } else {
      ++kept[i - 1];
    }
  }
  // Leading zeros off ("" for a zero, which is never negative).
  kept.erase(0, std::min(kept.find_first_not_of('0'), kept.size()));
  const auto fraction = static_cast<std::size_t>(decimals);
  const bool signed_text = negative && !kept.empty();
  std::string out(SizeOfLayout(signed_text, kept.size(), fraction), '\0');
  LayOut(out.data(), signed_text, kept, fraction);
  return out;
}

std::string FixedPoint(__int128 value, int decimals) {
  return DecimalRatio(value, 1, decimals, decimals);
}

std::variant<std::int64_t, FixedPointError> ParseFixedPoint(std::string_view text, int decimals) {
  if (decimals < 0 || decimals > kMaxParsedDecimals) return FixedPointError::kDecimalsOutOfRange;
  if (text.empty()) return FixedPointError::kEmpty;

  const bool negative = text.starts_with('-');
  if (negative) text.remove_prefix(1);
  const std::size_t point = text.find('.');
  const bool has_point = point != std::string_view::npos;
  const std::string_view whole = text.substr(0, point);
  std::string_view fraction = has_point ? text.substr(point + 1) : std::string_view();
  if (whole.empty() || (has_point && fraction.empty()) || !AllDigits(whole) ||
      !AllDigits(fraction)) {
    return FixedPointError::kNotANumber;
  }

  // Digits beyond `decimals` may only be trailing zeros.
  const auto kept = static_cast<std::size_t>(decimals);
  if (fraction.size() > kept) {
    if (fraction.find_first_not_of('0', kept) != std::string_view::npos) {
      return FixedPointError::kTooManyDecimals;
    }
    fraction = fraction.substr(0, kept);
  }

  const std::optional<std::uint64_t> magnitude = ParsedMagnitude(whole, fraction, decimals);
  const std::uint64_t limit = negative ? kMaxNegativeMagnitude : kMaxNegativeMagnitude - 1;
  if (!magnitude || *magnitude > limit) return FixedPointError::kOutOfRange;
  if (!negative) return static_cast<std::int64_t>(*magnitude);
  // -magnitude without overflow, INT64_MIN included.
  return static_cast<std::int64_t>(0 - *magnitude);
}

}  // namespace exchange
