#include "md/candle_series.h"

#include <algorithm>

namespace exchange::md {

void MergeLiveCandle(std::vector<candles::Candle>& stored,
                     const std::optional<candles::Candle>& live, const CandleWindow& window) {
  if (!live || live->trade_count == 0) return;
  if (live->open_time < window.from || live->open_time >= window.to) return;
  const auto at = std::lower_bound(
      stored.begin(), stored.end(), live->open_time,
      [](const candles::Candle& c, Timestamp open_time) { return c.open_time < open_time; });
  if (at != stored.end() && at->open_time == live->open_time) {
    if (live->last_trade_id > at->last_trade_id) *at = *live;
  } else {
    stored.insert(at, *live);
  }
  const auto limit = static_cast<std::size_t>(std::max<std::int64_t>(window.limit, 0));
  if (stored.size() <= limit) return;
  const auto extra = static_cast<std::ptrdiff_t>(stored.size() - limit);
  if (window.newest) {
    stored.erase(stored.begin(), stored.begin() + extra);
  } else {
    stored.erase(stored.end() - extra, stored.end());
  }
}

}  // namespace exchange::md
