// RequestWeights: the request weight each client IP used in the current
// minute, as Binance counts it (X-MBX-USED-WEIGHT-1M), for exchange-md's
// serving threads and the gateway's trading API. A fixed table of 64-bit atomic words, one per
// slot: the minute (high 32 bits) and the weight used in it (low 32); a client's slot is a hash of
// its address. Lock-free: one compare-and-swap per request, no lock shared between threads. Two
// addresses that hash to one slot share it (with 65,536 slots, rare; their sum is then what each is
// held to).
//
// Bans, as Binance's (HTTP 418): a client that goes on sending after its
// 429s, to twice the limit within one minute, is banned for 2 minutes; each
// later ban of the same slot lasts twice as long as the one before, at most
// 3 days. Charge() counts and bans; Add() only counts (for a service that
// does not enforce the limit). Per slot: the ban's end and the bans so far,
// two more atomic words.
//
// Made once before the serving threads start; then any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
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

  // What an enforced request meets: the client's use after it, and, when
  // later than now, the end of the client's ban (418 until then).
  struct Verdict {
    std::int64_t used = 0;
    std::int64_t banned_until_ms = 0;
  };
  // Add, unless the client is banned (a banned client's requests are not
  // counted), then a ban when this request took it past twice the limit.
  Verdict Charge(std::string_view client, std::int64_t weight, std::int64_t now_ms);

  static constexpr std::int64_t kFirstBanMs = 2 * 60'000;
  static constexpr std::int64_t kLongestBanMs = 3 * 24 * 3'600'000LL;

 private:
  std::size_t SlotOf(std::string_view client) const;
  std::int64_t AddAt(std::size_t slot, std::int64_t weight, std::int64_t now_ms);

  std::int64_t limit_;
  std::size_t slots_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> table_;
  std::unique_ptr<std::atomic<std::int64_t>[]> banned_until_;  // Unix ms
  std::unique_ptr<std::atomic<std::uint32_t>[]> bans_;
};

// Binance's 418 message for a ban until `until_ms`.
std::string BanMessage(std::int64_t until_ms);

}  // namespace exchange
