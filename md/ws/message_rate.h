// MessageRate: Binance's limit on what a client sends over a stream
// connection: at most `limit` messages (pings, pongs and JSON requests) in
// any one second; the one that would be the limit+1st within a second says
// the connection is to be closed. A sliding window: the times of the last
// `limit` messages.
//
// A value owned by one WsSession; its serving thread only.
#pragma once

#include <chrono>
#include <cstddef>
#include <vector>

namespace exchange::md {

class MessageRate {
 public:
  using Clock = std::chrono::steady_clock;

  // limit 0: no limit.
  explicit MessageRate(std::size_t limit, Clock::duration window = std::chrono::seconds(1))
      : window_(window), times_(limit) {}

  // Records a message at `now`; false when it is over the limit.
  bool Allow(Clock::time_point now) {
    if (times_.empty()) return true;
    Clock::time_point& oldest = times_[next_];  // the limit-th message before this one
    if (count_ == times_.size() && now - oldest < window_) return false;
    oldest = now;
    next_ = (next_ + 1) % times_.size();
    if (count_ < times_.size()) ++count_;
    return true;
  }

 private:
  Clock::duration window_;
  std::vector<Clock::time_point> times_;  // a ring of the last `limit` times
  std::size_t next_ = 0;                  // the oldest, overwritten next
  std::size_t count_ = 0;
};

}  // namespace exchange::md
