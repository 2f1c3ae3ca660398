// AccountBalances: an account's balances as GET /api/v3/account shows them,
// read from the Redis book-state view (bookstate/book_state_reader.h:
// balance:{ACCOUNT}, written by the engine's book-state sink from its
// BALANCE events), summed over the shards that hold the asset: `free` the
// available amount, `locked` what open orders hold, in each asset's
// decimals.
//
// The read is synchronous (one HGETALL and one HGETALL of the assets'
// decimals, well under a millisecond on loopback) on the gateway's I/O
// thread; the connection is made on first use and again after a failure.
//
// Owned by the BinanceApi; I/O thread only.
#pragma once

#include <memory>
#include <string>
#include <variant>

#include "bookstate/redis_client.h"
#include "engine/types.h"
#include "gateway/binance/api_error.h"

namespace exchange::binance {

class AccountBalances {
 public:
  explicit AccountBalances(std::string redis_url) : url_(std::move(redis_url)) {}

  // The "balances" array of the account endpoint, or the error (-1001
  // when Redis cannot be read).
  std::variant<std::string, ApiError> BalancesJson(AccountId account);

 private:
  std::string url_;
  std::unique_ptr<redis::RedisClient> client_;
};

}  // namespace exchange::binance
