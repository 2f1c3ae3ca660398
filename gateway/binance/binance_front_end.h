// BinanceFrontEnd: the Binance-compatible trading API as exchange-gateway
// runs it, when [binance] listen is set: the API keys (loaded from
// PostgreSQL, re-read every keys_reload_ms), the BinanceApi handler over
// the gateway's OrderRouter, and its HTTP listener, all on the gateway's
// I/O thread.
//
// Built, started and stopped on the main thread before and after the I/O
// thread runs; api() is used on the I/O thread.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "gateway/binance/api_http.h"
#include "gateway/binance/api_key_directory.h"
#include "gateway/binance/binance_api.h"
#include "gateway/gateway_config.h"

namespace exchange::binance {

class BinanceFrontEnd {
 public:
  // Binds the listener (throws std::runtime_error when it cannot).
  BinanceFrontEnd(boost::asio::io_context& io, const fix::GatewayConfig& config,
                  fix::OrderRouter& router, std::map<std::string, int> asset_decimals);
  ~BinanceFrontEnd();

  // How the gateway subscribes to accounts' events: `accounts` bound, then
  // `bound` posted to the I/O thread.
  using Subscribe =
      std::function<void(std::vector<AccountId> accounts, std::function<void()> bound)>;

  // Subscribes to the events of every key's account (now, and for a key of
  // a new account as soon as it is loaded); an account trades once its
  // events are bound. Then listens.
  void Start(Subscribe subscribe);
  void Stop();
  BinanceApi& api() { return *api_; }

 private:
  void ScheduleTick();

 public:
  std::uint16_t port() const { return http_->port(); }

 private:
  std::unique_ptr<ApiKeyDirectory> keys_;
  std::unique_ptr<HistoryReader> history_;
  std::unique_ptr<BinanceApi> api_;
  std::unique_ptr<ApiHttpServer> http_;
  Subscribe subscribe_;
  std::unique_ptr<boost::asio::steady_timer> tick_;  // BinanceApi::Tick, every second
  std::set<AccountId> subscribed_;                   // I/O thread (and Start)
};

}  // namespace exchange::binance
