// RateLimits: the limits exchangeInfo's `rateLimits` advertises, as
// Binance's rate limiters (REQUEST_WEIGHT, ORDERS, RAW_REQUESTS). The
// request weight per minute is what exchange-md itself enforces per client
// IP (request_weights.h) when `enforce_weight` is on; the order limits are
// advertised for Binance clients that read them: orders do not come through
// exchange-md (the FIX gateway limits messages per connection instead).
//
// A plain value, set from the configuration before the serving threads
// start; read-only afterwards (any thread).
#pragma once

#include <cstdint>

namespace exchange::md {

struct RateLimits {
  std::int64_t request_weight_per_minute = 6000;
  std::int64_t orders_per_10s = 100;
  std::int64_t orders_per_day = 200'000;
  std::int64_t raw_requests_per_5m = 61'000;
  bool enforce_weight = false;  // 429 (-1003) past request_weight_per_minute
};

}  // namespace exchange::md
