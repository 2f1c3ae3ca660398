// PriceLevel: the FIFO queue of resting orders at one price on one side, with
// the displayed quantity it adds up to.
//
// Allocated from the Engine's ObjectPool and indexed by a BookSide; engine
// thread only.
#pragma once

#include <cstdint>

#include "engine/order.h"

namespace exchange {

struct PriceLevel {
  Price price = 0;
  Quantity displayed = 0;  // sum of display over the orders
  std::uint32_t order_count = 0;
  Order* head = nullptr;  // oldest: matched first
  Order* tail = nullptr;

  bool empty() const { return head == nullptr; }

  void PushBack(Order* o) {
    o->level = this;
    o->prev = tail;
    o->next = nullptr;
    if (tail) {
      tail->next = o;
    } else {
      head = o;
    }
    tail = o;
    displayed += o->display;
    ++order_count;
  }

  void Remove(Order* o) {
    if (o->prev) {
      o->prev->next = o->next;
    } else {
      head = o->next;
    }
    if (o->next) {
      o->next->prev = o->prev;
    } else {
      tail = o->prev;
    }
    displayed -= o->display;
    --order_count;
    o->prev = o->next = nullptr;
    o->level = nullptr;
  }
};

}  // namespace exchange
