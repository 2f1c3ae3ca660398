// Fixed-point decimal text: an integer in units of 10^-decimals (an engine
// price or quantity with its instrument's decimals, a quote volume with the
// sum of both) written as exact decimal text, and such text read back. The
// one owner of that text: FIX fields (gateway/fix_decimal.h), report columns
// (persistence/history_reports.h, exchange-cli) and the market-data JSON
// (md/) all write it here, so one value gives the same bytes everywhere.
//
// The text: '-' only when the value is not zero, at least one digit before
// the point, exactly `decimals` digits after it and no point when decimals
// is 0: FixedPoint(6543210, 2) is "65432.10", FixedPoint(-5, 3) "-0.005".
// Nothing is ever rounded but by DecimalRatio, which says how.
//
// Pure functions; any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace exchange {

// The most decimals (and DecimalRatio shift) the writers take.
inline constexpr int kMaxFixedPointDecimals = 36;
// The longest text WriteFixedPoint writes: '-', 39 digits (2^127 has 39)
// and the point. An int64 with at most 18 decimals takes at most 21.
inline constexpr std::size_t kMaxFixedPointChars = 41;

// Writes the text of `value` with `decimals` (0..kMaxFixedPointDecimals,
// not checked) to `out`, which has room for kMaxFixedPointChars (or for the
// 21 of an int64 with at most 18 decimals), and returns its end. Allocates
// nothing: the FIX writer's and the market-data JSON's path.
char* WriteFixedPoint(char* out, __int128 value, int decimals);

// Appends the text to `out`, without the allocations and 128-bit divisions
// of DecimalRatio: the depth and kline paths write hundreds per response.
// The same bytes as FixedPoint for every value and 0-36 decimals
// (tests/klines_cache_test.cc compares the two); other decimals: FixedPoint's
// std::invalid_argument.
void AppendFixedPoint(std::string& out, __int128 value, int decimals);

// numerator / denominator / 10^shift in decimal with `decimals` digits after
// the point, rounded half away from zero; exact (integer long division, no
// floating point). DecimalRatio(6543210, 1, 2, 2) is "65432.10",
// DecimalRatio(2, 3, 0, 3) "0.667". Throws std::invalid_argument when
// denominator is 0 or shift or decimals is outside [0, 36].
std::string DecimalRatio(__int128 numerator, __int128 denominator, int shift, int decimals);

// The text of `value` with `decimals` as a string, by the general exact path
// (DecimalRatio(value, 1, decimals, decimals)): FixedPoint(6543210, 2) is
// "65432.10". Throws std::invalid_argument when decimals is outside [0, 36].
std::string FixedPoint(__int128 value, int decimals);

// Why ParseFixedPoint refused a text.
enum class FixedPointError : std::uint8_t {
  kDecimalsOutOfRange,  // `decimals` outside 0..18
  kEmpty,
  kNotANumber,       // not [-]digits[.digits]
  kTooManyDecimals,  // a non-zero digit beyond `decimals`
  kOutOfRange,       // beyond int64
};

// Parses `text` ("123", "123.45", "-0.5", "123.450") as a value with
// `decimals` digits after the point (0..18), exactly: accepts a leading '-'
// and one '.' with a digit on both sides (".5" and "5." are refused), and
// digits beyond `decimals` only when they are zeros. INT64_MIN parses.
std::variant<std::int64_t, FixedPointError> ParseFixedPoint(std::string_view text, int decimals);

}  // namespace exchange
