// DepthCache: a serving thread's last /api/v3/depth bodies, per (symbol,
// limit), each kept with the book view's sequence it was read at. The
// book-state writer changes a symbol's levels and its state hash's `seq`
// in one MULTI/EXEC, and every change of the view comes with a higher
// engine sequence (a rewrite after a Redis failure writes the same levels
// with the same sequence); so a `seq` equal to the kept one (one HGET, no
// levels read or formatted) means the kept body is the book's now.
//
// At most `max_entries` bodies (the least recently used is dropped).
//
// Owned by one serving thread (through its MarketDataSource); one thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "engine/types.h"

namespace exchange::md {

class DepthCache {
 public:
  explicit DepthCache(std::size_t max_entries = 64) : max_entries_(max_entries) {}

  // The body kept for (symbol, limit, decimals) if it was read at
  // `sequence`; null otherwise.
  const std::string* Find(std::string_view symbol, std::size_t limit, Sequence sequence,
                          int price_decimals, int quantity_decimals);
  // Keeps `body`, read at `sequence`.
  void Store(std::string_view symbol, std::size_t limit, Sequence sequence, int price_decimals,
             int quantity_decimals, const std::string& body);

  std::uint64_t hits() const { return hits_; }
  std::size_t entries() const { return entries_.size(); }

 private:
  struct Entry {
    Sequence sequence = 0;
    int price_decimals = -1, quantity_decimals = -1;
    std::string body;
    std::uint64_t used = 0;
  };
  // key_ := symbol '\n' limit.
  void MakeKey(std::string_view symbol, std::size_t limit);

  std::size_t max_entries_;
  std::unordered_map<std::string, Entry> entries_;
  std::string key_;
  std::uint64_t tick_ = 0;
  std::uint64_t hits_ = 0;
};

}  // namespace exchange::md
