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
  history_ = std::make_unique<HistoryReader>(io, config.api_pg_url, config.api_pg_schema);
  ApiLimits limits;
  limits.orders = {static_cast<std::int64_t>(config.api_orders_per_10s),
                   static_cast<std::int64_t>(config.api_orders_per_day)};
  limits.weight_per_minute = static_cast<std::int64_t>(config.api_request_weight_per_minute);
  limits.enforce_weight = config.api_enforce_weight;
  api_ = std::make_unique<BinanceApi>(router, *keys_, *history_, std::move(asset_decimals),
                                      config.api_redis_url, WallClockNs, limits);
  http_ = std::make_unique<ApiHttpServer>(io, config.binance_listen, *api_);
  tick_ = std::make_unique<boost::asio::steady_timer>(io);
}

void BinanceFrontEnd::ScheduleTick() {
  tick_->expires_after(std::chrono::seconds(1));
  tick_->async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    api_->Tick();
    ScheduleTick();
  });
}

void BinanceFrontEnd::Start(Subscribe subscribe) {
  subscribe_ = std::move(subscribe);
  const auto subscribe_new = [this] {
    std::vector<AccountId> fresh;
    for (const AccountId a : keys_->Accounts())
      if (subscribed_.insert(a).second) fresh.push_back(a);
    if (fresh.empty()) return;
    subscribe_(fresh, [this, fresh] { api_->MarkSubscribed(fresh); });
  };
  // A failure is logged; signed requests are refused with the reason until
  // a reload succeeds.
  if (const std::string problem = keys_->Start(subscribe_new); !problem.empty()) {
    spdlog::error(
        "binance api: API keys cannot be loaded yet ({}); signed requests are refused "
        "until they can",
        problem);
  }
  subscribe_new();
  history_->Start();
  http_->Start();
  ScheduleTick();
  spdlog::info("binance api: listening on port {}, {} API keys", http_->port(), keys_->size());
}

BinanceFrontEnd::~BinanceFrontEnd() {
  Stop();
}

void BinanceFrontEnd::Stop() {
  if (tick_) tick_->cancel();
  if (http_) http_->Stop();
  if (keys_) keys_->Stop();
  if (history_) history_->Stop();
}

}  // namespace exchange::binance
