#include "md/decimal_text.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <limits>

#include "persistence/history_reports.h"  // FixedPoint

namespace exchange::md {

void AppendFixedPoint(std::string& out, __int128 value, int decimals) {
  constexpr int kMaxDecimals = 36;  // DecimalRatio's
  if (decimals < 0 || decimals > kMaxDecimals) {
    out += persistence::FixedPoint(value, decimals);
    return;
  }
  const bool negative = value < 0;
  auto magnitude = static_cast<unsigned __int128>(value);
  if (negative) magnitude = ~magnitude + 1;
  char digits[48];  // 2^128 has 39
  std::size_t n = 0;
  if (magnitude <= std::numeric_limits<std::uint64_t>::max()) {
    const auto result =
        std::to_chars(digits, digits + sizeof(digits), static_cast<std::uint64_t>(magnitude));
    n = static_cast<std::size_t>(result.ptr - digits);
  } else {
    for (; magnitude != 0; magnitude /= 10)
      digits[n++] = static_cast<char>('0' + static_cast<int>(magnitude % 10));
    std::reverse(digits, digits + n);
  }
  const auto fraction = static_cast<std::size_t>(decimals);
  const std::size_t width = std::max(n, fraction + 1);  // with leading zeros
  const std::size_t zeros = width - n;
  if (negative) out += '-';  // value != 0 here: a zero is not negative
  const std::size_t integer = width - fraction;
  // The integer part: leading zeros (only ever the single "0"), then digits.
  const std::size_t integer_zeros = std::min(zeros, integer);
  out.append(integer_zeros, '0');
  out.append(digits, integer - integer_zeros);
  if (fraction == 0) return;
  out += '.';
  out.append(zeros - integer_zeros, '0');
  out.append(digits + (integer - integer_zeros), n - (integer - integer_zeros));
}

}  // namespace exchange::md
