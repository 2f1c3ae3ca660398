// CandleInterval: the sixteen candle lengths (Binance's names, "1m" a minute,
// "1M" a month) and the UTC bucket rules that cut time into candles.
//
//   1s .. 1d   fixed length, aligned to multiples of the length since the Unix
//              epoch (so 2h 4h 6h 8h 12h all start at UTC midnight)
//   3d         multiples of three days since 1970-01-01
//   1w         weeks starting Monday 00:00 UTC
//   1M         calendar months starting on the 1st, 00:00 UTC
//
// Plain values and pure functions: any thread. Correct for every timestamp
// from 1970 to 2200 (and for earlier ones too: the fixed rules floor).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "engine/types.h"

namespace exchange::candles {

enum class CandleInterval : std::uint8_t {
  k1s,
  k1m,
  k3m,
  k5m,
  k15m,
  k30m,
  k1h,
  k2h,
  k4h,
  k6h,
  k8h,
  k12h,
  k1d,
  k3d,
  k1w,
  k1M,
};

inline constexpr std::size_t kIntervalCount = 16;

// The name used on the wire and in storage: "1s", "1m", ... "1w", "1M".
std::string_view IntervalName(CandleInterval interval);

// The interval named exactly `name` (case-sensitive); nullopt when unknown.
std::optional<CandleInterval> ParseInterval(std::string_view name);

// Every interval, shortest first (the enumeration's order).
std::span<const CandleInterval> AllIntervals();

// The start of the bucket of `interval` that contains `t`.
Timestamp BucketStart(Timestamp t, CandleInterval interval);

// The exclusive end of the bucket starting at `bucket_start` (a value
// returned by BucketStart): the start of the next bucket.
Timestamp BucketEnd(Timestamp bucket_start, CandleInterval interval);

}  // namespace exchange::candles
