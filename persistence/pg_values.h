// Values of PostgreSQL's text result format, read exactly: bigint, a numeric
// holding an integer (sums, quote quantities) as __int128, and the queries'
// times, (extract(epoch FROM t) * 1000000)::bigint, as nanosecond Timestamps.
//
// Plain functions; any thread. Each throws std::runtime_error naming `what`
// (the column) when the text is not such a value.
#pragma once

#include <cstdint>
#include <string_view>

#include "engine/types.h"

namespace exchange::persistence {

std::int64_t PgInt64(std::string_view text, const char* what);
// "-123", "123" or "123.000" (a numeric of scale > 0 with a zero fraction).
__int128 PgInt128(std::string_view text, const char* what);
// A numeric sum that must fit 64 bits.
std::int64_t PgInt64Sum(std::string_view text, const char* what);
// Microseconds since the epoch, as nanoseconds.
Timestamp PgMicrosToNanos(std::string_view text, const char* what);

}  // namespace exchange::persistence
