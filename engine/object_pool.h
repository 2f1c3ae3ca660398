// ObjectPool: fixed-size slots for one type, handed out from a free list and
// grown in chunks, so the matching hot path never calls the heap per order.
//
// Written for speed in place of std::pmr pools: a LIFO free list keeps the
// most recently freed (cache-warm) slot in front and costs two pointer moves.
// Owned by the Engine; engine thread only.
#pragma once

#include <cstddef>
#include <memory>
#include <new>
#include <utility>
#include <vector>

namespace exchange {

template <typename T, std::size_t kChunk = 4096>
class ObjectPool {
 public:
  ObjectPool() = default;
  ObjectPool(const ObjectPool&) = delete;
  ObjectPool& operator=(const ObjectPool&) = delete;
  ~ObjectPool() = default;  // T must be trivially destructible; slots are raw storage

  template <typename... Args>
  T* Create(Args&&... args) {
    if (free_ == nullptr) Grow();
    Slot* slot = free_;
    free_ = slot->next;
    ++live_;
    return ::new (static_cast<void*>(slot->storage)) T(std::forward<Args>(args)...);
  }

  void Destroy(T* object) {
    static_assert(std::is_trivially_destructible_v<T>);
    Slot* slot = reinterpret_cast<Slot*>(object);
    slot->next = free_;
    free_ = slot;
    --live_;
  }

  std::size_t live() const { return live_; }
  std::size_t capacity() const { return chunks_.size() * kChunk; }

  // Makes room for n live objects without further growth.
  void Reserve(std::size_t n) {
    while (capacity() < n)
      Grow();
  }

 private:
  union Slot {
    Slot* next;
    alignas(T) unsigned char storage[sizeof(T)];
  };

  void Grow() {
    auto chunk = std::make_unique<Slot[]>(kChunk);
    // Thread the new slots so that the lowest address is handed out first.
    for (std::size_t i = kChunk; i-- > 0;) {
      chunk[i].next = free_;
      free_ = &chunk[i];
    }
    chunks_.push_back(std::move(chunk));
  }

  std::vector<std::unique_ptr<Slot[]>> chunks_;
  Slot* free_ = nullptr;
  std::size_t live_ = 0;
};

}  // namespace exchange
