// StreamRegistry: what every serving thread and the market feed share
// about the WebSocket streams: the symbols the feed follows (so a
// subscription to an unknown symbol is refused at once, with its name) and
// how many connections follow each stream (so the feed renders messages
// only for streams someone watches: kline intervals, aliases, partial
// books ...). The generation moves whenever a stream gains its first
// follower or loses its last, so the feed rereads which streams are
// followed only then.
//
// Thread-safe (one mutex; touched on subscribe, unsubscribe and once per
// feed batch, never per message).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

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
  // For each of `streams`: 1 when someone follows it, else 0 (one lock).
  void Followed(const std::vector<std::string>& streams, std::vector<char>& out) const;
  std::uint64_t generation() const { return generation_.load(std::memory_order_acquire); }

 private:
  mutable std::mutex mu_;
  bool ready_ = false;
  std::map<std::string, std::string, std::less<>> symbols_;
  std::unordered_map<std::string, std::size_t> followers_;
  std::atomic<std::uint64_t> generation_{0};
};

}  // namespace exchange::md
