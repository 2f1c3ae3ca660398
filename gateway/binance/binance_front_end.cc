#include "gateway/binance/binance_front_end.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

namespace exchange::binance {
namespace {

std::int64_t WallClockNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

BinanceFrontEnd::BinanceFrontEnd(boost::asio::io_context& io, const fix::GatewayConfig& config,
                                 fix::OrderRouter& router,
                                 std::map<std::string, int> asset_decimals) {
  ApiKeyDirectory::Options options;
  options.pg_url = config.api_pg_url;
  options.pg_schema = config.api_pg_schema;
  options.key_file = config.api_key_file;
  options.reload_interval = std::chrono::milliseconds(config.api_keys_reload_ms);
  keys_ = std::make_unique<ApiKeyDirectory>(io, options);
  if (const std::string problem = keys_->Start(); !problem.empty()) {
    spdlog::error(
        "binance api: API keys cannot be loaded yet ({}); signed requests are refused "
        "until they can",
        problem);
  }
  // The accounts whose events this gateway must receive. A key of a new
  // account takes effect for trading once the gateway restarts.
  accounts_ = keys_->Accounts();
  api_ = std::make_unique<BinanceApi>(router, *keys_, std::move(asset_decimals),
                                      config.api_redis_url, WallClockNs);
  http_ = std::make_unique<ApiHttpServer>(io, config.binance_listen, *api_);
  spdlog::info("binance api: listening on {} (port {}), {} API keys", config.binance_listen,
               http_->port(), keys_->size());
}

BinanceFrontEnd::~BinanceFrontEnd() {
  Stop();
}

void BinanceFrontEnd::Stop() {
  if (http_) http_->Stop();
  if (keys_) keys_->Stop();
}

}  // namespace exchange::binance
