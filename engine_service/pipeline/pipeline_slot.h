// PipelineSlot: one AMQP message's journey through the engine service. The
// ingest thread fills `batch`, the engine thread fills `events`, the committer
// makes it durable and hands it to every sink, and the last sink to finish
// returns it to the SlotPool. The pool's fixed size bounds the memory of the
// whole pipeline: when sinks fall behind, ingest runs out of slots and stops
// taking messages from RabbitMQ (back-pressure), and nothing else waits.
//
// A slot belongs to exactly one thread at a time, handed over through
// lock-free queues; only `holders` is shared between sinks.
#pragma once

#include <boost/lockfree/spsc_queue.hpp>
#include <boost/lockfree/stack.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <vector>

#include "engine/depth_collector.h"
#include "wire/wire_format.h"

namespace exchange {

// A RabbitMQ delivery as the ingest thread knows it: the connection epoch in
// the top 16 bits, the channel's delivery tag below. 0: nothing to ack.
using DeliveryId = std::uint64_t;
inline constexpr int kDeliveryTagBits = 48;
inline DeliveryId MakeDeliveryId(std::uint64_t epoch, std::uint64_t tag) {
  return (epoch << kDeliveryTagBits) | tag;
}
inline std::uint64_t DeliveryEpoch(DeliveryId id) {
  return id >> kDeliveryTagBits;
}
inline std::uint64_t DeliveryTag(DeliveryId id) {
  return id & ((std::uint64_t{1} << kDeliveryTagBits) - 1);
}

struct PipelineSlot {
  DeliveryId delivery = 0;
  wire::CommandBatch batch;                            // ingest → engine
  std::vector<wire::EventRecord> events;               // engine → sinks
  std::vector<DepthChange> depth;                      // engine → sinks, when a depth sink runs
  std::chrono::steady_clock::time_point dispatched{};  // committer → sinks (lag)
  std::atomic<int> holders{0};                         // sinks still using it
};

using SlotQueue = boost::lockfree::spsc_queue<PipelineSlot*>;

class SlotPool {
 public:
  static constexpr std::size_t kKeptCapacity =
      4096;  // records or events a free slot keeps room for

  explicit SlotPool(std::size_t slots) : free_(slots) {
    slots_.reserve(slots);
    for (std::size_t i = 0; i < slots; ++i) {
      slots_.push_back(std::make_unique<PipelineSlot>());
      free_.bounded_push(slots_.back().get());
    }
  }
  // nullptr when every slot is in use (back-pressure).
  PipelineSlot* Acquire() {
    PipelineSlot* s = nullptr;
    if (!free_.pop(s)) return nullptr;
    ++in_use_;
    return s;
  }
  // Any thread.
  void Release(PipelineSlot* s) {
    s->delivery = 0;
    s->batch.records.clear();
    s->events.clear();
    s->depth.clear();
    // A slot that once held a huge batch gives the memory back.
    if (s->events.capacity() > kKeptCapacity) s->events.shrink_to_fit();
    if (s->depth.capacity() > kKeptCapacity) s->depth.shrink_to_fit();
    if (s->batch.records.capacity() > kKeptCapacity) s->batch.records.shrink_to_fit();
    --in_use_;
    free_.bounded_push(s);
  }
  // A sink is done with the slot; the last one releases it.
  void Drop(PipelineSlot* s) {
    if (s->holders.fetch_sub(1, std::memory_order_acq_rel) == 1) Release(s);
  }
  std::size_t size() const { return slots_.size(); }
  std::int64_t in_use() const { return in_use_.load(std::memory_order_relaxed); }

 private:
  std::vector<std::unique_ptr<PipelineSlot>> slots_;
  // LIFO: the most recently used slots (warm, already sized) go out first.
  boost::lockfree::stack<PipelineSlot*> free_;
  std::atomic<std::int64_t> in_use_{0};
};

}  // namespace exchange
