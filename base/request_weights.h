// RequestWeights: the request weight each client IP used in the current
// minute, as Binance counts it (X-MBX-USED-WEIGHT-1M), for exchange-md's
// serving threads and the gateway's trading API. A fixed table of 64-bit atomic words, one per
// slot: the minute (high 32 bits) and the weight used in it (low 32); a client's slot is a hash of
// its address. Lock-free: one compare-and-swap per request, no lock shared between threads. Two
// addresses that hash to one slot share it (with 65,536 slots, rare; their sum is then what each is
// held to).
//
// Made once before the serving threads start; then any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string_view>

namespace exchange {

class RequestWeights {
 public:
  // `limit`: the weight a client may use per minute (RateLimits).
  explicit RequestWeights(std::int64_t limit, std::size_t slots = 65'536);

  // Adds `weight` to `client`'s use in the minute of `now_ms` (Unix ms);
  // the client's use in that minute after it.
  std::int64_t Add(std::string_view client, std::int64_t weight, std::int64_t now_ms);
  std::int64_t limit() const { return limit_; }

 private:
  std::int64_t limit_;
  std::size_t slots_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> table_;
};

}  // namespace exchange
