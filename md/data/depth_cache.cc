#include "md/data/depth_cache.h"

namespace exchange::md {

void DepthCache::MakeKey(std::string_view symbol, std::size_t limit) {
  key_.assign(symbol);
  key_ += '\n';
  key_ += std::to_string(limit);
}

const std::string* DepthCache::Find(std::string_view symbol, std::size_t limit, Sequence sequence,
                                    int price_decimals, int quantity_decimals) {
  MakeKey(symbol, limit);
  const auto it = entries_.find(key_);
  if (it == entries_.end()) return nullptr;
  Entry& e = it->second;
  if (e.sequence != sequence || e.price_decimals != price_decimals ||
      e.quantity_decimals != quantity_decimals) {
    return nullptr;
  }
  e.used = ++tick_;
  ++hits_;
  return &e.body;
}

void DepthCache::Store(std::string_view symbol, std::size_t limit, Sequence sequence,
                       int price_decimals, int quantity_decimals, const std::string& body) {
  if (max_entries_ == 0) return;
  MakeKey(symbol, limit);
  auto it = entries_.find(key_);
  if (it == entries_.end()) {
    if (entries_.size() >= max_entries_) {
      auto oldest = entries_.begin();
      for (auto e = entries_.begin(); e != entries_.end(); ++e) {
        if (e->second.used < oldest->second.used) oldest = e;
      }
      entries_.erase(oldest);
    }
    it = entries_.emplace(key_, Entry{}).first;
  }
  Entry& e = it->second;
  e.sequence = sequence;
  e.price_decimals = price_decimals;
  e.quantity_decimals = quantity_decimals;
  e.body = body;
  e.used = ++tick_;
}

}  // namespace exchange::md
