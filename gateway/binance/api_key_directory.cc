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

void ApiKeyDirectory::Run() {
  std::string last_problem = problem_;
  std::unique_lock lock(mu_);
  while (!wake_.wait_for(lock, options_.reload_interval, [this] { return stopping_; })) {
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
    boost::asio::post(io_, [this, keys = std::move(keys), problem = std::move(problem)] {
      problem_ = problem;
      if (!keys) return;
      keys_ = keys;
      if (on_change_) on_change_();
    });
    lock.lock();
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
