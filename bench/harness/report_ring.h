// ReportRing: the single-producer, single-consumer queue this engine's
// harness adapter carries its reports over (the harness's optional
// engine_get_transport()), in place of the harness's default
// boost::lockfree::spsc_queue.
//
// Written here because the packaged queue is in the way of speed for this
// traffic: boost's push publishes every element and reads the consumer's
// index on every call, so each 64-byte report moves two shared cache lines
// between the cores. Here the producer publishes its index once per kBatch
// reports (and on flush, the harness's end-of-stream barrier), and each side
// keeps a private copy of the other's index, refreshed only when the ring
// looks full or empty. The slots are touched at creation, outside the timed
// window, as a production ring would be preallocated and prefaulted.
//
// One producer thread (the matcher) calls Push and Publish; one consumer
// thread (the harness's drainer) calls Drain.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>

#include "matching_engine_api.h"

namespace exchange::harness {

class ReportRing {
 public:
  static constexpr std::uint64_t kBatch = 32;

  explicit ReportRing(std::uint32_t min_capacity) {
    std::uint64_t capacity = kBatch * 2;
    while (capacity < min_capacity)
      capacity *= 2;
    mask_ = capacity - 1;
    const std::size_t bytes = capacity * sizeof(me_report_t);
    slots_.reset(static_cast<me_report_t*>(std::aligned_alloc(64, bytes)));
    if (!slots_) throw std::bad_alloc();
    std::memset(static_cast<void*>(slots_.get()), 0, bytes);
  }

  bool Push(const me_report_t& r) {
    if (producer_.next - producer_.read_seen > mask_) {
      producer_.read_seen = read_.load(std::memory_order_acquire);
      if (producer_.next - producer_.read_seen > mask_) {
        Publish();  // let the consumer make room
        return false;
      }
    }
    slots_[producer_.next & mask_] = r;
    if ((++producer_.next & (kBatch - 1)) == 0) Publish();
    return true;
  }

  void Publish() { written_.store(producer_.next, std::memory_order_release); }

  std::uint32_t Drain(me_report_t* out, std::uint32_t max) {
    if (consumer_.written_seen == consumer_.next) {
      consumer_.written_seen = written_.load(std::memory_order_acquire);
      if (consumer_.written_seen == consumer_.next) return 0;
    }
    const std::uint64_t n = std::min<std::uint64_t>(max, consumer_.written_seen - consumer_.next);
    // At most two runs of slots (the ring may wrap), each one copy.
    const std::uint64_t first = consumer_.next & mask_;
    const std::uint64_t run = std::min(n, mask_ + 1 - first);
    std::memcpy(out, &slots_[first], run * sizeof(me_report_t));
    std::memcpy(out + run, &slots_[0], (n - run) * sizeof(me_report_t));
    consumer_.next += n;
    read_.store(consumer_.next, std::memory_order_release);
    return static_cast<std::uint32_t>(n);
  }

 private:
  struct Free {
    void operator()(me_report_t* p) const { std::free(p); }
  };

  struct alignas(64) Producer {
    std::uint64_t next = 0;       // the next slot to write
    std::uint64_t read_seen = 0;  // the consumer's index, as last seen
  };
  struct alignas(64) Consumer {
    std::uint64_t next = 0;          // the next slot to read
    std::uint64_t written_seen = 0;  // the producer's published index, as last seen
  };

  Producer producer_;
  alignas(64) std::atomic<std::uint64_t> written_{0};  // published by the producer
  alignas(64) std::atomic<std::uint64_t> read_{0};     // published by the consumer
  Consumer consumer_;
  std::uint64_t mask_ = 0;
  std::unique_ptr<me_report_t[], Free> slots_;
};

}  // namespace exchange::harness
