// ExchangeIdTable: finds a live order by its exchange order id.
//
// The engine hands exchange ids out in sequence, so the live orders' ids
// crowd the recent end of the sequence. The table is direct-mapped on that:
// id i lives in slot i mod size. A new order's slot is the one after the
// previous order's, so inserts walk memory in order and the lines a cancel
// touches are the recent, warm ones, however large the table is; a hash map
// instead scatters every insert over its whole (capacity-sized) array. An
// order still live when the sequence comes round to its slot again keeps
// it, and the newcomer goes to a small overflow map (empty unless some
// orders outlive `size` newer ones).
//
// Owned by the OrderIndex; engine thread only.
#pragma once

#include <boost/unordered/unordered_flat_map.hpp>
#include <cstddef>
#include <vector>

#include "engine/order.h"
#include "engine/prefault_allocator.h"

namespace exchange {

class ExchangeIdTable {
 public:
  // `expected_orders` is rounded up to a power of two, at least 4096.
  explicit ExchangeIdTable(std::size_t expected_orders) {
    std::size_t size = 4096;
    while (size < expected_orders)
      size *= 2;
    slots_.assign(size, nullptr);
    mask_ = size - 1;
  }

  Order* Find(OrderId id) const {
    Order* o = slots_[id & mask_];
    if (o != nullptr && o->exchange_id == id) return o;
    if (overflow_.empty()) return nullptr;
    auto it = overflow_.find(id);
    return it == overflow_.end() ? nullptr : it->second;
  }

  void Insert(Order* o) {
    Order*& slot = slots_[o->exchange_id & mask_];
    if (slot == nullptr) {
      slot = o;
    } else {
      overflow_.emplace(o->exchange_id, o);
    }
  }

  void Erase(const Order* o) {
    Order*& slot = slots_[o->exchange_id & mask_];
    if (slot == o) {
      slot = nullptr;
    } else {
      overflow_.erase(o->exchange_id);
    }
  }

 private:
  std::vector<Order*, PrefaultAllocator<Order*>> slots_;
  std::size_t mask_ = 0;
  boost::unordered_flat_map<OrderId, Order*> overflow_;
};

}  // namespace exchange
