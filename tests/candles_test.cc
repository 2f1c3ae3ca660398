// Tests of candles/: the UTC bucket rules of every interval (hand-checked
// civil dates), the Merge monoid, and CandleAggregator against ComputeCandles
// on random trade streams (rapidcheck): replays never count, deltas merged in
// any batches equal the recomputation, and the live candle is the newest one.
//
// Set RC_PARAMS="seed=S" to reproduce a property run.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "candles/candle.h"
#include "candles/candle_aggregator.h"
#include "candles/candle_interval.h"

namespace exchange::candles {

// Readable failures in gtest and rapidcheck.
std::ostream& operator<<(std::ostream& os, const Candle& c) {
  return os << "{" << c.symbol.view() << " " << IntervalName(c.interval) << " [" << c.open_time
            << "," << c.close_time << ") o=" << c.open << " h=" << c.high << " l=" << c.low
            << " c=" << c.close << " v=" << c.volume << " q=" << QuoteVolumeString(c.quote_volume)
            << " n=" << c.trade_count << " ids=" << c.first_trade_id << ".." << c.last_trade_id
            << "}";
}

std::ostream& operator<<(std::ostream& os, CandleInterval interval) {
  return os << IntervalName(interval);
}

namespace {

constexpr Timestamp kNanos = 1'000'000'000;
constexpr Timestamp kDayNanos = 86'400 * kNanos;
constexpr CandleInterval k1s = CandleInterval::k1s;
constexpr CandleInterval k1m = CandleInterval::k1m;
constexpr CandleInterval k1h = CandleInterval::k1h;
constexpr CandleInterval k1d = CandleInterval::k1d;
constexpr CandleInterval k3d = CandleInterval::k3d;
constexpr CandleInterval k1w = CandleInterval::k1w;
constexpr CandleInterval k1M = CandleInterval::k1M;

// The timestamp of y-m-d hh:mm:ss + ns, UTC.
Timestamp At(int y, unsigned m, unsigned d, int hh = 0, int mm = 0, int ss = 0, Timestamp ns = 0) {
  using namespace std::chrono;
  const sys_days day = sys_days(year(y) / month(m) / d);
  return day.time_since_epoch().count() * kDayNanos + ((hh * 60 + mm) * 60 + ss) * kNanos + ns;
}

CandleTrade Trade(std::string_view symbol, Sequence id, Timestamp time, Price price,
                  Quantity quantity) {
  return CandleTrade{SymbolName(symbol), id, time, price, quantity};
}

// ---------------------------------------------------------------- intervals

TEST(CandleIntervalTest, NamesAreBinancesAndRoundTrip) {
  const std::vector<std::string_view> expected = {"1s", "1m", "3m", "5m", "15m", "30m",
                                                  "1h", "2h", "4h", "6h", "8h",  "12h",
                                                  "1d", "3d", "1w", "1M"};
  ASSERT_EQ(AllIntervals().size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(IntervalName(AllIntervals()[i]), expected[i]);
    EXPECT_EQ(ParseInterval(expected[i]), AllIntervals()[i]);
  }
}

TEST(CandleIntervalTest, ParseIsExactAndCaseSensitive) {
  EXPECT_EQ(ParseInterval("1m"), CandleInterval::k1m);
  EXPECT_EQ(ParseInterval("1M"), CandleInterval::k1M);
  EXPECT_EQ(ParseInterval("1H"), std::nullopt);
  EXPECT_EQ(ParseInterval("1D"), std::nullopt);
  EXPECT_EQ(ParseInterval("60m"), std::nullopt);
  EXPECT_EQ(ParseInterval(" 1m"), std::nullopt);
  EXPECT_EQ(ParseInterval(""), std::nullopt);
}

TEST(CandleIntervalTest, CivilDateHelperMatchesKnownEpochSeconds) {
  EXPECT_EQ(At(1970, 1, 1), 0);
  EXPECT_EQ(At(2024, 1, 1), 1'704'067'200 * kNanos);
  EXPECT_EQ(At(2024, 2, 29, 12, 30, 15), 1'709'209'815 * kNanos);
}

TEST(CandleIntervalTest, TradeOnABoundaryBelongsToTheBucketStartingThere) {
  const Timestamp boundary = At(2024, 3, 15, 12, 0, 0);
  for (CandleInterval interval :
       {CandleInterval::k1s, CandleInterval::k1m, CandleInterval::k3m, CandleInterval::k5m,
        CandleInterval::k15m, CandleInterval::k30m, CandleInterval::k1h, CandleInterval::k2h,
        CandleInterval::k4h, CandleInterval::k6h, CandleInterval::k12h}) {
    EXPECT_EQ(BucketStart(boundary, interval), boundary) << interval;
    EXPECT_EQ(BucketEnd(BucketStart(boundary - 1, interval), interval), boundary) << interval;
  }
  EXPECT_EQ(BucketStart(At(2024, 3, 1), k1M), At(2024, 3, 1));
  EXPECT_EQ(BucketStart(At(2024, 3, 1) - 1, k1M), At(2024, 2, 1));
  EXPECT_EQ(BucketStart(At(2024, 3, 18), k1w), At(2024, 3, 18));
  EXPECT_EQ(BucketStart(At(2024, 3, 18) - 1, k1w), At(2024, 3, 11));
}

TEST(CandleIntervalTest, WeeksStartOnMonday) {
  EXPECT_EQ(BucketStart(At(2024, 1, 1), k1w), At(2024, 1, 1));  // a Monday
  EXPECT_EQ(BucketStart(At(2023, 12, 31, 23, 59, 59), k1w), At(2023, 12, 25));
  EXPECT_EQ(BucketEnd(At(2023, 12, 25), k1w), At(2024, 1, 1));
  EXPECT_EQ(BucketStart(At(2024, 1, 7, 23, 59, 59), k1w), At(2024, 1, 1));  // Sunday
  EXPECT_EQ(BucketStart(At(2024, 1, 8), k1w), At(2024, 1, 8));
  // 1970-01-01, a Thursday, is in the week that started on Monday 1969-12-29.
  EXPECT_EQ(BucketStart(0, k1w), At(1969, 12, 29));
  EXPECT_EQ(BucketStart(At(1970, 1, 5), k1w), At(1970, 1, 5));
}

TEST(CandleIntervalTest, MonthsAreCalendarMonths) {
  EXPECT_EQ(BucketStart(At(2024, 2, 29, 13, 14, 15), k1M), At(2024, 2, 1));
  EXPECT_EQ(BucketEnd(At(2024, 2, 1), k1M), At(2024, 3, 1));
  EXPECT_EQ(BucketEnd(At(2023, 2, 1), k1M) - At(2023, 2, 1), 28 * kDayNanos);
  EXPECT_EQ(BucketEnd(At(2024, 2, 1), k1M) - At(2024, 2, 1), 29 * kDayNanos);
  EXPECT_EQ(BucketEnd(At(2024, 4, 1), k1M) - At(2024, 4, 1), 30 * kDayNanos);
  EXPECT_EQ(BucketEnd(At(2024, 1, 1), k1M) - At(2024, 1, 1), 31 * kDayNanos);
  EXPECT_EQ(BucketEnd(At(2000, 2, 1), k1M) - At(2000, 2, 1), 29 * kDayNanos);  // 400-year leap
  EXPECT_EQ(BucketEnd(At(2100, 2, 1), k1M) - At(2100, 2, 1), 28 * kDayNanos);  // century, not leap
  EXPECT_EQ(BucketEnd(At(2024, 12, 1), k1M), At(2025, 1, 1));
  EXPECT_EQ(BucketStart(At(2199, 12, 31, 23, 59, 59, 999'999'999), k1M), At(2199, 12, 1));
  EXPECT_EQ(BucketEnd(At(2199, 12, 1), k1M), At(2200, 1, 1));
}

TEST(CandleIntervalTest, YearChange) {
  const Timestamp last_of_2023 = At(2023, 12, 31, 23, 59, 59, 999'999'999);
  const Timestamp first_of_2024 = At(2024, 1, 1);
  for (CandleInterval interval : AllIntervals()) {
    if (interval == k3d) continue;  // 2024-01-01 is not a 3-day boundary (below)
    EXPECT_LT(BucketStart(last_of_2023, interval), first_of_2024) << interval;
    EXPECT_EQ(BucketEnd(BucketStart(last_of_2023, interval), interval), first_of_2024) << interval;
    EXPECT_EQ(BucketStart(first_of_2024, interval), first_of_2024) << interval;
  }
  EXPECT_EQ(BucketStart(last_of_2023, k1s), At(2023, 12, 31, 23, 59, 59));
  EXPECT_EQ(BucketStart(last_of_2023, k1M), At(2023, 12, 1));
  // Day 19722 since the epoch (2023-12-31) is a multiple of 3.
  EXPECT_EQ(BucketStart(last_of_2023, k3d), At(2023, 12, 31));
  EXPECT_EQ(BucketStart(first_of_2024, k3d), At(2023, 12, 31));
  EXPECT_EQ(BucketEnd(At(2023, 12, 31), k3d), At(2024, 1, 3));
}

TEST(CandleIntervalTest, DayThreeDayAndHourAlignment) {
  const Timestamp t = At(2024, 5, 17, 13, 47, 12, 5);
  EXPECT_EQ(BucketStart(t, k1d), At(2024, 5, 17));
  EXPECT_EQ(BucketStart(t, CandleInterval::k12h), At(2024, 5, 17, 12));
  EXPECT_EQ(BucketStart(t, CandleInterval::k8h), At(2024, 5, 17, 8));
  EXPECT_EQ(BucketStart(t, CandleInterval::k6h), At(2024, 5, 17, 12));
  EXPECT_EQ(BucketStart(t, CandleInterval::k4h), At(2024, 5, 17, 12));
  EXPECT_EQ(BucketEnd(At(2024, 5, 17, 12), CandleInterval::k4h), At(2024, 5, 17, 16));
  EXPECT_EQ(BucketStart(At(2024, 5, 17, 3, 59, 59), CandleInterval::k4h), At(2024, 5, 17, 0));
  EXPECT_EQ(BucketStart(At(2024, 5, 17, 23, 59, 59), CandleInterval::k4h), At(2024, 5, 17, 20));
  EXPECT_EQ(BucketStart(t, CandleInterval::k2h), At(2024, 5, 17, 12));
  EXPECT_EQ(BucketStart(t, k1h), At(2024, 5, 17, 13));
  EXPECT_EQ(BucketStart(t, CandleInterval::k30m), At(2024, 5, 17, 13, 30));
  EXPECT_EQ(BucketStart(t, CandleInterval::k15m), At(2024, 5, 17, 13, 45));
  EXPECT_EQ(BucketStart(t, CandleInterval::k5m), At(2024, 5, 17, 13, 45));
  EXPECT_EQ(BucketStart(t, CandleInterval::k3m), At(2024, 5, 17, 13, 45));
  EXPECT_EQ(BucketStart(t, k1m), At(2024, 5, 17, 13, 47));
  EXPECT_EQ(BucketStart(t, k1s), At(2024, 5, 17, 13, 47, 12));
  // 3d: multiples of three days since 1970-01-01.
  EXPECT_EQ(BucketStart(At(1970, 1, 3, 23, 59, 59), k3d), 0);
  EXPECT_EQ(BucketStart(At(1970, 1, 4), k3d), At(1970, 1, 4));
  EXPECT_EQ(BucketStart(t, k3d), At(2024, 5, 17));  // day 19860 = 3 × 6620
  EXPECT_EQ(BucketStart(At(2024, 5, 19, 23, 59, 59), k3d), At(2024, 5, 17));
  EXPECT_EQ(BucketEnd(At(2024, 5, 17), k3d), At(2024, 5, 20));
}

// For every interval and any time from 1970 to 2200: the bucket contains the
// time, is idempotent, is followed directly by the next, and sits on the
// interval's grid (checked with the calendar independently).
RC_GTEST_PROP(CandleIntervalProperty, BucketsTileTimeOnTheirGrid, ()) {
  const Timestamp end_of_range = At(2200, 1, 1);
  const Timestamp t = *rc::gen::inRange<Timestamp>(0, end_of_range);
  for (CandleInterval interval : AllIntervals()) {
    const Timestamp start = BucketStart(t, interval);
    const Timestamp end = BucketEnd(start, interval);
    RC_ASSERT(start <= t);
    RC_ASSERT(t < end);
    RC_ASSERT(BucketStart(start, interval) == start);
    RC_ASSERT(BucketStart(end - 1, interval) == start);
    RC_ASSERT(BucketStart(end, interval) == end);

    using namespace std::chrono;
    const sys_days day = floor<days>(sys_time<nanoseconds>(nanoseconds(start)));
    const Timestamp day_start = day.time_since_epoch().count() * kDayNanos;
    if (interval == k1M) {
      RC_ASSERT(start == day_start);
      RC_ASSERT(year_month_day(day).day() == std::chrono::day(1));
    } else if (interval == k1w) {
      RC_ASSERT(start == day_start);
      RC_ASSERT(weekday(day) == Monday);
      RC_ASSERT(end - start == 7 * kDayNanos);
    } else {
      RC_ASSERT(start % (end - start) == 0);
    }
  }
}

// ---------------------------------------------------------------- candle

TEST(CandleTest, CandleOfOneTrade) {
  const Candle c = CandleOf(Trade("BTC-USD", 7, At(2024, 1, 1, 10, 0, 30), 4200, 3), k1m);
  EXPECT_EQ(c.symbol.view(), "BTC-USD");
  EXPECT_EQ(c.interval, k1m);
  EXPECT_EQ(c.open_time, At(2024, 1, 1, 10, 0, 0));
  EXPECT_EQ(c.close_time, At(2024, 1, 1, 10, 1, 0));
  EXPECT_EQ(std::tie(c.open, c.high, c.low, c.close), std::tuple(4200, 4200, 4200, 4200));
  EXPECT_EQ(c.volume, 3);
  EXPECT_TRUE(c.quote_volume == 12600);
  EXPECT_EQ(c.trade_count, 1u);
  EXPECT_EQ(c.first_trade_id, 7u);
  EXPECT_EQ(c.last_trade_id, 7u);
}

TEST(CandleTest, OpenAndCloseFollowTradeIdsNotMergeOrder) {
  const Timestamp t = At(2024, 1, 1, 10, 0, 0);
  const Candle early = CandleOf(Trade("X", 10, t + 50 * kNanos, 100, 1), k1m);  // later time
  const Candle late = CandleOf(Trade("X", 20, t + 5 * kNanos, 300, 2), k1m);    // earlier time
  Candle a = late;
  Merge(a, early);
  Candle b = early;
  Merge(b, late);
  EXPECT_EQ(a, b);
  EXPECT_EQ(a.open, 100);
  EXPECT_EQ(a.close, 300);
  EXPECT_EQ(a.high, 300);
  EXPECT_EQ(a.low, 100);
  EXPECT_EQ(a.volume, 3);
  EXPECT_TRUE(a.quote_volume == 700);
  EXPECT_EQ(a.trade_count, 2u);
  EXPECT_EQ(a.first_trade_id, 10u);
  EXPECT_EQ(a.last_trade_id, 20u);
}

TEST(CandleTest, EmptyCandleIsTheIdentity) {
  const Candle one = CandleOf(Trade("X", 1, At(2024, 1, 1), 5, 5), k1h);
  Candle into;
  Merge(into, one);
  EXPECT_EQ(into, one);
  Merge(into, Candle{});
  EXPECT_EQ(into, one);
}

TEST(CandleTest, MergeOfDifferentBucketsThrows) {
  Candle a = CandleOf(Trade("X", 1, At(2024, 1, 1, 0, 0), 5, 5), k1m);
  const Candle later = CandleOf(Trade("X", 2, At(2024, 1, 1, 0, 1), 5, 5), k1m);
  const Candle other_symbol = CandleOf(Trade("Y", 3, At(2024, 1, 1, 0, 0), 5, 5), k1m);
  const Candle other_interval = CandleOf(Trade("X", 4, At(2024, 1, 1, 0, 0), 5, 5), k1h);
  EXPECT_THROW(Merge(a, later), std::invalid_argument);
  EXPECT_THROW(Merge(a, other_symbol), std::invalid_argument);
  EXPECT_THROW(Merge(a, other_interval), std::invalid_argument);
  EXPECT_EQ(a.trade_count, 1u);
}

TEST(CandleTest, QuoteVolumeIsExactBeyondInt64) {
  const Price price = 4'000'000'000'000;        // 4e12
  const Quantity quantity = 3'000'000'000'000;  // 3e12
  const Candle c = CandleOf(Trade("X", 1, 0, price, quantity), k1s);
  EXPECT_EQ(QuoteVolumeString(c.quote_volume), "12000000000000000000000000");
}

TEST(CandleTest, QuoteVolumeString) {
  EXPECT_EQ(QuoteVolumeString(0), "0");
  EXPECT_EQ(QuoteVolumeString(7), "7");
  EXPECT_EQ(QuoteVolumeString(-42), "-42");
  EXPECT_EQ(QuoteVolumeString(static_cast<__int128>(INT64_MAX) + 1), "9223372036854775808");
  const __int128 max = std::numeric_limits<__int128>::max();
  EXPECT_EQ(QuoteVolumeString(max), "170141183460469231731687303715884105727");
  EXPECT_EQ(QuoteVolumeString(-max - 1), "-170141183460469231731687303715884105728");
}

// ---------------------------------------------------------------- aggregator

TEST(CandleAggregatorTest, ReplayedTradesChangeNothing) {
  CandleAggregator aggregator;
  const Timestamp t = At(2024, 6, 3, 9, 0, 0);
  const std::vector<CandleTrade> trades = {Trade("X", 5, t, 100, 1),
                                           Trade("X", 6, t + kNanos, 110, 2),
                                           Trade("X", 9, t + 2 * kNanos, 90, 3)};
  for (const CandleTrade& trade : trades)
    EXPECT_TRUE(aggregator.Add(trade));
  EXPECT_EQ(aggregator.Watermark("X"), 9u);
  EXPECT_EQ(aggregator.TakeChanges().size(), AllIntervals().size() + 2);  // 1s: three buckets
  const std::optional<Candle> live_before = aggregator.Live("X", k1h);
  ASSERT_TRUE(live_before.has_value());

  for (const CandleTrade& trade : trades)
    EXPECT_FALSE(aggregator.Add(trade));
  EXPECT_FALSE(aggregator.Add(Trade("X", 7, t + 3 * kNanos, 500, 9)));  // unseen but below
  EXPECT_TRUE(aggregator.TakeChanges().empty());
  EXPECT_EQ(aggregator.Live("X", k1h), live_before);
  EXPECT_EQ(aggregator.Watermark("X"), 9u);

  // Watermarks are per symbol.
  EXPECT_TRUE(aggregator.Add(Trade("Y", 7, t, 1, 1)));
  EXPECT_EQ(aggregator.Watermark("Y"), 7u);
  EXPECT_EQ(aggregator.Watermark("Z"), 0u);
}

TEST(CandleAggregatorTest, OlderBucketGoesToChangesNotLive) {
  CandleAggregator aggregator(std::vector{k1m, k1h});
  const Timestamp ten = At(2024, 6, 3, 10, 0, 0);
  aggregator.Add(Trade("X", 1, ten + 30 * kNanos, 100, 1));
  aggregator.Add(Trade("X", 2, ten + 70 * kNanos, 200, 1));  // 10:01
  aggregator.Add(Trade("X", 3, ten + 50 * kNanos, 300, 1));  // back to 10:00

  const std::optional<Candle> live_minute = aggregator.Live("X", k1m);
  ASSERT_TRUE(live_minute.has_value());
  EXPECT_EQ(live_minute->open_time, ten + 60 * kNanos);
  EXPECT_EQ(live_minute->trade_count, 1u);
  EXPECT_EQ(live_minute->close, 200);

  const std::optional<Candle> live_hour = aggregator.Live("X", k1h);
  ASSERT_TRUE(live_hour.has_value());
  EXPECT_EQ(live_hour->trade_count, 3u);
  EXPECT_EQ(live_hour->open, 100);
  EXPECT_EQ(live_hour->close, 300);  // highest trade id, though not the latest time

  const std::vector<Candle> changes = aggregator.TakeChanges();
  ASSERT_EQ(changes.size(), 3u);
  EXPECT_EQ(changes[0].interval, k1m);
  EXPECT_EQ(changes[0].open_time, ten);
  EXPECT_EQ(changes[0].trade_count, 2u);
  EXPECT_EQ(changes[0].close, 300);
  EXPECT_EQ(changes[1].interval, k1m);
  EXPECT_EQ(changes[1].open_time, ten + 60 * kNanos);
  EXPECT_EQ(changes[2].interval, k1h);
  EXPECT_EQ(changes[2], *live_hour);
  EXPECT_FALSE(aggregator.Live("X", k1s).has_value());  // not kept
}

TEST(CandleAggregatorTest, ChangesAreSortedBySymbolIntervalOpenTime) {
  CandleAggregator aggregator(std::vector{k1h, k1m, k1h});
  EXPECT_EQ(std::vector(aggregator.Intervals().begin(), aggregator.Intervals().end()),
            (std::vector{k1m, k1h}));
  const Timestamp t = At(2024, 6, 3, 10, 0, 0);
  aggregator.Add(Trade("B", 1, t + 120 * kNanos, 1, 1));
  aggregator.Add(Trade("A", 2, t + 60 * kNanos, 1, 1));
  aggregator.Add(Trade("B", 3, t, 1, 1));
  std::vector<std::tuple<std::string, CandleInterval, Timestamp>> keys;
  for (const Candle& c : aggregator.TakeChanges())
    keys.emplace_back(c.symbol.str(), c.interval, c.open_time);
  const std::vector<std::tuple<std::string, CandleInterval, Timestamp>> expected = {
      {"A", k1m, t + 60 * kNanos},
      {"A", k1h, t},
      {"B", k1m, t},
      {"B", k1m, t + 120 * kNanos},
      {"B", k1h, t}};
  EXPECT_EQ(keys, expected);
  EXPECT_TRUE(aggregator.TakeChanges().empty());
}

TEST(CandleAggregatorTest, RestoreSetsLiveAndWatermark) {
  const Timestamp t = At(2024, 6, 3, 10, 0, 0);
  Candle stored = CandleOf(Trade("X", 90, t, 100, 1), k1m);
  Merge(stored, CandleOf(Trade("X", 100, t + kNanos, 120, 1), k1m));

  CandleAggregator aggregator(std::vector{k1m});
  aggregator.Restore(stored, 95);
  EXPECT_EQ(aggregator.Watermark("X"), 100u);  // the live candle's last trade counts too
  aggregator.Restore(stored, 150);
  EXPECT_EQ(aggregator.Watermark("X"), 150u);
  EXPECT_EQ(aggregator.Live("X", k1m), stored);
  EXPECT_TRUE(aggregator.TakeChanges().empty());

  EXPECT_FALSE(aggregator.Add(Trade("X", 150, t + 2 * kNanos, 999, 1)));
  EXPECT_TRUE(aggregator.Add(Trade("X", 151, t + 2 * kNanos, 80, 4)));
  const std::optional<Candle> live = aggregator.Live("X", k1m);
  ASSERT_TRUE(live.has_value());
  EXPECT_EQ(live->trade_count, 3u);
  EXPECT_EQ(live->open, 100);
  EXPECT_EQ(live->close, 80);
  EXPECT_EQ(live->low, 80);
  EXPECT_EQ(live->volume, 6);
  const std::vector<Candle> changes = aggregator.TakeChanges();
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].trade_count, 1u);  // only the delta
  EXPECT_EQ(changes[0].first_trade_id, 151u);

  EXPECT_TRUE(aggregator.Add(Trade("X", 152, t + 60 * kNanos, 70, 1)));
  EXPECT_EQ(aggregator.Live("X", k1m)->open_time, t + 60 * kNanos);
  EXPECT_EQ(aggregator.Live("X", k1m)->trade_count, 1u);
}

TEST(ComputeCandlesTest, GroupsByBucketOrdersByIdAndSkipsEmptyBuckets) {
  const Timestamp t = At(2024, 6, 3, 10, 0, 0);
  const std::vector<CandleTrade> trades = {
      Trade("X", 4, t + 125 * kNanos, 40, 1), Trade("X", 2, t + 10 * kNanos, 20, 2),
      Trade("X", 1, t + 50 * kNanos, 10, 3), Trade("Y", 3, t + 5 * kNanos, 30, 4),
      Trade("X", 5, t + 121 * kNanos, 50, 5)};
  const std::vector<Candle> candles = ComputeCandles(trades, k1m);
  ASSERT_EQ(candles.size(), 3u);  // X 10:00, X 10:02 (nothing at 10:01), Y 10:00
  EXPECT_EQ(candles[0].symbol.view(), "X");
  EXPECT_EQ(candles[0].open_time, t);
  EXPECT_EQ(std::tie(candles[0].open, candles[0].close), std::tuple(10, 20));
  EXPECT_EQ(candles[1].open_time, t + 120 * kNanos);
  EXPECT_EQ(std::tie(candles[1].open, candles[1].close), std::tuple(40, 50));
  EXPECT_EQ(candles[1].high, 50);
  EXPECT_EQ(candles[1].low, 40);
  EXPECT_EQ(candles[1].volume, 6);
  EXPECT_TRUE(candles[1].quote_volume == 290);
  EXPECT_EQ(candles[1].first_trade_id, 4u);
  EXPECT_EQ(candles[1].last_trade_id, 5u);
  EXPECT_EQ(candles[2].symbol.view(), "Y");
  EXPECT_TRUE(ComputeCandles({}, k1m).empty());
}

// ---------------------------------------------------------------- properties

// One generated step of a trade stream. Small numbers so that shrinking gives
// readable cases.
struct StreamStep {
  int symbol = 0;     // index into kSymbols
  int scale = 0;      // index into kScales: the size of the time move
  int backwards = 0;  // 0..9; 0 moves time back by up to three scales
  int move = 0;       // 0..1000: thousandths of the scale (× 3 backwards)
  int id_gap = 1;     // trade id increment
  int price = 1;
  int big = 0;  // 0..9; 0 uses a price and quantity beyond int64 products
  int quantity = 1;
  int replay = 0;  // 0..9; 0 first re-adds an earlier trade
  int take = 0;    // 0..9; 0 calls TakeChanges() after the step
};

constexpr std::string_view kSymbols[] = {"AAA", "BB", "C-USD"};
constexpr Timestamp kScales[] = {kNanos,    60 * kNanos,   3600 * kNanos,
                                 kDayNanos, 7 * kDayNanos, 31 * kDayNanos};

rc::Gen<StreamStep> GenStreamStep() {
  namespace gen = rc::gen;
  return gen::build<StreamStep>(gen::set(&StreamStep::symbol, gen::inRange(0, 3)),
                                gen::set(&StreamStep::scale, gen::inRange(0, 6)),
                                gen::set(&StreamStep::backwards, gen::inRange(0, 10)),
                                gen::set(&StreamStep::move, gen::inRange(0, 1001)),
                                gen::set(&StreamStep::id_gap, gen::inRange(1, 4)),
                                gen::set(&StreamStep::price, gen::inRange(1, 1000)),
                                gen::set(&StreamStep::big, gen::inRange(0, 10)),
                                gen::set(&StreamStep::quantity, gen::inRange(1, 100)),
                                gen::set(&StreamStep::replay, gen::inRange(0, 10)),
                                gen::set(&StreamStep::take, gen::inRange(0, 10)));
}

using BucketKey = std::tuple<std::string, CandleInterval, Timestamp>;

BucketKey KeyOf(const Candle& c) {
  return {c.symbol.str(), c.interval, c.open_time};
}

RC_GTEST_PROP(CandleAggregatorProperty, MergedChangesEqualRecomputationAndLiveIsNewest, ()) {
  const auto steps = *rc::gen::container<std::vector<StreamStep>>(GenStreamStep());
  const Timestamp start = At(2020, 1, 1) + *rc::gen::inRange<Timestamp>(0, 3650) * kDayNanos +
                          *rc::gen::inRange<Timestamp>(0, kDayNanos);

  CandleAggregator aggregator;
  std::vector<CandleTrade> applied;
  std::map<BucketKey, Candle> stored;  // what storage holds after merging every delta
  const auto take_changes = [&] {
    const std::vector<Candle> changes = aggregator.TakeChanges();
    for (std::size_t i = 1; i < changes.size(); ++i) {
      RC_ASSERT(KeyOf(changes[i - 1]) < KeyOf(changes[i]));
    }
    for (const Candle& delta : changes)
      Merge(stored[KeyOf(delta)], delta);
  };

  Timestamp time = start;
  Sequence id = 0;
  for (const StreamStep& step : steps) {
    if (step.replay == 0 && !applied.empty()) {
      const CandleTrade old = applied[static_cast<std::size_t>(step.move) % applied.size()];
      RC_ASSERT(!aggregator.Add(old));
    }
    const Timestamp scale = kScales[step.scale];
    if (step.backwards == 0) {
      time -= 3 * scale / 1000 * step.move;
    } else {
      time += scale / 1000 * step.move;
    }
    id += static_cast<Sequence>(step.id_gap);
    const Price price = step.big == 0 ? Price{step.price} * 1'000'000'000'000 : step.price;
    const Quantity quantity =
        step.big == 0 ? Quantity{step.quantity} * 1'000'000'000 : step.quantity;
    const CandleTrade trade = Trade(kSymbols[step.symbol], id, time, price, quantity);
    RC_ASSERT(aggregator.Add(trade));
    applied.push_back(trade);
    if (step.take == 0) take_changes();
  }
  take_changes();

  for (CandleInterval interval : AllIntervals()) {
    const std::vector<Candle> expected = ComputeCandles(applied, interval);
    std::vector<Candle> merged;
    for (const auto& [key, candle] : stored) {
      if (candle.interval == interval) merged.push_back(candle);
    }
    RC_ASSERT(merged == expected);

    for (std::string_view symbol : kSymbols) {
      std::optional<Candle> newest;
      for (const Candle& c : expected) {
        if (c.symbol.view() == symbol) newest = c;  // sorted by open_time
      }
      RC_ASSERT(aggregator.Live(symbol, interval) == newest);
    }
  }
}

// Splitting the trades of one bucket into disjoint parts, building each part
// in any order and merging the parts in any order and grouping gives the
// candle computed from all the trades.
RC_GTEST_PROP(CandleMergeProperty, AssociativeAndCommutativeOnDisjointSplits, ()) {
  const CandleInterval interval = *rc::gen::elementOf(AllIntervals());
  const Timestamp bucket = At(2024, 1, 1) + *rc::gen::inRange<Timestamp>(0, 1000) * kNanos;
  const int count = *rc::gen::inRange(1, 40);
  const int parts = *rc::gen::inRange(1, 5);

  std::vector<CandleTrade> trades;
  std::vector<std::vector<CandleTrade>> split(static_cast<std::size_t>(parts));
  Sequence id = 0;
  for (int i = 0; i < count; ++i) {
    id += *rc::gen::inRange<Sequence>(1, 4);
    const Timestamp time = bucket + *rc::gen::inRange<Timestamp>(0, kNanos);  // one 1s bucket
    const CandleTrade trade = Trade("X", id, time, *rc::gen::inRange<Price>(1, 1000),
                                    *rc::gen::inRange<Quantity>(1, 1000));
    trades.push_back(trade);
    split[*rc::gen::inRange<std::size_t>(0, split.size())].push_back(trade);
  }
  const std::vector<Candle> reference = ComputeCandles(trades, interval);
  RC_ASSERT(reference.size() == 1u);

  // Each part built from its trades in a random order.
  std::vector<Candle> part_candles;
  for (std::vector<CandleTrade>& part : split) {
    const auto order = *rc::gen::unique<std::vector<std::size_t>>(
        part.size(), rc::gen::inRange<std::size_t>(0, part.size()));
    Candle candle;  // empty parts stay the identity
    for (std::size_t i : order)
      Merge(candle, CandleOf(part[i], interval));
    part_candles.push_back(candle);
  }

  Candle left;  // ((p0 ⊕ p1) ⊕ p2) ⊕ ...
  for (const Candle& c : part_candles)
    Merge(left, c);
  Candle right;  // p0 ⊕ (p1 ⊕ (p2 ⊕ ...))
  for (auto it = part_candles.rbegin(); it != part_candles.rend(); ++it) {
    Candle grouped = *it;
    Merge(grouped, right);
    right = grouped;
  }
  const auto permutation = *rc::gen::unique<std::vector<std::size_t>>(
      part_candles.size(), rc::gen::inRange<std::size_t>(0, part_candles.size()));
  Candle shuffled;
  for (std::size_t i : permutation)
    Merge(shuffled, part_candles[i]);

  RC_ASSERT(left == reference[0]);
  RC_ASSERT(right == reference[0]);
  RC_ASSERT(shuffled == reference[0]);
}

}  // namespace
}  // namespace exchange::candles
