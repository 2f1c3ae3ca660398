// ApiKeyDirectory: the API keys the trading API accepts, with their secrets
// opened, by key. Loaded from PostgreSQL (auth/api_key_store.h) by a loader
// thread of its own, at start, then every `reload_interval` (a key
// created or revoked with `exchange-cli apikey` takes effect within it),
// and at once when a request names a key it does not have (that request
// is answered after a load that began after it: a key made a moment ago
// works on its first request), and handed to the I/O thread whole. While PostgreSQL cannot be read
// the last set stays in use, and the failure is logged once per change of state; a master key file
// that does not open the secrets stops the loader with the reason (logged, and in `problem()`).
//
// Start/Stop from the main thread; Find and problem() from the I/O thread;
// the loader thread posts each new set to the I/O thread.
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "auth/api_key_store.h"

namespace exchange::binance {

class ApiKeyDirectory {
 public:
  struct Options {
    std::string pg_url;
    std::string pg_schema = "public";
    std::string key_file;
    std::chrono::milliseconds reload_interval{2000};
  };
  ApiKeyDirectory(boost::asio::io_context& io, Options options);
  ~ApiKeyDirectory();

  // Loads once (synchronously: the set is there before Start returns, or
  // the reason it is not is returned), then keeps reloading; `on_change`
  // runs on the I/O thread after each reload that brought a set.
  std::string Start(std::function<void()> on_change = {});
  void Stop();

  // The key, or nullptr when it is unknown or revoked.
  const auth::OpenedApiKey* Find(const std::string& key) const;
  std::size_t size() const { return keys_ ? keys_->size() : 0; }
  // The accounts of the keys held, ascending, each once.
  std::vector<AccountId> Accounts() const;
  // Why keys cannot be loaded now ("" when they can).
  const std::string& problem() const { return problem_; }
  // Reloads now rather than at the next interval (a key asked for that is
  // not there may have just been made), then runs `then` on the I/O thread
  // once a load that began after this call has finished (or failed). Loads
  // are at least kMinLoadGap apart.
  void ReloadThen(std::function<void()> then);

 private:
  static constexpr std::chrono::milliseconds kMinLoadGap{100};
  using KeyMap = std::unordered_map<std::string, auth::OpenedApiKey>;
  // One load; returns the new set or throws.
  std::shared_ptr<const KeyMap> Load();
  void Run();

  boost::asio::io_context& io_;
  Options options_;
  std::shared_ptr<const KeyMap> keys_;  // I/O thread
  std::string problem_;                 // I/O thread
  std::function<void()> on_change_;     // I/O thread
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;                       // guarded by mu_
  std::vector<std::function<void()>> waiting_;  // ReloadThen's; guarded by mu_
  std::thread loader_;
};

}  // namespace exchange::binance
