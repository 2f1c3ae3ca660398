// ReconnectGate: how a serving thread treats a backend (Redis, PostgreSQL)
// it cannot reach: after a failed connection it answers "unavailable" at
// once, without trying, until `retry` has passed; then the next request
// tries again. So a backend that is down costs each request microseconds,
// not a connect timeout, and a backend that comes back is used again within
// `retry`.
//
// Owned by one backend source; one thread.
#pragma once

#include <chrono>
#include <string>

#include "md/api/json_errors.h"

namespace exchange::md {

class ReconnectGate {
 public:
  using Clock = std::chrono::steady_clock;

  explicit ReconnectGate(std::chrono::milliseconds retry) : retry_(retry) {}

  // Throws BackendUnavailable with the last failure while waiting to retry.
  void CheckOpen() const {
    if (!failure_.empty() && Clock::now() < next_attempt_) throw BackendUnavailable(failure_);
  }
  // A connection failed (or was lost): closed for `retry`. Returns `why`.
  const std::string& Failed(std::string why) {
    failure_ = std::move(why);
    next_attempt_ = Clock::now() + retry_;
    return failure_;
  }
  void Succeeded() { failure_.clear(); }

 private:
  std::chrono::milliseconds retry_;
  std::string failure_;  // "" while the backend answers
  Clock::time_point next_attempt_{};
};

}  // namespace exchange::md
