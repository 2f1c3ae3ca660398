// BookSide: the price levels of one side of one symbol's book.
//
// Near the touch, levels live in a PriceLadder: a window of 4,096 ticks
// indexed by price, with a bitmap of the live ones, so finding a price's
// level is an index and finding the next best after the best empties is a
// bit scan. Levels outside the window live in a vector sorted by price (best
// last), found by binary search: the far book is large in price but rarely
// touched. The window is placed with the best price three quarters of the
// way up it, and moves (levels change places between the two) when levels
// keep being added outside it at or near the best price (ShouldMove): a
// market that moves far carries the window with it.
//
// Best() is O(1): the best level is kept. Owned by an OrderBook; engine
// thread only.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <utility>
#include <vector>

#include "engine/object_pool.h"
#include "engine/price_ladder.h"

namespace exchange {

class BookSide {
 public:
  BookSide(Side side, Price tick) : side_(side), tick_(tick > 0 ? tick : 1) {}

  Side side() const { return side_; }
  bool empty() const { return best_ == nullptr; }
  // Levels holding at least one order.
  std::size_t level_count() const { return ladder_.live() + far_.size(); }

  // The best level; never an empty one.
  PriceLevel* Best() const { return best_; }

  // Calls f(const PriceLevel&) for each non-empty level from the best down,
  // until f returns false.
  template <typename F>
  void ForEachLevel(F&& f) const {
    // Far levels above the window, the window from the top, far levels below.
    auto far = far_.rbegin();
    const std::int64_t window_top = ladder_.KeyOf(PriceLadder::kSlots);
    for (; far != far_.rend() && far->key >= window_top; ++far) {
      if (!f(static_cast<const PriceLevel&>(*far->level))) return;
    }
    for (std::size_t s = ladder_.Highest(); s != PriceLadder::kSlots; s = ladder_.HighestBelow(s)) {
      if (!f(static_cast<const PriceLevel&>(*ladder_.level(s)))) return;
    }
    for (; far != far_.rend(); ++far) {
      if (!f(static_cast<const PriceLevel&>(*far->level))) return;
    }
  }

  // True when `price` is at least as good as `than` for this side.
  bool AtLeastAsGood(Price price, Price than) const {
    return side_ == Side::kBuy ? price >= than : price <= than;
  }

  // The non-empty level at `price`, or nullptr.
  PriceLevel* Find(Price price) const {
    const std::int64_t key = KeyOf(price);
    const std::size_t slot = ladder_.SlotOf(key);
    if (slot != PriceLadder::kSlots) {
      return ladder_.level(slot);
    }
    auto it = FarLowerBound(far_, key);
    return it != far_.end() && it->key == key ? it->level : nullptr;
  }

  // The level at `price`, created when missing; the caller adds an order to
  // it at once (so it is live from here on).
  PriceLevel* FindOrInsert(Price price, ObjectPool<PriceLevel>& pool) {
    const std::int64_t key = KeyOf(price);
    std::size_t slot = ladder_.SlotOf(key);
    if (slot == PriceLadder::kSlots && NearTheTouch(key) && ShouldMove()) {
      Recenter(key);
      slot = ladder_.SlotOf(key);
    }
    PriceLevel* level;
    if (slot != PriceLadder::kSlots) {
      level = ladder_.level(slot);
      if (level != nullptr) return level;
      level = NewLevel(price, pool);
      ladder_.set_level(slot, level);
      ladder_.MarkLive(slot);
    } else {
      auto it = FarLowerBound(far_, key);
      if (it != far_.end() && it->key == key) return it->level;
      level = NewLevel(price, pool);
      far_.insert(it, Entry{key, level});
    }
    if (best_ == nullptr || key > KeyOf(best_->price)) best_ = level;
    return level;
  }

  // Called when `level` has just become empty.
  void Erase(PriceLevel* level, ObjectPool<PriceLevel>& pool) {
    const std::int64_t key = KeyOf(level->price);
    const std::size_t slot = ladder_.SlotOf(key);
    if (slot != PriceLadder::kSlots) {
      ladder_.set_level(slot, nullptr);
      ladder_.MarkEmpty(slot);
    } else {
      far_.erase(FarLowerBound(far_, key));
    }
    pool.Destroy(level);
    if (level == best_) best_ = FindBest();
  }

 private:
  struct Entry {
    std::int64_t key;  // KeyOf(price): ascending, best last
    PriceLevel* level;
  };

  // Grows towards the best price on either side.
  std::int64_t KeyOf(Price price) const { return side_ == Side::kBuy ? price : -price; }

  static PriceLevel* NewLevel(Price price, ObjectPool<PriceLevel>& pool) {
    PriceLevel* level = pool.Create();
    level->price = price;
    return level;
  }

  // A new level outside the window moves the window when the side is empty
  // or the level is within a quarter window of the best (or better).
  bool NearTheTouch(std::int64_t key) const {
    if (tick_ > PriceLadder::kMaxTick) return false;  // no window: every level is far
    if (best_ == nullptr) return true;
    const std::int64_t reach = static_cast<std::int64_t>(PriceLadder::kSlots / 4) * tick_;
    return key >= KeyOf(best_->price) - reach;
  }

  // Moving the window costs in proportion to the far levels, so it moves at
  // once only when nothing would move, else on the kMovesAfter-th level
  // added near the touch outside it: a thin book whose orders jump far
  // (the flash-crash scenario) would otherwise move it at every order.
  bool ShouldMove() {
    if (far_.empty() && ladder_.live() == 0) return true;
    if (++misses_ < kMovesAfter) return false;
    misses_ = 0;
    return true;
  }

  PriceLevel* FindBest() const {
    const std::size_t top = ladder_.Highest();
    PriceLevel* far = far_.empty() ? nullptr : far_.back().level;
    if (top == PriceLadder::kSlots) return far;
    PriceLevel* near = ladder_.level(top);
    return far != nullptr && far_.back().key > ladder_.KeyOf(top) ? far : near;
  }

  // Places the window with `anchor` (and the best, when better) three
  // quarters of the way up, moving levels between the window and the far
  // vector. Costs in proportion to the live levels moved; the scratch
  // vectors keep their memory, so a move allocates nothing once warm.
  void Recenter(std::int64_t anchor) {
    if (best_ != nullptr) anchor = std::max(anchor, KeyOf(best_->price));
    leaving_.clear();
    ladder_.ForEachLive([&](std::size_t slot, PriceLevel* level) {
      leaving_.push_back(Entry{ladder_.KeyOf(slot), level});
    });
    ladder_.Clear();
    const std::int64_t below = static_cast<std::int64_t>(PriceLadder::kSlots * 3 / 4) * tick_;
    ladder_.Place(anchor - below, tick_);
    // Far levels now inside the window move into it; the rest stay.
    std::erase_if(far_, [&](const Entry& e) { return PlaceInWindow(e); });
    // The old window's levels now outside it join the far vector, in order.
    std::erase_if(leaving_, [&](const Entry& e) { return PlaceInWindow(e); });
    merged_.clear();
    std::merge(far_.begin(), far_.end(), leaving_.begin(), leaving_.end(),
               std::back_inserter(merged_),
               [](const Entry& a, const Entry& b) { return a.key < b.key; });
    far_.swap(merged_);
  }

  // Puts `e` in its window slot when it falls inside the window.
  bool PlaceInWindow(const Entry& e) {
    const std::size_t slot = ladder_.SlotOf(e.key);
    if (slot == PriceLadder::kSlots) return false;
    ladder_.set_level(slot, e.level);
    ladder_.MarkLive(slot);
    return true;
  }

  // The first far entry whose key is not below `key` (far_ const or not).
  template <typename Vector>
  static decltype(std::declval<Vector&>().begin()) FarLowerBound(Vector& far, std::int64_t key) {
    return std::lower_bound(far.begin(), far.end(), key,
                            [](const Entry& e, std::int64_t k) { return e.key < k; });
  }

  Side side_;
  Price tick_;
  PriceLevel* best_ = nullptr;
  PriceLadder ladder_;
  std::vector<Entry> far_;               // live levels outside the window, ascending key
  std::vector<Entry> leaving_, merged_;  // Recenter's scratch
  static constexpr int kMovesAfter = 16;
  int misses_ = 0;  // levels added near the touch outside the window since it moved
};

}  // namespace exchange
