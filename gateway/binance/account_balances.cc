#include "gateway/binance/account_balances.h"

#include <map>

#include "base/fixed_point_text.h"
#include "bookstate/book_state_reader.h"

namespace exchange::binance {

std::variant<std::string, ApiError> AccountBalances::BalancesJson(AccountId account) {
  if (url_.empty()) {
    return ApiError{503, api_code::kDisconnected,
                    "balances unavailable: no Redis configured (binance.redis_url or "
                    "EXCHANGE_REDIS_URL)"};
  }
  std::map<std::string, std::pair<__int128, __int128>> sums;  // asset -> (free, locked)
  std::map<std::string, int> decimals;
  try {
    if (!client_) client_ = std::make_unique<redis::RedisClient>(redis::ParseRedisUrl(url_));
    bookstate::BookStateReader reader(*client_);
    for (const auto& [field, balance] : reader.ReadBalances(account)) {
      auto& [available, held] = sums[field.asset];
      available += balance.available;
      held += balance.held;
    }
    decimals = reader.ReadAssetDecimals();
  } catch (const std::exception& e) {
    client_.reset();
    return ApiError{503, api_code::kDisconnected, std::string("balances unavailable: ") + e.what()};
  }
  std::string out = "[";
  for (const auto& [asset, amounts] : sums) {
    const auto d = decimals.find(asset);
    const int places = d == decimals.end() ? 0 : d->second;
    if (out.size() > 1) out += ',';
    out += "{\"asset\":\"" + asset + "\",\"free\":\"";
    AppendFixedPoint(out, amounts.first, places);
    out += "\",\"locked\":\"";
    AppendFixedPoint(out, amounts.second, places);
    out += "\"}";
  }
  return out + "]";
}

}  // namespace exchange::binance
