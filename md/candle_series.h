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

#include <optional>
#include <vector>

#include "candles/candle.h"
#include "md/history_source.h"

namespace exchange::md {

// `stored`: the window's candles from PostgreSQL, oldest first (at most
// window.limit). Adds or replaces the live candle when it opens inside the
// window and trims to the limit.
void MergeLiveCandle(std::vector<candles::Candle>& stored,
                     const std::optional<candles::Candle>& live, const CandleWindow& window);

}  // namespace exchange::md
