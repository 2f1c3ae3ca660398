// AppendFixedPoint: persistence::FixedPoint's text (an engine integer written
// with an instrument's decimals: exact, "-" only when not zero, at least one
// digit before the point) appended to a buffer, without the allocations and
// 128-bit divisions of the general DecimalRatio: the depth and kline paths
// write hundreds of these per response. Identical output for every value
// and 0-36 decimals (tests compare the two); other decimals: FixedPoint's
// (which throws).
//
// Pure function; any thread.
#pragma once

#include <string>

namespace exchange::md {

void AppendFixedPoint(std::string& out, __int128 value, int decimals);

}  // namespace exchange::md
