// StopBook: the STOP and STOP_LIMIT orders of one symbol waiting for their
// trigger, in the order in which they will trigger.
//
// A buy stop triggers when the last trade price is ≥ its stop price, a sell
// stop when it is ≤. Orders triggered by the same trade enter in stop-price
// order (buys ascending, sells descending: the order in which the price
// crossed them), then by time of acceptance. Owned by an OrderBook; engine
// thread only.
#pragma once

#include <algorithm>
#include <vector>

#include "engine/order.h"

namespace exchange {

class StopBook {
 public:
  void Add(Order* o) {
    auto& v = side(o->side);
    v.insert(std::upper_bound(v.begin(), v.end(), o, Later(o->side)), o);
  }

  void Remove(Order* o) {
    auto& v = side(o->side);
    auto it = std::lower_bound(v.begin(), v.end(), o, Later(o->side));
    while (it != v.end() && *it != o)
      ++it;
    if (it != v.end()) v.erase(it);
  }

  // Removes and returns the next order triggered by `last_price`, or nullptr.
  // Buys are looked at before sells; both cannot trigger on one price unless
  // they were entered on opposite sides of it, and then buys go first.
  Order* PopTriggered(Price last_price) {
    if (!buys_.empty() && last_price >= buys_.back()->stop_price) return Pop(buys_);
    if (!sells_.empty() && last_price <= sells_.back()->stop_price) return Pop(sells_);
    return nullptr;
  }

  const std::vector<Order*>& buys() const { return buys_; }
  const std::vector<Order*>& sells() const { return sells_; }
  std::size_t size() const { return buys_.size() + sells_.size(); }

 private:
  // Comparator: true when a triggers after b (the vector's back triggers first).
  struct Later {
    explicit Later(Side s) : side(s) {}
    bool operator()(const Order* a, const Order* b) const {
      if (a->stop_price != b->stop_price) {
        return side == Side::kBuy ? a->stop_price > b->stop_price : a->stop_price < b->stop_price;
      }
      return a->priority > b->priority;
    }
    Side side;
  };

  static Order* Pop(std::vector<Order*>& v) {
    Order* o = v.back();
    v.pop_back();
    return o;
  }

  std::vector<Order*>& side(Side s) { return s == Side::kBuy ? buys_ : sells_; }

  std::vector<Order*> buys_;   // back = lowest stop price, oldest
  std::vector<Order*> sells_;  // back = highest stop price, oldest
};

}  // namespace exchange
