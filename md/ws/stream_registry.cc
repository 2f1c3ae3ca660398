#include "md/ws/stream_registry.h"

namespace exchange::md {

void StreamRegistry::SetSymbols(std::map<std::string, std::string> by_lower_case) {
  std::lock_guard lock(mu_);
  symbols_.clear();
  for (auto& [lower, symbol] : by_lower_case)
    symbols_.emplace(lower, std::move(symbol));
  ready_ = true;
}

std::optional<std::string> StreamRegistry::Resolve(std::string_view lower_case) const {
  std::lock_guard lock(mu_);
  const auto it = symbols_.find(lower_case);
  if (it == symbols_.end()) return std::nullopt;
  return it->second;
}

bool StreamRegistry::ready() const {
  std::lock_guard lock(mu_);
  return ready_;
}

void StreamRegistry::Add(const std::string& stream) {
  std::lock_guard lock(mu_);
  if (++followers_[stream] == 1) generation_.fetch_add(1, std::memory_order_acq_rel);
}

void StreamRegistry::Remove(const std::string& stream) {
  std::lock_guard lock(mu_);
  const auto it = followers_.find(stream);
  if (it == followers_.end()) return;
  if (--it->second == 0) {
    followers_.erase(it);
    generation_.fetch_add(1, std::memory_order_acq_rel);
  }
}

std::size_t StreamRegistry::Followers(const std::string& stream) const {
  std::lock_guard lock(mu_);
  const auto it = followers_.find(stream);
  return it == followers_.end() ? 0 : it->second;
}

}  // namespace exchange::md

namespace exchange::md {

void StreamRegistry::Followed(const std::vector<std::string>& streams,
                              std::vector<char>& out) const {
  out.assign(streams.size(), 0);
  std::lock_guard lock(mu_);
  for (std::size_t i = 0; i < streams.size(); ++i)
    out[i] = followers_.contains(streams[i]) ? 1 : 0;
}

}  // namespace exchange::md
