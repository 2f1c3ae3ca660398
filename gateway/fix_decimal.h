// Exact conversion between FIX decimal text (Price(44), OrderQty(38), …) and
// the engine's int64 fixed-point units. Never rounds: a value with more
// digits than the instrument's decimals, or off its tick or lot, is an error
// whose text is sent back to the client. The text itself is
// base/fixed_point_text.h's (the same bytes as the reports and market data);
// this adds the FIX error texts, the tick/lot check and the int64 limits.
//
// Pure functions: any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace exchange::fix {

struct DecimalError {
  std::string text;  // e.g. "Price(44) 101.005 has more than 2 decimals"
};

// Parses `text` ("123", "123.45", "-0.5", "123.450") as a fixed-point value
// with `decimals` digits after the point (0..18). Refuses: empty text, a sign
// other than a leading '-', any character but digits and one '.', a '.' with
// no digit on either side, non-zero digits beyond `decimals`, overflow of
// int64. A '.' needs a digit on both sides: ".5" and "5." are refused too.
// `what` names the field in the error text ("Price(44)"). A `decimals`
// outside 0..18 is an error too.
std::variant<std::int64_t, DecimalError> ParseDecimal(std::string_view text, int decimals,
                                                      std::string_view what);

// As ParseDecimal, then requires value % step == 0 (step > 0): the error
// names the step in decimal ("Price(44) 100.05 is not a multiple of the tick
// 0.10").
std::variant<std::int64_t, DecimalError> ParseDecimalOnStep(std::string_view text, int decimals,
                                                            std::int64_t step,
                                                            std::string_view what,
                                                            std::string_view step_name);

// Fixed-point to decimal text with exactly `decimals` digits after the point
// (none and no point when decimals is 0): FormatDecimal(-5, 2) is "-0.05".
// `decimals` must be 0..18 (asserted; outside, it is clamped to that range).
std::string FormatDecimal(std::int64_t value, int decimals);

// The longest FormatDecimal text: '-', 19 digits and the point.
inline constexpr std::size_t kMaxDecimalChars = 21;
// FormatDecimal without allocating (FixWriter::AddDecimal): writes the text
// to `out`, which has room for kMaxDecimalChars, and returns its end.
char* FormatDecimalTo(char* out, std::int64_t value, int decimals);

}  // namespace exchange::fix
