#include "base/request_weights.h"

#include <algorithm>
#include <functional>

namespace exchange {

RequestWeights::RequestWeights(std::int64_t limit, std::size_t slots)
    : limit_(limit),
      slots_(std::max<std::size_t>(slots, 1)),
      table_(std::make_unique<std::atomic<std::uint64_t>[]>(slots_)) {}

std::int64_t RequestWeights::Add(std::string_view client, std::int64_t weight,
                                 std::int64_t now_ms) {
  std::atomic<std::uint64_t>& slot = table_[std::hash<std::string_view>{}(client) % slots_];
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
