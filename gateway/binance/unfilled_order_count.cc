#include "gateway/binance/unfilled_order_count.h"

#include <algorithm>

namespace exchange::binance {

UnfilledOrderCount::UnfilledOrderCount(OrderLimits limits)
    : intervals_{Interval{"SECOND", 10, "X-MBX-ORDER-COUNT-10S", 10'000, limits.per_10s},
                 Interval{"DAY", 1, "X-MBX-ORDER-COUNT-1D", 86'400'000, limits.per_day}} {}

std::int64_t& UnfilledOrderCount::CountAt(Interval& i, std::int64_t now_ms) {
  const std::int64_t window = now_ms / i.length_ms;
  if (window != i.window) {
    i.window = window;
    i.count = 0;
  }
  return i.count;
}

std::optional<ApiError> UnfilledOrderCount::Add(std::int64_t now_ms, std::int64_t orders) {
  for (Interval& i : intervals_) {
    if (i.limit > 0 && CountAt(i, now_ms) + orders > i.limit) {
      return ApiError{429, api_code::kTooManyOrders,
                      "Too many new orders; current limit is " + std::to_string(i.limit) +
                          " orders per " + std::to_string(i.interval_num) + " " + i.name + "."};
    }
  }
  for (Interval& i : intervals_)
    CountAt(i, now_ms) += orders;
  return std::nullopt;
}

void UnfilledOrderCount::FirstFill(std::int64_t now_ms, bool maker) {
  for (Interval& i : intervals_) {
    std::int64_t& count = CountAt(i, now_ms);
    count = std::max<std::int64_t>(0, count - (maker ? kMakerRefund : kTakerRefund));
  }
}

std::vector<std::pair<std::string, std::string>> UnfilledOrderCount::Headers(std::int64_t now_ms) {
  std::vector<std::pair<std::string, std::string>> out;
  for (Interval& i : intervals_)
    out.emplace_back(i.header, std::to_string(CountAt(i, now_ms)));
  return out;
}

std::string UnfilledOrderCount::Json(std::int64_t now_ms) {
  std::string out = "[";
  for (Interval& i : intervals_) {
    if (out.size() > 1) out += ',';
    out += R"({"rateLimitType":"ORDERS","interval":")" + std::string(i.name) +
           R"(","intervalNum":)" + std::to_string(i.interval_num) +
           ",\"limit\":" + std::to_string(i.limit) +
           ",\"count\":" + std::to_string(CountAt(i, now_ms)) + "}";
  }
  return out + "]";
}

}  // namespace exchange::binance
