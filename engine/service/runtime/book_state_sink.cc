#include "engine/service/runtime/book_state_sink.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace exchange {

namespace {

// Slots folded into the views between two writes: bounds a write's size
// when the sink is behind.
constexpr std::size_t kMaxSlotsPerWrite = 1024;
// Dispatch times kept for the lag histogram; beyond this (Redis down) only
// the oldest is kept.
constexpr std::size_t kMaxTimedSlots = 1 << 16;
// Short: the view must converge within a second of Redis being back.
constexpr std::chrono::milliseconds kMaxBackoff{500};

}  // namespace

BookStateSink::BookStateSink(Options options, SinkChannel& channel, SlotPool& pool,
                             bookstate::BookViews views, Sequence seeded_up_to,
                             prometheus::Histogram* lag_seconds)
    : options_(std::move(options)),
      channel_(channel),
      pool_(pool),
      views_(std::move(views)),
      seeded_up_to_(seeded_up_to),
      lag_seconds_(lag_seconds),
      writer_(bookstate::BookStateWriter::Options{options_.stream_max_length}),
      taken_sequence_(seeded_up_to) {}

void BookStateSink::Run(const std::atomic<bool>& stop) {
  for (;;) {
    const std::size_t taken = TakeSlots();
    if (taken > 0 || rewrite_ || !unwritten_.empty()) Write();
    if (taken > 0) continue;
    if (stop.load(std::memory_order_acquire) && channel_.queue.read_available() == 0) break;
    // While a write is due but Redis is down or refused, wake to try again.
    const bool waiting_for_redis = rewrite_ || !unwritten_.empty();
    channel_.bell.Wait([&] { return channel_.queue.read_available() > 0 || stop.load(); },
                       waiting_for_redis ? 100 : -1);
  }
}

std::size_t BookStateSink::TakeSlots() {
  std::size_t n = 0;
  PipelineSlot* slot = nullptr;
  while (n < kMaxSlotsPerWrite && channel_.queue.pop(slot)) {
    views_.ApplyBatch(slot->events, slot->depth, seeded_up_to_);
    if (!slot->events.empty()) {
      taken_sequence_ = std::max(taken_sequence_, slot->events.back().event.sequence);
    }
    if (unwritten_.size() < kMaxTimedSlots) unwritten_.push_back(slot->dispatched);
    pool_.Drop(slot);
    channel_.stats.done.fetch_add(1, std::memory_order_relaxed);
    ++n;
  }
  return n;
}

bool BookStateSink::Connect() {
  if (client_) return true;
  try {
    client_ = std::make_unique<redis::RedisClient>(options_.url);
    spdlog::info("book state: connected to redis {}", redis::Describe(options_.url));
    channel_.stats.connected.store(1, std::memory_order_relaxed);
    channel_.stats.reconnects.fetch_add(1, std::memory_order_relaxed);
    last_failure_.clear();
    rewrite_ = true;
    return true;
  } catch (const redis::RedisError& e) {
    if (last_failure_ != e.what()) spdlog::warn("book state: {}; retrying", e.what());
    last_failure_ = e.what();
    next_attempt_ = Clock::now() + backoff_;
    backoff_ = std::min(backoff_ * 2, kMaxBackoff);
    return false;
  }
}

void BookStateSink::Write() {
  if (Clock::now() < next_attempt_ || !Connect()) return;
  std::string refused;
  try {
    refused =
        rewrite_ ? writer_.WriteAll(*client_, views_) : writer_.WriteChanges(*client_, views_);
  } catch (const redis::RedisError& e) {
    spdlog::warn("book state: {}; reconnecting, then rewriting every view", e.what());
    client_.reset();
    channel_.stats.connected.store(0, std::memory_order_relaxed);
    next_attempt_ = Clock::now() + backoff_;
    backoff_ = std::min(backoff_ * 2, kMaxBackoff);
    rewrite_ = true;
    return;
  }
  if (!refused.empty()) {
    spdlog::error("book state: {}; rewriting every view", refused);
    rewrite_ = true;
    next_attempt_ = Clock::now() + backoff_;
    backoff_ = std::min(backoff_ * 2, kMaxBackoff);
    return;
  }
  rewrite_ = false;
  backoff_ = std::chrono::milliseconds(100);
  const auto now = Clock::now();
  if (lag_seconds_ != nullptr) {
    for (const auto& dispatched : unwritten_)
      lag_seconds_->Observe(std::chrono::duration<double>(now - dispatched).count());
  }
  unwritten_.clear();
  channel_.stats.sequence.store(taken_sequence_, std::memory_order_relaxed);
  channel_.stats.messages.store(writer_.commands_sent(), std::memory_order_relaxed);
}

}  // namespace exchange
