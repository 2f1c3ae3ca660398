#include "engine_service/sinks/event_publisher.h"

#include <poll.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <thread>

#include "amqp/event_routes.h"
#include "amqp/shard_topology.h"
#include "amqp/topology.h"
#include "engine_service/pipeline/publish_watermark.h"

namespace exchange {

namespace {

constexpr auto kWatermarkEvery = std::chrono::milliseconds(50);
constexpr auto kStopTimeout = std::chrono::seconds(5);

}  // namespace

EventPublisher::EventPublisher(Options options, SinkChannel& channel, SlotPool& pool,
                               ServiceStats& stats, std::uint64_t published_up_to)
    : options_(std::move(options)),
      channel_(channel),
      pool_(pool),
      stats_(stats),
      published_up_to_(published_up_to),
      saved_up_to_(published_up_to),
      shard_header_{{std::string(topology::kShardHeader), options_.shard}} {
  stats_.published_up_to = published_up_to;
  stats_.published_saved = published_up_to;
}

void EventPublisher::Run(const std::atomic<bool>& stop) {
  auto backoff = std::chrono::milliseconds(100);
  for (;;) {
    try {
      Session(stop);
      break;
    } catch (const amqp::AmqpError& e) {
      channel_.stats.connected = 0;
      client_.reset();
      if (Finished(stop)) break;
      spdlog::error("event publisher: {}; reconnecting in {} ms ({} batches unconfirmed)", e.what(),
                    backoff.count(), unconfirmed_.size());
      std::this_thread::sleep_for(backoff);
      backoff = std::min(backoff * 2, std::chrono::milliseconds(2000));
    }
  }
  if (!unconfirmed_.empty() || channel_.queue.read_available() > 0) {
    spdlog::warn(
        "event publisher: stopping with events above sequence {} unconfirmed; "
        "the next start republishes them",
        published_up_to_);
  }
  SaveWatermark(/*force=*/true);
  client_.reset();
}

// True once stop was asked and everything is confirmed, or the time is up.
bool EventPublisher::Finished(const std::atomic<bool>& stop) {
  if (!stop.load()) return false;
  const auto now = std::chrono::steady_clock::now();
  if (!stopping_) {
    stopping_ = true;
    stop_deadline_ = now + kStopTimeout;
  }
  return (unconfirmed_.empty() && channel_.queue.read_available() == 0) || now > stop_deadline_;
}

void EventPublisher::Session(const std::atomic<bool>& stop) {
  client_ = std::make_unique<amqp::AmqpClient>(options_.url);
  amqp::DeclareEventsExchange(*client_);
  client_->EnableConfirms();
  channel_.stats.connected = 1;
  if (sessions_++ > 0) ++channel_.stats.reconnects;
  for (std::size_t i = 0; i < unconfirmed_.size(); i += kMaxGroup)
    PublishGroup(i, std::min(unconfirmed_.size(), i + kMaxGroup));  // again, same sequences
  if (!unconfirmed_.empty()) {
    spdlog::info("event publisher: republished {} unconfirmed batches", unconfirmed_.size());
  }
  while (!Finished(stop)) {
    // Everything waiting goes out together: under load one message per
    // routing key carries the events of many slots.
    const std::size_t first = unconfirmed_.size();
    PipelineSlot* slot = nullptr;
    while (unconfirmed_.size() < options_.window && unconfirmed_.size() - first < kMaxGroup &&
           channel_.queue.pop(slot)) {
      unconfirmed_.push_back(Pending{slot, 0});
    }
    const bool progressed = unconfirmed_.size() > first;
    if (progressed) PublishGroup(first, unconfirmed_.size());
    client_->PollConfirms();
    ReleaseConfirmed();
    SaveWatermark(/*force=*/false);
    if (!progressed) WaitForWork();
  }
}

// Sleeps until a slot arrives (if there is room for one), a frame arrives,
// or the watermark is due.
void EventPublisher::WaitForWork() {
  if (client_->HasBufferedFrames()) return;
  const bool room = unconfirmed_.size() < options_.window;
  if (room && !channel_.bell.PrepareToSleep([&] { return channel_.queue.read_available() > 0; })) {
    return;
  }
  pollfd fds[2] = {{client_->socket_fd(), POLLIN, 0}, {channel_.bell.fd(), POLLIN, 0}};
  ::poll(fds, room ? 2 : 1, static_cast<int>(kWatermarkEvery.count()));
  if (room) channel_.bell.FinishSleep();
}

// Publishes the events of unconfirmed_[begin, end), in sequence order, as
// few messages as kMaxEventsPerMessage and kMaxKeysPerMessage allow, each
// routed under every key its events go to (the first as the routing key, the
// rest in BCC: amqp/event_routes.h). A slot's last message is the one that
// holds its last event. Events with no key publish nothing.
void EventPublisher::PublishGroup(std::size_t begin, std::size_t end) {
  StartMessage();
  std::size_t unassigned = begin;  // slots not yet given their last message
  for (std::size_t i = begin; i < end; ++i) {
    for (const wire::EventRecord& record : unconfirmed_[i].slot->events) {
      if (body_records_.size() >= kMaxEventsPerMessage || keys_.size() >= kMaxKeysPerMessage) {
        unassigned = FinishMessage(unassigned, i);
        StartMessage();
      }
      AddToMessage(record);
    }
  }
  if (end > begin) FinishMessage(unassigned, end - 1);
}

void EventPublisher::StartMessage() {
  keys_.clear();
  key_seen_.clear();
  body_records_.clear();
}

void EventPublisher::AddToMessage(const wire::EventRecord& record) {
  const std::size_t before = keys_.size();
  amqp::EventRoutingKeys(record, &keys_);
  // Keep each key once, in the order of first appearance.
  std::size_t kept = before;
  for (std::size_t k = before; k < keys_.size(); ++k) {
    if (!key_seen_.insert(keys_[k]).second) continue;
    if (kept != k) keys_[kept] = std::move(keys_[k]);
    ++kept;
  }
  keys_.resize(kept);
  body_records_.push_back(&record);
}

// Publishes the message built so far, whose events end in slot `last` (or
// just before it): slots [unassigned, last) are complete and get it as their
// last message; `last` gets it too, replaced when its events go on in a
// later message. Returns the first slot that may still get a later message.
std::size_t EventPublisher::FinishMessage(std::size_t unassigned, std::size_t last) {
  if (!keys_.empty()) {
    body_.clear();
    wire::AppendEventBatch(body_records_, body_);
    client_->Publish(std::string(topology::kEventsExchange), keys_.front(), body_, shard_header_,
                     std::span<const std::string>(keys_).subspan(1));
    channel_.stats.messages.fetch_add(1, std::memory_order_relaxed);
  }
  for (std::size_t i = unassigned; i <= last; ++i)
    unconfirmed_[i].last_message = client_->published();
  return last;
}

void EventPublisher::ReleaseConfirmed() {
  while (!unconfirmed_.empty() && unconfirmed_.front().last_message <= client_->confirmed()) {
    PipelineSlot* slot = unconfirmed_.front().slot;
    if (!slot->events.empty()) {
      published_up_to_ = std::max(published_up_to_, slot->events.back().event.sequence);
    }
    unconfirmed_.pop_front();
    pool_.Drop(slot);
    channel_.stats.done.fetch_add(1, std::memory_order_relaxed);
  }
  channel_.stats.sequence.store(published_up_to_, std::memory_order_relaxed);
  stats_.published_up_to.store(published_up_to_, std::memory_order_relaxed);
}

void EventPublisher::SaveWatermark(bool force) {
  if (published_up_to_ == saved_up_to_) return;
  const auto now = std::chrono::steady_clock::now();
  if (!force && now - saved_at_ < kWatermarkEvery) return;
  if (const std::string error = WriteWatermarkFile(options_.watermark_path, published_up_to_);
      !error.empty()) {
    spdlog::error("event publisher: {}", error);
    return;
  }
  saved_up_to_ = published_up_to_;
  saved_at_ = now;
  stats_.published_saved.store(saved_up_to_, std::memory_order_relaxed);
}

}  // namespace exchange
