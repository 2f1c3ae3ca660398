#include "base/request_weights.h"

#include <algorithm>
#include <functional>

namespace exchange {

RequestWeights::RequestWeights(std::int64_t limit, std::size_t slots)
    : limit_(limit),
      slots_(std::max<std::size_t>(slots, 1)),
      table_(std::make_unique<std::atomic<std::uint64_t>[]>(slots_)),
      banned_until_(std::make_unique<std::atomic<std::int64_t>[]>(slots_)),
      bans_(std::make_unique<std::atomic<std::uint32_t>[]>(slots_)) {}

std::size_t RequestWeights::SlotOf(std::string_view client) const {
  return std::hash<std::string_view>{}(client) % slots_;
}

std::int64_t RequestWeights::Add(std::string_view client, std::int64_t weight,
                                 std::int64_t now_ms) {
  return AddAt(SlotOf(client), weight, now_ms);
}

RequestWeights::Verdict RequestWeights::Charge(std::string_view client, std::int64_t weight,
                                               std::int64_t now_ms) {
  const std::size_t i = SlotOf(client);
  std::int64_t until = banned_until_[i].load(std::memory_order_relaxed);
  if (until > now_ms) return {AddAt(i, 0, now_ms), until};
  const std::int64_t used = AddAt(i, weight, now_ms);
  if (used <= 2 * limit_) return {used, 0};
  // Past twice the limit: banned, unless another thread banned it first.
  const std::uint32_t n = bans_[i].fetch_add(1, std::memory_order_relaxed);
  const std::int64_t length = n >= 11 ? kLongestBanMs : std::min(kFirstBanMs << n, kLongestBanMs);
  if (banned_until_[i].compare_exchange_strong(until, now_ms + length, std::memory_order_relaxed)) {
    return {used, now_ms + length};
  }
  return {used, until};
}

std::string BanMessage(std::int64_t until_ms) {
  return "Way too much request weight used; IP banned until " + std::to_string(until_ms) +
         ". Please use WebSocket Streams for live updates to avoid bans.";
}

std::int64_t RequestWeights::AddAt(std::size_t index, std::int64_t weight, std::int64_t now_ms) {
  std::atomic<std::uint64_t>& slot = table_[index];
  const auto minute = static_cast<std::uint32_t>(now_ms / 60'000);
  const auto add = static_cast<std::uint64_t>(std::clamp<std::int64_t>(weight, 0, 0xffff));
  std::uint64_t seen = slot.load(std::memory_order_relaxed);
  std::uint64_t next = 0;
  do {
    const bool same_minute = static_cast<std::uint32_t>(seen >> 32) == minute;
    const std::uint64_t used = same_minute ? (seen & 0xffff'ffff) : 0;
    next = (static_cast<std::uint64_t>(minute) << 32) |
           std::min<std::uint64_t>(used + add, 0xffff'ffff);
  } while (!slot.compare_exchange_weak(seen, next, std::memory_order_relaxed));
  return static_cast<std::int64_t>(next & 0xffff'ffff);
}

}  // namespace exchange
