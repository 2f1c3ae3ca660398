// Doorbell: how a pipeline thread sleeps when its input queue is empty and is
// woken when a producer pushes, without locks. The consumer spins briefly,
// then announces that it is going to sleep, checks its queue once more and
// sleeps on an eventfd; a producer rings only when the consumer announced it
// sleeps (seq_cst fences on both sides make that check race-free), so a busy
// pipeline pays no system call per item.
//
// One consumer thread waits; any number of producer threads may Ring().
// The eventfd is exposed so a consumer can poll it together with a socket.
#pragma once

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <stdexcept>

namespace exchange {

class Doorbell {
 public:
  Doorbell() : fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
    if (fd_ < 0) throw std::runtime_error("eventfd failed");
  }
  ~Doorbell() { ::close(fd_); }
  Doorbell(const Doorbell&) = delete;
  Doorbell& operator=(const Doorbell&) = delete;

  // Producer side, after publishing an item.
  void Ring() {
    std::atomic_thread_fence(std::memory_order_seq_cst);
    if (sleeping_.load(std::memory_order_relaxed)) Wake();
  }
  // Wakes the consumer whether or not it sleeps (shutdown).
  void Wake() {
    const std::uint64_t one = 1;
    [[maybe_unused]] const auto n = ::write(fd_, &one, sizeof one);
  }

  // Consumer side: returns once ready() is true (or after `timeout_ms`, -1 for
  // none). ready() must be cheap; it is called while spinning.
  template <typename Ready>
  void Wait(Ready ready, int timeout_ms = -1) {
    for (int i = 0; i < kSpins; ++i) {
      if (ready()) return;
      __builtin_ia32_pause();
    }
    if (!PrepareToSleep(ready)) return;
    pollfd p{fd_, POLLIN, 0};
    ::poll(&p, 1, timeout_ms);
    FinishSleep();
  }

  // For consumers that poll this fd together with others: call
  // PrepareToSleep(ready) — false means do not sleep — then poll fd(), then
  // FinishSleep().
  template <typename Ready>
  bool PrepareToSleep(Ready ready) {
    sleeping_.store(true, std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_seq_cst);
    if (ready()) {
      sleeping_.store(false, std::memory_order_relaxed);
      return false;
    }
    return true;
  }
  void FinishSleep() {
    sleeping_.store(false, std::memory_order_relaxed);
    std::uint64_t count;
    [[maybe_unused]] const auto n = ::read(fd_, &count, sizeof count);
  }
  int fd() const { return fd_; }

 private:
  static constexpr int kSpins = 64;  // a few µs: on 2 cores spinning starves the broker
  int fd_;
  std::atomic<bool> sleeping_{false};
};

}  // namespace exchange
