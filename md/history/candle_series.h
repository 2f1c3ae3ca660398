// How the stored candles of a window and the live candle in Redis make one
// series. PostgreSQL holds every candle, the open bucket's included, as of
// the history sink's last commit; Redis holds the live (newest) candle as
// of the sink's last batch, which may be newer. The series takes, for the
// live candle's bucket, whichever of the two has seen more trades (the
// higher last trade id), and keeps the window's limit: the oldest or the
// newest `limit` candles, as the window asks.
//
// Pure functions; any thread.
#pragma once

#include <algorithm>
#include <cstddef>
#include <optional>
#include <vector>

#include "candles/candle.h"
#include "md/history/history_source.h"

namespace exchange::md {

// The same on rows of any kind (the klines path merges pointers to cached
// candles): `candle_of(row)` is a row's candle; `live` the live candle's
// row, or null. Adds or replaces the live row when its candle opens inside
// the window and trims to the limit.
template <typename Row, typename CandleOf>
void MergeLiveRow(std::vector<Row>& stored, const Row* live, CandleOf candle_of,
                  const CandleWindow& window) {
  if (live == nullptr) return;
  const candles::Candle& l = candle_of(*live);
  if (l.trade_count == 0 || l.open_time < window.from || l.open_time >= window.to) return;
  const auto at = std::lower_bound(
      stored.begin(), stored.end(), l.open_time,
      [&](const Row& row, Timestamp open_time) { return candle_of(row).open_time < open_time; });
  if (at != stored.end() && candle_of(*at).open_time == l.open_time) {
    if (l.last_trade_id > candle_of(*at).last_trade_id) *at = *live;
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

// `stored`: the window's candles from PostgreSQL, oldest first (at most
// window.limit). Adds or replaces the live candle when it opens inside the
// window and trims to the limit.
void MergeLiveCandle(std::vector<candles::Candle>& stored,
                     const std::optional<candles::Candle>& live, const CandleWindow& window);

}  // namespace exchange::md
