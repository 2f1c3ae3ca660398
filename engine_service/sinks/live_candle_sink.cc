#include "engine_service/sinks/live_candle_sink.h"

#include <spdlog/spdlog.h>

#include "bookstate/live_candle.h"

namespace exchange {

void LiveCandleSink::Write(const candles::CandleAggregator& aggregator,
                           const std::vector<candles::Candle>& changed) {
  for (const candles::Candle& c : changed)
    live_keys_.emplace(std::string(c.symbol.view()), c.interval);
  if (live_keys_.empty() || Clock::now() < next_attempt_) return;
  std::set<Key> keys;
  if (redis_stale_) {
    keys = live_keys_;
  } else {
    for (const candles::Candle& c : changed)
      keys.emplace(std::string(c.symbol.view()), c.interval);
  }
  try {
    WriteKeys(aggregator, keys);
    redis_stale_ = false;
    last_failure_.clear();
  } catch (const redis::RedisError& e) {
    if (last_failure_ != e.what()) {
      spdlog::warn("history: {}; live candles are written again once Redis answers", e.what());
    }
    last_failure_ = e.what();
    redis_.reset();
    redis_stale_ = true;
    next_attempt_ = Clock::now() + std::chrono::milliseconds(500);
  }
}

void LiveCandleSink::WriteKeys(const candles::CandleAggregator& aggregator,
                               const std::set<Key>& keys) {
  if (!redis_) redis_ = std::make_unique<redis::RedisClient>(redis::ParseRedisUrl(redis_url_));
  redis_->Append({"MULTI"});
  for (const auto& [symbol, interval] : keys) {
    const auto live = aggregator.Live(symbol, interval);
    if (!live) continue;
    const std::vector<std::string> command = bookstate::LiveCandleCommand(*live);
    const std::vector<std::string_view> argv(command.begin(), command.end());
    redis_->Append(argv);
  }
  redis_->Append({"EXEC"});
  std::vector<redis::RedisReply> replies;
  redis_->ReadReplies(replies);
  const redis::RedisReply& exec = replies.back();
  if (!exec.is_array()) {
    throw redis::RedisError("live candles: redis refused the transaction: " +
                            std::string(exec.str()));
  }
  for (std::size_t i = 0; i < exec.size(); ++i) {
    if (exec.element(i).is_error()) {
      throw redis::RedisError("live candles: redis refused a write: " +
                              std::string(exec.element(i).str()));
    }
  }
}

}  // namespace exchange
