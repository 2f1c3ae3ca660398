#include "candles/candle_interval.h"

#include <array>
#include <chrono>

namespace exchange::candles {

namespace {

constexpr Timestamp kSecond = 1'000'000'000;
constexpr Timestamp kMinute = 60 * kSecond;
constexpr Timestamp kHour = 60 * kMinute;
constexpr Timestamp kDay = 24 * kHour;
constexpr Timestamp kWeek = 7 * kDay;

// 1970-01-01 was a Thursday; the first Monday, 1970-01-05, is four days later.
constexpr Timestamp kFirstMonday = 4 * kDay;

constexpr std::array<CandleInterval, kIntervalCount> kAllIntervals = {
    CandleInterval::k1s,  CandleInterval::k1m,  CandleInterval::k3m, CandleInterval::k5m,
    CandleInterval::k15m, CandleInterval::k30m, CandleInterval::k1h, CandleInterval::k2h,
    CandleInterval::k4h,  CandleInterval::k6h,  CandleInterval::k8h, CandleInterval::k12h,
    CandleInterval::k1d,  CandleInterval::k3d,  CandleInterval::k1w, CandleInterval::k1M,
};

// The length of an interval aligned to the epoch (1s .. 3d); 0 for 1w and 1M.
Timestamp EpochAlignedLength(CandleInterval interval) {
  switch (interval) {
    case CandleInterval::k1s: return kSecond;
    case CandleInterval::k1m: return kMinute;
    case CandleInterval::k3m: return 3 * kMinute;
    case CandleInterval::k5m: return 5 * kMinute;
    case CandleInterval::k15m: return 15 * kMinute;
    case CandleInterval::k30m: return 30 * kMinute;
    case CandleInterval::k1h: return kHour;
    case CandleInterval::k2h: return 2 * kHour;
    case CandleInterval::k4h: return 4 * kHour;
    case CandleInterval::k6h: return 6 * kHour;
    case CandleInterval::k8h: return 8 * kHour;
    case CandleInterval::k12h: return 12 * kHour;
    case CandleInterval::k1d: return kDay;
    case CandleInterval::k3d: return 3 * kDay;
    case CandleInterval::k1w: return 0;
    case CandleInterval::k1M: return 0;
  }
  return 0;
}

// The largest multiple of `length` (> 0) not above `t`, counted from `origin`.
Timestamp FloorToMultiple(Timestamp t, Timestamp origin, Timestamp length) {
  Timestamp offset = t - origin;
  Timestamp remainder = offset % length;
  if (remainder < 0) remainder += length;
  return t - remainder;
}

// Midnight UTC of the first day of the month that contains `t`.
Timestamp MonthStart(Timestamp t) {
  using namespace std::chrono;
  const sys_days day = floor<days>(sys_time<nanoseconds>(nanoseconds(t)));
  const year_month_day date(day);
  const sys_days first = sys_days(date.year() / date.month() / 1);
  return duration_cast<nanoseconds>(first.time_since_epoch()).count();
}

// Midnight UTC of the first day of the month after the one containing `t`.
Timestamp NextMonthStart(Timestamp t) {
  using namespace std::chrono;
  const sys_days day = floor<days>(sys_time<nanoseconds>(nanoseconds(t)));
  const year_month_day date(day);
  const year_month first_of_next = date.year() / date.month() + months(1);
  const sys_days next = sys_days(first_of_next / 1);
  return duration_cast<nanoseconds>(next.time_since_epoch()).count();
}

}  // namespace

std::string_view IntervalName(CandleInterval interval) {
  switch (interval) {
    case CandleInterval::k1s: return "1s";
    case CandleInterval::k1m: return "1m";
    case CandleInterval::k3m: return "3m";
    case CandleInterval::k5m: return "5m";
    case CandleInterval::k15m: return "15m";
    case CandleInterval::k30m: return "30m";
    case CandleInterval::k1h: return "1h";
    case CandleInterval::k2h: return "2h";
    case CandleInterval::k4h: return "4h";
    case CandleInterval::k6h: return "6h";
    case CandleInterval::k8h: return "8h";
    case CandleInterval::k12h: return "12h";
    case CandleInterval::k1d: return "1d";
    case CandleInterval::k3d: return "3d";
    case CandleInterval::k1w: return "1w";
    case CandleInterval::k1M: return "1M";
  }
  return "?";
}

std::optional<CandleInterval> ParseInterval(std::string_view name) {
  for (CandleInterval interval : kAllIntervals) {
    if (IntervalName(interval) == name) return interval;
  }
  return std::nullopt;
}

std::span<const CandleInterval> AllIntervals() {
  return kAllIntervals;
}

Timestamp BucketStart(Timestamp t, CandleInterval interval) {
  if (interval == CandleInterval::k1M) return MonthStart(t);
  if (interval == CandleInterval::k1w) return FloorToMultiple(t, kFirstMonday, kWeek);
  return FloorToMultiple(t, 0, EpochAlignedLength(interval));
}

Timestamp BucketEnd(Timestamp bucket_start, CandleInterval interval) {
  if (interval == CandleInterval::k1M) return NextMonthStart(bucket_start);
  if (interval == CandleInterval::k1w) return bucket_start + kWeek;
  return bucket_start + EpochAlignedLength(interval);
}

}  // namespace exchange::candles
