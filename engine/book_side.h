// BookSide: the price levels of one side of one symbol's book, kept sorted so
// that the best price is at the back of a contiguous vector.
//
// Best price is O(1); a level is found by a short scan from the top then a
// binary search over contiguous memory, which beats a node-based tree for the
// few hundred levels a real book has near its top. A level that empties below
// the top stays in place, empty, and is reused when an order comes back to
// its price: orders that move between nearby prices then cost no vector
// insert or erase. Empty levels are compacted away once they outnumber the
// live ones. Owned by an OrderBook; engine thread only.
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
  bool empty() const { return live_levels_ == 0; }
  // Levels holding at least one order.
  std::size_t level_count() const { return live_levels_; }

  // The best level; never an empty one.
  PriceLevel* Best() const { return levels_.empty() ? nullptr : levels_.back().level; }

  // Calls f(const PriceLevel&) for each non-empty level from the best down,
  // until f returns false.
  template <typename F>
  void ForEachLevel(F&& f) const {
    for (auto it = levels_.rbegin(); it != levels_.rend(); ++it) {
      if (!it->level->empty() && !f(*it->level)) return;
    }
  }

  // True when `price` is at least as good as `than` for this side.
  bool AtLeastAsGood(Price price, Price than) const {
    return side_ == Side::kBuy ? price >= than : price <= than;
  }

  // The non-empty level at `price`, or nullptr.
  PriceLevel* Find(Price price) const {
    const std::int64_t key = KeyOf(price);
    auto it = const_cast<BookSide*>(this)->LowerBound(key);
    return (it != levels_.end() && it->key == key && !it->level->empty()) ? it->level : nullptr;
  }

  // The level at `price`, created when missing; the caller adds an order to it.
  PriceLevel* FindOrInsert(Price price, ObjectPool<PriceLevel>& pool) {
    const std::int64_t key = KeyOf(price);
    auto it = LowerBound(key);
    if (it != levels_.end() && it->key == key) {
      if (it->level->empty()) {
        --empty_levels_;
        ++live_levels_;
      }
      return it->level;
    }
    PriceLevel* level = pool.Create();
    level->price = price;
    levels_.insert(it, Entry{key, level});
    ++live_levels_;
    return level;
  }

  // Called when `level` has just become empty.
  void Erase(PriceLevel* level, ObjectPool<PriceLevel>& pool) {
    --live_levels_;
    if (levels_.back().level != level) {
      if (++empty_levels_ > live_levels_ + kEmptySlack) Compact(pool);
      return;
    }
    // The best level went: drop it and any empty levels now on top.
    pool.Destroy(level);
    levels_.pop_back();
    while (!levels_.empty() && levels_.back().level->empty()) {
      pool.Destroy(levels_.back().level);
      levels_.pop_back();
      --empty_levels_;
    }
  }

 private:
  static constexpr std::size_t kEmptySlack = 64;

  struct Entry {
    std::int64_t key;  // price for bids, −price for asks: ascending, best last
    PriceLevel* level;
  };

  std::int64_t KeyOf(Price price) const { return side_ == Side::kBuy ? price : -price; }

  void Compact(ObjectPool<PriceLevel>& pool) {
    std::erase_if(levels_, [&pool](const Entry& e) {
      if (!e.level->empty()) return false;
      pool.Destroy(e.level);
      return true;
    });
    empty_levels_ = 0;
  }

  std::vector<Entry>::iterator LowerBound(std::int64_t key) {
    // Most activity is at the top of the book: look at the last few first.
    const std::size_t n = levels_.size();
    const std::size_t scan = n < 8 ? n : 8;
    for (std::size_t i = 0; i < scan; ++i) {
      Entry& e = levels_[n - 1 - i];
      if (e.key < key) return levels_.begin() + static_cast<std::ptrdiff_t>(n - i);
      if (e.key == key) return levels_.begin() + static_cast<std::ptrdiff_t>(n - 1 - i);
    }
    // Branch-free binary search over the rest: the comparison becomes a
    // conditional move, so a search costs no mispredicted branches.
    std::size_t len = n - scan;
    if (len == 0) return levels_.begin();
    const Entry* base = levels_.data();
    while (len > 1) {
      const std::size_t half = len / 2;
      base += half * static_cast<std::size_t>(base[half - 1].key < key);
      len -= half;
    }
    base += base->key < key ? 1 : 0;
    return levels_.begin() + (base - levels_.data());
  }

  Side side_;
  std::vector<Entry> levels_;
  std::size_t live_levels_ = 0;
  std::size_t empty_levels_ = 0;
};

}  // namespace exchange
