// OrderIngest: the engine service's ingest thread. Consumes the shard's
// RabbitMQ queue, decodes each message into a PipelineSlot and pushes it to
// the engine thread; republishes a message that does not decode to the
// dead-letter exchange with the reason in a header; acknowledges deliveries
// once the committer reports them durable in the journal (and dead letters
// once RabbitMQ confirmed their copy). Reconnects with back-off when RabbitMQ
// goes away: what was delivered but not acked comes again and the engine
// drops it as a duplicate.
//
// Owned by EngineService; Run() is the ingest thread's body and everything
// here belongs to that thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "amqp/amqp_client.h"
#include "engine_service/pipeline/doorbell.h"
#include "engine_service/pipeline/pipeline_slot.h"
#include "engine_service/service_stats.h"

namespace exchange {

class OrderIngest {
 public:
  struct Options {
    amqp::Url url;
    std::string shard;
    std::vector<std::string> symbols;
    std::uint16_t prefetch = 1000;
  };

  OrderIngest(Options options, SlotPool& pool, SlotQueue& to_engine, Doorbell& engine_bell,
              const std::atomic<DeliveryId>& durable, ServiceStats& stats);

  // Runs until `stop`, then waits (up to a few seconds) for what it handed
  // to the engine to become durable, acks it, and returns.
  void Run(const std::atomic<bool>& stop);

 private:
  struct DeadLetter {
    std::uint64_t tag;
    std::uint64_t publish_number;  // its copy's publisher-confirm number
  };

  void Session(const std::atomic<bool>& stop);
  void Handle(amqp::Delivery& delivery);
  void DeadLetterMessage(const amqp::Delivery& delivery, const std::string& reason);
  void AckDone();
  void FinishInFlight();

  Options options_;
  SlotPool& pool_;
  SlotQueue& to_engine_;
  Doorbell& engine_bell_;
  const std::atomic<DeliveryId>& durable_;
  ServiceStats& stats_;

  std::unique_ptr<amqp::AmqpClient> client_;
  std::string queue_;
  std::uint64_t epoch_ = 0;
  PipelineSlot* slot_ = nullptr;         // acquired, waiting for a delivery
  std::deque<std::uint64_t> in_engine_;  // tags handed to the engine, not yet acked
  std::deque<DeadLetter> dead_letters_;  // tags dead-lettered, not yet acked
  std::uint64_t highest_tag_ = 0;
  std::uint64_t acked_ = 0;
};

}  // namespace exchange
