// The time parameters of Binance's window endpoints: `windowSize`
// (ticker) and `timeZone` (ticker/tradingDay, klines), parsed.
//
// Pure functions; any thread.
#pragma once

#include <optional>
#include <string_view>

#include "engine/types.h"  // Timestamp

namespace exchange::md {

// "15m", "4h", "7d" as nanoseconds: 1m–59m, 1h–23h, 1d–7d (no leading
// zero, one unit); nullopt otherwise.
std::optional<Timestamp> ParseWindowSize(std::string_view text);
// "8", "-1:00", "05:45" as minutes east of UTC, within [-12:00, +14:00];
// nullopt otherwise.
std::optional<int> ParseTimeZone(std::string_view text);

}  // namespace exchange::md
