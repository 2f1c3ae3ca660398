// PrefaultAllocator: std::allocator that writes every page of a new block at
// allocation time, so that the first use of reserved memory on the matching
// path does not take a page fault (each one costs microseconds).
//
// Stateless; any thread.
#pragma once

#include <cstddef>
#include <cstring>
#include <memory>

namespace exchange {

template <typename T>
class PrefaultAllocator {
 public:
  using value_type = T;

  PrefaultAllocator() = default;
  template <typename U>
  PrefaultAllocator(const PrefaultAllocator<U>&) {}  // NOLINT: allocators convert implicitly

  T* allocate(std::size_t n) {
    T* p = std::allocator<T>().allocate(n);
    std::memset(static_cast<void*>(p), 0, n * sizeof(T));
    return p;
  }
  void deallocate(T* p, std::size_t n) { std::allocator<T>().deallocate(p, n); }

  template <typename U>
  bool operator==(const PrefaultAllocator<U>&) const {
    return true;
  }
};

}  // namespace exchange
