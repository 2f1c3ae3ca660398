// StreamRegistry: what every serving thread and the market feed share
// about the WebSocket streams: the symbols the feed follows (so a
// subscription to an unknown symbol is refused at once, with its name) and
// how many connections follow each stream (so the feed renders kline
// messages only for intervals someone watches).
//
// Thread-safe (one mutex; touched on subscribe, unsubscribe and once per
// feed batch, never per message).
#pragma once

#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace exchange::md {

class StreamRegistry {
 public:
  // The feed's symbols, by lower-case name → the exchange's spelling.
  // `ready` false until the feed has loaded them once.
  void SetSymbols(std::map<std::string, std::string> by_lower_case);
  // The exchange's spelling of `lower_case`; nullopt when unknown.
  std::optional<std::string> Resolve(std::string_view lower_case) const;
  bool ready() const;

  void Add(const std::string& stream);
  void Remove(const std::string& stream);
  std::size_t Followers(const std::string& stream) const;

 private:
  mutable std::mutex mu_;
  bool ready_ = false;
  std::map<std::string, std::string, std::less<>> symbols_;
  std::unordered_map<std::string, std::size_t> followers_;
};

}  // namespace exchange::md
