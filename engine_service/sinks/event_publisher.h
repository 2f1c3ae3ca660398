// EventPublisher: the sink that publishes every event to the RabbitMQ
// `events` topic exchange (routing keys in amqp/topology.h), with publisher
// confirms: the slots waiting when it looks (up to kMaxGroup) go out as one
// message (up to kMaxEventsPerMessage events and kMaxKeysPerMessage keys)
// routed under all their events' keys (amqp/event_routes.h), so a batch costs the broker one
// message however many accounts and symbols it touches, and under load a message carries many
// slots' events (the broker's message rate, not the engine, is the ceiling).
// A slot is released, and the publish watermark advanced past its events,
// only once RabbitMQ confirmed all its messages, in order. When RabbitMQ goes
// away it reconnects with back-off and publishes the unconfirmed slots again,
// with the same sequence numbers (consumers drop what they already had). At
// most `window` slots wait for confirms; past that the sink stops taking
// slots and the pipeline pushes back.
//
// Owned by EngineService; Run() is the publisher thread's body.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include "amqp/amqp_client.h"
#include "engine_service/pipeline/pipeline_slot.h"
#include "engine_service/pipeline/sink_channel.h"
#include "engine_service/service_stats.h"

namespace exchange {

class EventPublisher {
 public:
  struct Options {
    amqp::Url url;
    std::size_t window = 1024;
    std::string watermark_path;
    // Sent as the "shard" header of every message: sequences are per shard,
    // so a consumer of keys that several shards publish to (exec.<account>)
    // tells their sequences apart by it.
    std::string shard = "main";
  };

  EventPublisher(Options options, SinkChannel& channel, SlotPool& pool, ServiceStats& stats,
                 std::uint64_t published_up_to);

  // Runs until `stop` is set and everything handed to it is confirmed (or a
  // few seconds passed), then writes the watermark and returns.
  void Run(const std::atomic<bool>& stop);

 private:
  struct Pending {
    PipelineSlot* slot;
    std::uint64_t last_message;  // confirm number of its last message
  };

  void Session(const std::atomic<bool>& stop);
  bool Finished(const std::atomic<bool>& stop);
  void WaitForWork();
  void PublishGroup(std::size_t begin, std::size_t end);
  void StartMessage();
  void AddToMessage(const wire::EventRecord& record);
  std::size_t FinishMessage(std::size_t unassigned, std::size_t last);

  static constexpr std::size_t kMaxGroup = 256;  // slots per group of messages
  // Events and routing keys per message. RabbitMQ's cost grows with the
  // keys it routes in total, and smaller messages name the same accounts
  // again: on the e2e batched mix (1,000 accounts) 128 events per message
  // gave 57-61 k commands/s, 1,024 gave 106-110 k, 4,096 gave 175-212 k,
  // 8,192 gave 228-285 k and 16,384 gave 315-318 k (the old message per key:
  // 162-184 k). The keys go in the BCC header, which must fit in one AMQP
  // frame (131,072 bytes; a key takes 15-30).
  static constexpr std::size_t kMaxEventsPerMessage = 16384;
  static constexpr std::size_t kMaxKeysPerMessage = 2048;
  void ReleaseConfirmed();
  void SaveWatermark(bool force);

  Options options_;
  SinkChannel& channel_;
  SlotPool& pool_;
  ServiceStats& stats_;
  std::unique_ptr<amqp::AmqpClient> client_;
  std::deque<Pending> unconfirmed_;
  std::uint64_t published_up_to_;
  std::uint64_t saved_up_to_;
  amqp::Headers shard_header_;  // on every message
  std::chrono::steady_clock::time_point saved_at_{};
  std::chrono::steady_clock::time_point stop_deadline_{};
  bool stopping_ = false;
  std::uint64_t sessions_ = 0;
  // One group's message, reused.
  std::vector<std::string> keys_;
  std::unordered_set<std::string> key_seen_;
  std::vector<const wire::EventRecord*> body_records_;
  std::string body_;
};

}  // namespace exchange
