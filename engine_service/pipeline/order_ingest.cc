#include "engine_service/pipeline/order_ingest.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "amqp/shard_topology.h"
#include "amqp/topology.h"

namespace exchange {

namespace {

constexpr auto kPollInterval = std::chrono::milliseconds(2);
constexpr auto kDrainTimeout = std::chrono::seconds(5);

std::int64_t WallClockNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Sleeps `total` in short steps, returning early on stop.
void SleepUnlessStopped(std::chrono::milliseconds total, const std::atomic<bool>& stop) {
  const auto end = std::chrono::steady_clock::now() + total;
  while (!stop.load() && std::chrono::steady_clock::now() < end)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
}

}  // namespace

OrderIngest::OrderIngest(Options options, SlotPool& pool, SlotQueue& to_engine,
                         Doorbell& engine_bell, const std::atomic<DeliveryId>& durable,
                         ServiceStats& stats)
    : options_(std::move(options)),
      pool_(pool),
      to_engine_(to_engine),
      engine_bell_(engine_bell),
      durable_(durable),
      stats_(stats) {}

void OrderIngest::Run(const std::atomic<bool>& stop) {
  auto backoff = std::chrono::milliseconds(100);
  while (!stop.load()) {
    try {
      Session(stop);
      FinishInFlight();
      backoff = std::chrono::milliseconds(100);
    } catch (const amqp::AmqpError& e) {
      stats_.ingest_connected = 0;
      spdlog::error("ingest: {}; reconnecting in {} ms", e.what(), backoff.count());
      client_.reset();
      SleepUnlessStopped(backoff, stop);
      backoff = std::min(backoff * 2, std::chrono::milliseconds(2000));
    }
  }
  if (slot_ != nullptr) pool_.Release(slot_);
  slot_ = nullptr;
}

void OrderIngest::Session(const std::atomic<bool>& stop) {
  client_ = std::make_unique<amqp::AmqpClient>(options_.url);
  queue_ = amqp::DeclareShardTopology(*client_, options_.shard, options_.symbols);
  client_->EnableConfirms();  // for dead-letter copies
  // Exclusive: redelivered messages must come back in their original order
  // (deduplication by producer sequence depends on it), so consuming starts
  // only once the previous consumer (a killed process's connection) is gone
  // and RabbitMQ has put its unacked messages back in place. It also keeps a
  // second engine of the same shard out.
  client_->Consume(queue_, options_.prefetch, /*exclusive=*/true);
  // Tags restart with the channel; anything unacked from before comes again.
  ++epoch_;
  if (epoch_ > 1) ++stats_.ingest_reconnects;
  in_engine_.clear();
  dead_letters_.clear();
  highest_tag_ = acked_ = 0;
  stats_.ingest_connected = 1;
  spdlog::info("ingest: consuming {} (prefetch {})", queue_, options_.prefetch);

  while (!stop.load()) {
    AckDone();
    if (slot_ == nullptr && (slot_ = pool_.Acquire()) == nullptr) {
      ++stats_.ingest_stalls;  // every slot is in the pipeline: let RabbitMQ hold the rest
      std::this_thread::sleep_for(std::chrono::microseconds(200));
      continue;
    }
    if (auto delivery = client_->Next(kPollInterval)) Handle(*delivery);
  }
}

void OrderIngest::Handle(amqp::Delivery& delivery) {
  ++stats_.messages_in;
  highest_tag_ = delivery.tag;
  if (const auto error = wire::DecodeCommandBatch(delivery.body, slot_->batch)) {
    DeadLetterMessage(delivery, error->reason + " at byte " + std::to_string(error->offset));
    return;
  }
  if (slot_->batch.producer_id == 0) {
    DeadLetterMessage(delivery, "producer id 0 is reserved for the engine service");
    return;
  }
  const std::int64_t now = WallClockNanos();
  for (auto& record : slot_->batch.records) {
    if (record.command.timestamp == 0) record.command.timestamp = now;
  }
  stats_.records_in.fetch_add(slot_->batch.records.size(), std::memory_order_relaxed);
  slot_->delivery = MakeDeliveryId(epoch_, delivery.tag);
  in_engine_.push_back(delivery.tag);
  // Never fails: the queue holds as many entries as there are slots.
  to_engine_.push(slot_);
  slot_ = nullptr;
  ++stats_.ingest_queued;
  engine_bell_.Ring();
}

void OrderIngest::DeadLetterMessage(const amqp::Delivery& delivery, const std::string& reason) {
  spdlog::warn("ingest: dead-lettering message {} from {} ({} bytes): {}", delivery.tag, queue_,
               delivery.body.size(), reason);
  slot_->batch.records.clear();
  const amqp::Headers headers = {{std::string(topology::kReasonHeader), reason},
                                 {std::string(topology::kQueueHeader), queue_}};
  const std::uint64_t number = client_->Publish(std::string(topology::kDeadLetterExchange),
                                                delivery.routing_key, delivery.body, headers);
  dead_letters_.push_back({delivery.tag, number});
  ++stats_.messages_dead_lettered;
}

// Acks, with one multiple-ack, every delivery up to the first one that is not
// done: handed to the engine and not yet durable, or dead-lettered and not
// yet confirmed.
void OrderIngest::AckDone() {
  const DeliveryId durable = durable_.load(std::memory_order_acquire);
  const std::uint64_t durable_tag = DeliveryEpoch(durable) == epoch_ ? DeliveryTag(durable) : 0;
  while (!in_engine_.empty() && in_engine_.front() <= durable_tag)
    in_engine_.pop_front();
  while (!dead_letters_.empty() && dead_letters_.front().publish_number <= client_->confirmed())
    dead_letters_.pop_front();
  std::uint64_t done = highest_tag_;
  if (!in_engine_.empty()) done = std::min(done, in_engine_.front() - 1);
  if (!dead_letters_.empty()) done = std::min(done, dead_letters_.front().tag - 1);
  if (done > acked_) {
    client_->Ack(done, /*multiple=*/true);
    stats_.acked_deliveries.fetch_add(done - acked_, std::memory_order_relaxed);
    acked_ = done;
  }
}

// On shutdown: waits for the engine and committer to finish what was handed
// over, so that a clean stop leaves nothing to be redelivered.
void OrderIngest::FinishInFlight() {
  const auto deadline = std::chrono::steady_clock::now() + kDrainTimeout;
  while (std::chrono::steady_clock::now() < deadline) {
    client_->PollConfirms();
    AckDone();
    if (in_engine_.empty() && dead_letters_.empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  if (!in_engine_.empty()) {
    spdlog::warn("ingest: {} deliveries not durable at shutdown; RabbitMQ will redeliver them",
                 in_engine_.size());
  }
  stats_.ingest_connected = 0;
  client_.reset();
}

}  // namespace exchange
