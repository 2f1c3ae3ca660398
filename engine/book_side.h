// BookSide: the price levels of one side of one symbol's book, kept sorted so
// that the best price is at the back of a contiguous vector.
//
// Best price is O(1); a level is found by a short scan from the top then a
// binary search over contiguous memory, which beats a node-based tree for the
// few hundred levels a real book has near its top. Owned by an OrderBook;
// engine thread only.
#pragma once

#include <algorithm>
#include <cstddef>
#include <vector>

#include "engine/object_pool.h"
#include "engine/price_level.h"

namespace exchange {

class BookSide {
 public:
  explicit BookSide(Side side) : side_(side) {}

  Side side() const { return side_; }
  bool empty() const { return levels_.empty(); }
  std::size_t level_count() const { return levels_.size(); }

  PriceLevel* Best() const { return levels_.empty() ? nullptr : levels_.back().level; }

  // The n-th level from the top (0 = best); n < level_count().
  PriceLevel* LevelFromTop(std::size_t n) const { return levels_[levels_.size() - 1 - n].level; }

  // True when `price` is at least as good as `than` for this side.
  bool AtLeastAsGood(Price price, Price than) const {
    return side_ == Side::kBuy ? price >= than : price <= than;
  }

  PriceLevel* Find(Price price) const {
    const std::int64_t key = KeyOf(price);
    auto it = LowerBound(key);
    return (it != levels_.end() && it->key == key) ? it->level : nullptr;
  }

  PriceLevel* FindOrInsert(Price price, ObjectPool<PriceLevel>& pool) {
    const std::int64_t key = KeyOf(price);
    auto it = LowerBound(key);
    if (it != levels_.end() && it->key == key) return it->level;
    PriceLevel* level = pool.Create();
    level->price = price;
    levels_.insert(it, Entry{key, level});
    return level;
  }

  // Removes an empty level and returns it to the pool.
  void Erase(PriceLevel* level, ObjectPool<PriceLevel>& pool) {
    if (!levels_.empty() && levels_.back().level == level) {
      levels_.pop_back();
    } else {
      auto it = LowerBound(KeyOf(level->price));
      levels_.erase(it);
    }
    pool.Destroy(level);
  }

 private:
  struct Entry {
    std::int64_t key;  // price for bids, −price for asks: ascending, best last
    PriceLevel* level;
  };

  std::int64_t KeyOf(Price price) const { return side_ == Side::kBuy ? price : -price; }

  std::vector<Entry>::iterator LowerBound(std::int64_t key) {
    // Most activity is at the top of the book: look at the last few first.
    const std::size_t n = levels_.size();
    const std::size_t scan = n < 8 ? n : 8;
    for (std::size_t i = 0; i < scan; ++i) {
      Entry& e = levels_[n - 1 - i];
      if (e.key < key) return levels_.begin() + static_cast<std::ptrdiff_t>(n - i);
      if (e.key == key) return levels_.begin() + static_cast<std::ptrdiff_t>(n - 1 - i);
    }
    auto end = levels_.begin() + static_cast<std::ptrdiff_t>(n - scan);
    return std::lower_bound(levels_.begin(), end, key,
                            [](const Entry& e, std::int64_t k) { return e.key < k; });
  }
  std::vector<Entry>::const_iterator LowerBound(std::int64_t key) const {
    return const_cast<BookSide*>(this)->LowerBound(key);
  }

  Side side_;
  std::vector<Entry> levels_;
};

}  // namespace exchange
