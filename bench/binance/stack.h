// BinanceStack: what one run of `exchange-bench binance` trades against:
// exchange-engine on a cash symbol of the run's own (no sinks), two funded
// accounts with API keys (a master key file in the run's folder, the keys
// in a PostgreSQL schema of the run's own), and exchange-gateway with its
// Binance API on a free port. Made in that order and given back in
// reverse; the schema and the queues are dropped at the end.
//
// Owned by the run's thread.
#pragma once

#include <memory>
#include <string>

#include "auth/api_key_store.h"
#include "bench/logged_process.h"

namespace exchange::bench::binance_bench {

struct StackOptions {
  std::string amqp_url;
  std::string pg_url;
  std::string engine_bin, gateway_bin, cli_bin;
  std::string dir;  // the run's temporary folder
  std::string tag;  // makes the symbol, shard, schema and accounts the run's own
};

class BinanceStack {
 public:
  explicit BinanceStack(StackOptions options);
  ~BinanceStack();

  std::uint16_t port() const { return port_; }
  const std::string& symbol() const { return symbol_; }
  // The two accounts' keys: the seller's and the buyer's.
  const auth::OpenedApiKey& seller() const { return seller_; }
  const auth::OpenedApiKey& buyer() const { return buyer_; }
  // Throws when a process has exited.
  void Check();
  std::string Stop();

 private:
  void WriteInstruments();
  void MakeKeys();
  void Deposit(AccountId account, const std::string& asset, std::int64_t amount, int transfer);
  void StartGateway();

  StackOptions o_;
  std::string symbol_, base_, shard_, schema_;
  std::unique_ptr<LoggedProcess> engine_, gateway_;
  auth::OpenedApiKey seller_, buyer_;
  std::uint16_t port_ = 0;
};

}  // namespace exchange::bench::binance_bench
