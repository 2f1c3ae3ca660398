// CandleAggregator: builds the candles of every symbol, for a chosen set of
// intervals, from a stream of trades. It keeps two things per symbol and
// interval:
//
//   changes  the partial candles accumulated since the last TakeChanges(),
//            one per touched bucket: deltas that storage merges (Merge) into
//            what it has, so a bucket may be written many times
//   live     the full candle of the newest bucket seen (largest open_time)
//
// Each symbol has a watermark, the highest trade id applied: a trade at or
// below it is a replay and changes nothing, so no trade counts twice. Trade
// times may go backwards relative to trade ids; such a trade lands in the
// changes of its own (older) bucket and leaves the live candle alone.
//
// Owned by one thread (the candle sink, or a backtest); not thread-safe.
//
// ComputeCandles recomputes candles from raw trades as SQL would; it is for
// backtests and is the tests' reference. Any thread.
#pragma once

#include <array>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "candles/candle.h"
#include "candles/candle_interval.h"

namespace exchange::candles {

class CandleAggregator {
 public:
  // Keeps candles for `intervals` (duplicates are ignored).
  explicit CandleAggregator(std::span<const CandleInterval> intervals = AllIntervals());

  // Applies `trade` to every kept interval. Returns false, changing nothing,
  // when trade.trade_id <= Watermark(trade.symbol); true otherwise.
  bool Add(const CandleTrade& trade);

  // Hands over the partial candles accumulated since the last call, sorted by
  // symbol, interval, open_time, and clears them.
  std::vector<Candle> TakeChanges();

  // The full candle of the newest bucket of (symbol, interval); nullopt when
  // no trade was seen (or restored) or the interval is not kept.
  std::optional<Candle> Live(std::string_view symbol, CandleInterval interval) const;

  // After a restart: sets the live candle of (live_full.symbol,
  // live_full.interval) from storage, and raises the symbol's watermark to at
  // least max(watermark, live_full.last_trade_id). A candle of an interval
  // that is not kept, or an empty one (trade_count 0), only raises the
  // watermark. Records no change.
  void Restore(const Candle& live_full, Sequence watermark);

  // The highest trade id applied for `symbol`; 0 before any.
  Sequence Watermark(std::string_view symbol) const;

  // The kept intervals, shortest first.
  std::span<const CandleInterval> Intervals() const { return intervals_; }

 private:
  struct SymbolState {
    Sequence watermark = 0;
    std::array<std::optional<Candle>, kIntervalCount> live;
    std::array<std::map<Timestamp, Candle>, kIntervalCount> changes;  // by open_time
  };

  static std::size_t IndexOf(CandleInterval interval) { return static_cast<std::size_t>(interval); }
  bool IsKept(CandleInterval interval) const { return kept_[IndexOf(interval)]; }
  SymbolState& StateOf(const SymbolName& symbol);
  const SymbolState* FindState(std::string_view symbol) const;
  static void ApplyToLive(std::optional<Candle>& live, const Candle& trade_candle);

  std::vector<CandleInterval> intervals_;
  std::array<bool, kIntervalCount> kept_{};
  std::map<std::string, SymbolState, std::less<>> symbols_;
};

// The candles of `trades` for `interval`, computed from scratch: grouped by
// symbol and bucket; open is the price of the lowest trade id in the bucket,
// close of the highest; high, low, sums and counts over the whole group.
// Buckets without trades produce no candle (no gap filling). Every trade is
// counted as given (no dedup). Sorted by symbol, open_time.
std::vector<Candle> ComputeCandles(std::span<const CandleTrade> trades, CandleInterval interval);

}  // namespace exchange::candles
