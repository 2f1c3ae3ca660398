#include "gateway/binance/api_key_directory.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/post.hpp>

namespace exchange::binance {

ApiKeyDirectory::ApiKeyDirectory(boost::asio::io_context& io, Options options)
    : io_(io), options_(std::move(options)) {}

ApiKeyDirectory::~ApiKeyDirectory() {
  Stop();
}

std::shared_ptr<const ApiKeyDirectory::KeyMap> ApiKeyDirectory::Load() {
  const auth::MasterKey master = auth::MasterKey::Load(options_.key_file);
  auth::ApiKeyStore store(options_.pg_url, options_.pg_schema);
  auto keys = std::make_shared<KeyMap>();
  for (auth::OpenedApiKey& k : store.LoadOpened(master)) {
    std::string name = k.key.key;
    keys->emplace(std::move(name), std::move(k));
  }
  return keys;
}

std::string ApiKeyDirectory::Start(std::function<void()> on_change) {
  on_change_ = std::move(on_change);
  try {
    keys_ = Load();
  } catch (const std::exception& e) {
    problem_ = e.what();
  }
  loader_ = std::thread([this] { Run(); });
  return problem_;
}

void ApiKeyDirectory::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (loader_.joinable()) loader_.join();
}

void ApiKeyDirectory::ReloadThen(std::function<void()> then) {
  {
    std::lock_guard lock(mu_);
    waiting_.push_back(std::move(then));
  }
  wake_.notify_all();
}

void ApiKeyDirectory::Run() {
  std::string last_problem = problem_;
  std::size_t last_count = keys_ ? keys_->size() : 0;
  std::unique_lock lock(mu_);
  for (;;) {
    wake_.wait_for(lock, options_.reload_interval,
                   [this] { return stopping_ || !waiting_.empty(); });
    if (stopping_) return;
    // Those waiting now are answered after this load (it begins after them).
    std::vector<std::function<void()>> answered;
    answered.swap(waiting_);
    lock.unlock();
    std::shared_ptr<const KeyMap> keys;
    std::string problem;
    try {
      keys = Load();
    } catch (const std::exception& e) {
      problem = e.what();
    }
    if (problem != last_problem) {
      if (problem.empty()) {
        spdlog::info("binance api: API keys load again ({} keys)", keys->size());
      } else {
        spdlog::error("binance api: API keys cannot be loaded (the last set stays): {}", problem);
      }
      last_problem = problem;
    }
    if (keys && keys->size() != last_count) {
      spdlog::info("binance api: {} API keys (were {})", keys->size(), last_count);
      last_count = keys->size();
    }
    boost::asio::post(io_, [this, keys = std::move(keys), problem = std::move(problem),
                            answered = std::move(answered)] {
      problem_ = problem;
      if (keys) {
        keys_ = keys;
        if (on_change_) on_change_();
      }
      for (const auto& then : answered)
        then();
    });
    lock.lock();
    // At most one load per kMinLoadGap, however many unknown keys are sent
    // (each load opens a PostgreSQL connection).
    if (wake_.wait_for(lock, kMinLoadGap, [this] { return stopping_; })) return;
  }
}

std::vector<AccountId> ApiKeyDirectory::Accounts() const {
  std::vector<AccountId> out;
  if (keys_) {
    for (const auto& [name, k] : *keys_)
      out.push_back(k.key.account);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

const auth::OpenedApiKey* ApiKeyDirectory::Find(const std::string& key) const {
  if (!keys_) return nullptr;
  const auto it = keys_->find(key);
  return it == keys_->end() ? nullptr : &it->second;
}

}  // namespace exchange::binance
