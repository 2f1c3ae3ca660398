// UnfilledOrderCount: one account's ORDERS rate limits as Binance counts
// them ("Spot Unfilled Order Count Rules"): each order placed adds one to
// the count of every interval (10 s and a day, fixed windows aligned to the
// epoch, as Binance's); an order's first fill takes some back (one when it
// trades on arrival, as a taker; five when it trades later, as a maker, as
// Binance's example), never below zero; cancels and expiries change
// nothing. An order that would take a count past its limit is refused
// (429, -1015) and counts nothing.
//
// A value owned by the account's AccountOrders; I/O thread only.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "gateway/binance/api_error.h"

namespace exchange::binance {

struct OrderLimits {
  std::int64_t per_10s = 100;      // Binance spot's (as exchange-md's exchangeInfo advertises)
  std::int64_t per_day = 200'000;  // 0: that interval is not limited
};

class UnfilledOrderCount {
 public:
  static constexpr std::int64_t kTakerRefund = 1;
  static constexpr std::int64_t kMakerRefund = 5;

  explicit UnfilledOrderCount(OrderLimits limits);

  // Adds `orders` at `now_ms`, or says which limit refuses them (counting nothing).
  std::optional<ApiError> Add(std::int64_t now_ms, std::int64_t orders = 1);
  // An order's first fill: taker (on arrival) or maker (resting).
  void FirstFill(std::int64_t now_ms, bool maker);

  // The X-MBX-ORDER-COUNT-10S and -1D headers.
  std::vector<std::pair<std::string, std::string>> Headers(std::int64_t now_ms);
  // GET /api/v3/rateLimit/order's answer.
  std::string Json(std::int64_t now_ms);

 private:
  struct Interval {
    const char* name;    // Binance's interval: SECOND, DAY
    int interval_num;    // 10, 1
    const char* header;  // X-MBX-ORDER-COUNT-10S
    std::int64_t length_ms;
    std::int64_t limit;
    std::int64_t window = -1;  // now_ms / length_ms of the count below
    std::int64_t count = 0;
  };
  // The interval's count in the window of `now_ms` (a new window starts at 0).
  std::int64_t& CountAt(Interval& i, std::int64_t now_ms);

  std::array<Interval, 2> intervals_;
};

}  // namespace exchange::binance
