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
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "gateway/binance/api_http.h"
#include "gateway/binance/api_key_directory.h"
#include "gateway/binance/binance_api.h"
#include "gateway/gateway_config.h"

namespace exchange::binance {

class BinanceFrontEnd {
 public:
  // Loads the keys once (a failure is logged; the API then refuses every
  // signed request with the reason until a reload succeeds) and listens.
  // Throws std::runtime_error when it cannot listen.
  BinanceFrontEnd(boost::asio::io_context& io, const fix::GatewayConfig& config,
                  fix::OrderRouter& router, std::map<std::string, int> asset_decimals);
  ~BinanceFrontEnd();

  // The accounts of the keys loaded at start: the gateway binds their events.
  std::vector<AccountId> Accounts() const { return accounts_; }
  void Start() { http_->Start(); }
  void Stop();
  BinanceApi& api() { return *api_; }
  std::uint16_t port() const { return http_->port(); }

 private:
  std::unique_ptr<ApiKeyDirectory> keys_;
  std::unique_ptr<BinanceApi> api_;
  std::unique_ptr<ApiHttpServer> http_;
  std::vector<AccountId> accounts_;
};

}  // namespace exchange::binance
