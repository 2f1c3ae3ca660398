// LiveCandleSink: the candle part of the history sink's output that is not
// PostgreSQL: the live (open) candle of each symbol and interval, written to
// Redis (candle:{S}:I, bookstate/view_keys.h) as each history batch closes,
// from the history sink's CandleAggregator. A latest-value view: best
// effort, retried with the next batch (after 500 ms at the soonest), and
// rewritten whole after Redis was away.
//
// Owned by the HistorySink; runs on its thread.
#pragma once

#include <chrono>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "bookstate/redis_client.h"
#include "candles/candle_aggregator.h"

namespace exchange {

class LiveCandleSink {
 public:
  explicit LiveCandleSink(std::string redis_url) : redis_url_(std::move(redis_url)) {}

  // The live candles `changed` touched (all of them after Redis was away),
  // as `aggregator` holds them now, in one MULTI/EXEC.
  void Write(const candles::CandleAggregator& aggregator,
             const std::vector<candles::Candle>& changed);

 private:
  using Clock = std::chrono::steady_clock;
  using Key = std::pair<std::string, candles::CandleInterval>;

  void WriteKeys(const candles::CandleAggregator& aggregator, const std::set<Key>& keys);

  std::string redis_url_;
  std::unique_ptr<redis::RedisClient> redis_;
  std::set<Key> live_keys_;  // every live candle
  bool redis_stale_ = true;  // Redis may lack some live candles: write them all
  Clock::time_point next_attempt_{};
  std::string last_failure_;
};

}  // namespace exchange
