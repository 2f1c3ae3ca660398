#include "engine_service/sinks/book_state_sink.h"

#include <spdlog/spdlog.h>

#include <poll.h>

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
// Transactions sent and not answered yet, at most.
constexpr std::size_t kMaxInFlight = 4;
// Stopping: how long the last writes may take.
constexpr std::chrono::seconds kDrainTimeout{5};

}  // namespace

BookStateSink::BookStateSink(Options options, SinkChannel& channel, SlotPool& pool,
                             bookstate::BookViews views, Sequence seeded_up_to,
                             LagObserver observe_lag)
    : options_(std::move(options)),
      channel_(channel),
      pool_(pool),
      views_(std::move(views)),
      seeded_up_to_(seeded_up_to),
      observe_lag_(std::move(observe_lag)),
      writer_(bookstate::BookStateWriter::Options{options_.stream_max_length, options_.shard}),
      taken_sequence_(seeded_up_to) {}

void BookStateSink::Run(const std::atomic<bool>& stop) {
  for (;;) {
    const std::size_t taken = TakeSlots();
    Collect();
    Send();
    if (taken > 0) continue;
    if (stop.load(std::memory_order_acquire) && channel_.queue.read_available() == 0) break;
    Wait(stop);
  }
  Drain();
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

void BookStateSink::Send() {
  if (!WriteDue() || in_flight_.size() >= kMaxInFlight) return;
  if (Clock::now() < next_attempt_ || !Connect()) return;
  InFlight t;
  try {
    t.replies =
        rewrite_ ? writer_.SendAll(*client_, views_) : writer_.SendChanges(*client_, views_);
  } catch (const redis::RedisError& e) {
    Fail(e.what(), /*refused=*/false);
    return;
  }
  rewrite_ = false;
  t.dispatched.swap(unwritten_);
  t.sequence = taken_sequence_;
  if (t.replies > 0) {
    in_flight_.push_back(std::move(t));
  } else if (!in_flight_.empty()) {
    // Slots that changed no view are written with the transaction before.
    auto& last = in_flight_.back().dispatched;
    last.insert(last.end(), t.dispatched.begin(), t.dispatched.end());
    in_flight_.back().sequence = t.sequence;
  } else {
    Complete(t);
  }
}

void BookStateSink::Collect() {
  while (!in_flight_.empty()) {
    redis::RedisReply reply;
    try {
      if (!client_->TryReadReply(reply)) return;
    } catch (const redis::RedisError& e) {
      Fail(e.what(), /*refused=*/false);
      return;
    }
    replies_.push_back(std::move(reply));
    if (replies_.size() < in_flight_.front().replies) continue;
    const std::string refused = bookstate::BookStateWriter::CheckTransaction(replies_);
    replies_.clear();
    if (!refused.empty()) {
      Fail(refused, /*refused=*/true);
      return;
    }
    Complete(in_flight_.front());
    in_flight_.pop_front();
  }
}

void BookStateSink::Drain() {
  // Only while connected: with Redis down the next start rewrites every
  // view anyway.
  const auto deadline = Clock::now() + kDrainTimeout;
  while (client_ && Clock::now() < deadline) {
    Collect();
    Send();
    if (in_flight_.empty() && (!WriteDue() || !client_)) return;
    if (!in_flight_.empty() && client_) {
      pollfd p{client_->fd(), POLLIN, 0};
      ::poll(&p, 1, 100);
    }
  }
  if (!in_flight_.empty() || WriteDue()) {
    spdlog::warn("book state: stopping with the last changes not confirmed by redis");
  }
}

void BookStateSink::Complete(InFlight& done) {
  backoff_ = std::chrono::milliseconds(100);
  const auto now = Clock::now();
  if (observe_lag_) {
    for (const auto& dispatched : done.dispatched)
      observe_lag_(dispatched, now);
  }
  channel_.stats.sequence.store(done.sequence, std::memory_order_relaxed);
  channel_.stats.messages.store(writer_.commands_sent(), std::memory_order_relaxed);
}

void BookStateSink::Fail(const std::string& why, bool refused) {
  if (refused) {
    spdlog::error("book state: {}; reconnecting, then rewriting every view", why);
  } else {
    spdlog::warn("book state: {}; reconnecting, then rewriting every view", why);
  }
  client_.reset();
  channel_.stats.connected.store(0, std::memory_order_relaxed);
  // What was in flight counts as unwritten again, oldest first.
  std::vector<Clock::time_point> unwritten;
  for (auto& t : in_flight_)
    unwritten.insert(unwritten.end(), t.dispatched.begin(), t.dispatched.end());
  unwritten.insert(unwritten.end(), unwritten_.begin(), unwritten_.end());
  if (unwritten.size() > kMaxTimedSlots) unwritten.resize(kMaxTimedSlots);
  unwritten_.swap(unwritten);
  in_flight_.clear();
  replies_.clear();
  rewrite_ = true;
  next_attempt_ = Clock::now() + backoff_;
  backoff_ = std::min(backoff_ * 2, kMaxBackoff);
}

void BookStateSink::Wait(const std::atomic<bool>& stop) {
  auto ready = [&] { return channel_.queue.read_available() > 0 || stop.load(); };
  if (in_flight_.empty()) {
    // While a write is due but Redis is down or refused, wake to try again.
    channel_.bell.Wait(ready, WriteDue() ? 100 : -1);
    return;
  }
  // Collect() read all that had arrived: sleep until Redis sends more or a
  // slot comes.
  if (!channel_.bell.PrepareToSleep(ready)) return;
  pollfd fds[2] = {{channel_.bell.fd(), POLLIN, 0}, {client_->fd(), POLLIN, 0}};
  ::poll(fds, 2, 100);
  channel_.bell.FinishSleep();
}

}  // namespace exchange
