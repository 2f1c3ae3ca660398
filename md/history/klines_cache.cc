#include "md/history/klines_cache.h"

#include <algorithm>
#include <array>
#include <limits>

#include "candles/candle_interval.h"
#include "md/api/kline_json.h"

namespace exchange::md {
namespace {

// An entry's `lo` before anything is read: no candle known.
constexpr Timestamp kNothing = std::numeric_limits<Timestamp>::max();
// Rows read at least by a fill or an extension (fewer, larger reads).
constexpr std::size_t kMinRead = 1000;
// Rows read at most on the chance that a window with more buckets than the
// cap holds has few enough candles.
constexpr std::size_t kMaxSpeculativeRead = 10'000;
// Reads for one window at most (a fill, then one extension, suffice but
// for a speculative read).
constexpr int kMaxReads = 3;

constexpr Timestamp kSecond = 1'000'000'000;
// The shortest bucket of each interval (a month: 28 days).
constexpr std::array<Timestamp, candles::kIntervalCount> kShortestBucket = {
    1 * kSecond,     60 * kSecond,     180 * kSecond,    300 * kSecond,
    900 * kSecond,   1800 * kSecond,   3600 * kSecond,   7200 * kSecond,
    14400 * kSecond, 21600 * kSecond,  28800 * kSecond,  43200 * kSecond,
    86400 * kSecond, 259200 * kSecond, 604800 * kSecond, 2419200 * kSecond};

// At most how many buckets open in [from, to) (saturating).
std::size_t BucketsBetween(Timestamp from, Timestamp to, candles::CandleInterval interval) {
  if (to <= from) return 0;
  const __int128 span = static_cast<__int128>(to) - from;
  const __int128 n = span / kShortestBucket[static_cast<std::size_t>(interval)] + 1;
  const auto max = static_cast<__int128>(std::numeric_limits<std::size_t>::max() / 2);
  return static_cast<std::size_t>(std::min(n, max));
}

std::size_t Saturating(std::size_t a, std::size_t b) {
  return a > std::numeric_limits<std::size_t>::max() / 2 - b
             ? std::numeric_limits<std::size_t>::max() / 2
             : a + b;
}

std::size_t LimitOf(const CandleWindow& window) {
  return static_cast<std::size_t>(std::max<std::int64_t>(window.limit, 0));
}

auto ByOpenTime() {
  return [](const CachedCandle& c, Timestamp t) { return c.candle.open_time < t; };
}

// The rows of `rows` opening before `t`.
std::size_t CountBefore(const std::vector<CachedCandle>& rows, Timestamp t) {
  return static_cast<std::size_t>(std::lower_bound(rows.begin(), rows.end(), t, ByOpenTime()) -
                                  rows.begin());
}

}  // namespace

const std::string& CachedCandle::Kline(int price_decimals, int quantity_decimals) {
  if (price_decimals != price_decimals_ || quantity_decimals != quantity_decimals_) {
    kline_.clear();
    AppendKline(kline_, candle, price_decimals, quantity_decimals);
    price_decimals_ = price_decimals;
    quantity_decimals_ = quantity_decimals;
  }
  return kline_;
}

std::optional<KlinesFreshness> ParseKlinesFreshness(std::string_view text) {
  if (text == "every-request") return KlinesFreshness::kEveryRequest;
  if (text == "on-notify") return KlinesFreshness::kOnNotify;
  return std::nullopt;
}

KlinesCache::KlinesCache(HistorySource& history, std::size_t max_rows, KlinesFreshness freshness)
    : history_(history), max_rows_(max_rows), freshness_(freshness) {
  if (freshness_ == KlinesFreshness::kOnNotify && max_rows_ > 0) history_.ListenForCommits();
}

void KlinesCache::Tick() {
  if (freshness_ != KlinesFreshness::kOnNotify || !version_known_ || version_due_) return;
  version_due_ = history_.TakeChanged();
}

bool KlinesCache::VersionDue() {
  if (freshness_ == KlinesFreshness::kEveryRequest || !version_known_ || version_due_) return true;
  version_due_ = history_.TakeChanged();
  return version_due_;
}

void KlinesCache::PrefetchVersion() {
  if (max_rows_ == 0 || version_sent_ || !VersionDue()) return;
  history_.SendVersion();
  version_sent_ = true;
}

const HistoryVersion& KlinesCache::CurrentVersion() {
  if (version_sent_ || VersionDue()) {
    version_sent_ = false;
    version_known_ = false;         // until the answer is in
    version_ = history_.Version();  // PrefetchVersion's answer, or read now
    ++stats_.version_reads;
    version_known_ = true;
    version_due_ = false;
  }
  return version_;
}

std::span<CachedCandle> KlinesCache::Direct(std::string_view symbol,
                                            candles::CandleInterval interval,
                                            const CandleWindow& window) {
  direct_.clear();
  for (const candles::Candle& c : history_.Candles(symbol, interval, window))
    direct_.emplace_back(c);
  ++stats_.direct;
  return direct_;
}

std::span<CachedCandle> KlinesCache::Window(std::string_view symbol,
                                            candles::CandleInterval interval,
                                            const CandleWindow& window) {
  if (max_rows_ == 0) return Direct(symbol, interval, window);
  const HistoryVersion& version = CurrentVersion();
  key_.assign(symbol);
  key_ += '\n';
  key_ += candles::IntervalName(interval);
  auto [it, inserted] = entries_.try_emplace(key_);
  Entry& e = it->second;
  if (inserted) {
    e.symbol = std::string(symbol);
    e.interval = interval;
    e.lo = kNothing;
  }
  e.used = ++tick_;
  bool read = false;
  if (e.lo != kNothing && !(e.version == version)) {
    Refresh(e, version);
    read = true;
    if (rows_ > max_rows_ && !MakeRoom(e, 0)) {
      // The entry alone is over the cap (it grew): its oldest rows go.
      const std::size_t excess = rows_ - max_rows_;
      if (excess >= e.rows.size()) {
        Clear(e);
      } else {
        e.rows.erase(e.rows.begin(), e.rows.begin() + static_cast<std::ptrdiff_t>(excess));
        rows_ -= excess;
        e.lo = e.rows.front().candle.open_time;
      }
    }
  }
  if (e.lo == kNothing) e.version = version;  // filled below, at this version or later
  bool extended = false;
  for (int reads = 0; !Covers(e, window); ++reads) {
    if (reads == kMaxReads) return Direct(symbol, interval, window);
    std::size_t count = RowsNeeded(e, window);
    if (count <= max_rows_ - std::min(max_rows_, e.rows.size())) {
      if (!MakeRoom(e, count)) return Direct(symbol, interval, window);
    } else {
      // More buckets than the cap could hold, but maybe few candles (a
      // window starting long before the first trade): a bounded read into
      // the free room, evicting nothing; a short read covers the window.
      count = std::min(kMaxSpeculativeRead, max_rows_ - std::min(max_rows_, rows_));
      if (count < kMinRead) return Direct(symbol, interval, window);
    }
    Extend(e, window, count);
    extended = true;
  }
  // The rows read now may be newer than the version's (a commit in between):
  // then this answer comes from PostgreSQL alone, and the next request
  // brings the entry up to date.
  if (extended) {
    // This read also takes in the notifications that came meanwhile: a
    // newer version makes the next request read it again.
    ++stats_.version_reads;
    if (!(history_.Version() == version)) {
      version_known_ = false;
      return Direct(symbol, interval, window);
    }
  }
  if (!read && !extended) ++stats_.hits;
  return Slice(e, window);
}

void KlinesCache::Refresh(Entry& e, const HistoryVersion& version) {
  const HistoryVersion& old = e.version;
  bool comparable =
      old.progress_table == version.progress_table && old.shards.size() == version.shards.size();
  Sequence after = std::numeric_limits<Sequence>::max();
  for (std::size_t i = 0; comparable && i < old.shards.size(); ++i) {
    const HistoryVersion::Shard& was = old.shards[i];
    const HistoryVersion::Shard& now = version.shards[i];
    if (was.name != now.name || now.up_to < was.up_to ||
        (now.up_to == was.up_to && now.writer_xid != was.writer_xid)) {
      comparable = false;
    } else if (now.up_to > was.up_to) {
      after = std::min(after, was.up_to);
    }
  }
  if (!comparable || after == 0) {
    Clear(e);
    ++stats_.dropped;
    return;
  }
  if (after != std::numeric_limits<Sequence>::max()) {
    for (const candles::Candle& c :
         history_.CandlesChangedAfter(e.symbol, e.interval, e.lo, after)) {
      const auto at = std::lower_bound(e.rows.begin(), e.rows.end(), c.open_time, ByOpenTime());
      if (at != e.rows.end() && at->candle.open_time == c.open_time) {
        *at = CachedCandle(c);
      } else {
        e.rows.insert(at, CachedCandle(c));
        ++rows_;
      }
    }
  }
  e.version = version;
  ++stats_.refreshes;
}

bool KlinesCache::Covers(const Entry& e, const CandleWindow& window) {
  if (e.lo == kNothing) return false;
  if (window.from >= e.lo) return true;
  // Newest first: the newest `limit` before `to` are here when at least that
  // many of the rows (all of [lo, ∞)) open before `to`.
  return window.newest && CountBefore(e.rows, window.to) >= LimitOf(window);
}

std::size_t KlinesCache::RowsNeeded(const Entry& e, const CandleWindow& window) {
  const std::size_t limit = LimitOf(window);
  if (e.lo == kNothing) return std::max(limit, kMinRead);  // the newest of [from, ∞)
  std::size_t needed = 0;
  if (!window.newest) {
    needed = BucketsBetween(window.from, e.lo, e.interval);  // all of [from, lo)
  } else if (window.to >= e.lo) {
    needed = limit - std::min(limit, CountBefore(e.rows, window.to));
  } else {
    // All of [to, lo), then `limit` more before `to`.
    needed = Saturating(BucketsBetween(window.to, e.lo, e.interval), limit);
  }
  return std::max(needed, kMinRead);
}

void KlinesCache::Extend(Entry& e, const CandleWindow& window, std::size_t count) {
  const CandleWindow read{window.from, e.lo, static_cast<std::int64_t>(count), true};
  const std::vector<candles::Candle> older = history_.Candles(e.symbol, e.interval, read);
  // Fewer than asked: nothing more in [from, lo). Else the oldest read is
  // the new bound (everything from it up to lo was read).
  e.lo = older.size() < count ? window.from : older.front().open_time;
  std::vector<CachedCandle> rows;
  rows.reserve(older.size() + e.rows.size());
  for (const candles::Candle& c : older)
    rows.emplace_back(c);
  std::move(e.rows.begin(), e.rows.end(), std::back_inserter(rows));
  e.rows = std::move(rows);
  rows_ += older.size();
  ++stats_.extensions;
}

bool KlinesCache::MakeRoom(const Entry& keep, std::size_t extra) {
  while (rows_ + extra > max_rows_) {
    auto victim = entries_.end();
    for (auto it = entries_.begin(); it != entries_.end(); ++it) {
      if (&it->second == &keep || it->second.rows.empty()) continue;
      if (victim == entries_.end() || it->second.used < victim->second.used) victim = it;
    }
    if (victim == entries_.end()) return false;
    Clear(victim->second);
    entries_.erase(victim);
    ++stats_.dropped;
  }
  return true;
}

void KlinesCache::Clear(Entry& e) {
  rows_ -= e.rows.size();
  e.rows.clear();
  e.rows.shrink_to_fit();
  e.lo = kNothing;
}

std::span<CachedCandle> KlinesCache::Slice(Entry& e, const CandleWindow& window) {
  auto first = std::lower_bound(e.rows.begin(), e.rows.end(), window.from, ByOpenTime());
  if (window.to <= window.from) return {};
  auto last = std::lower_bound(first, e.rows.end(), window.to, ByOpenTime());
  const auto limit = static_cast<std::ptrdiff_t>(LimitOf(window));
  if (last - first > limit) {
    if (window.newest) {
      first = last - limit;
    } else {
      last = first + limit;
    }
  }
  return {first, last};
}

}  // namespace exchange::md
