// EventConsumer: brings the engine's events for the gateway's accounts in.
// Its thread owns one AMQP connection, declares the durable queue
// gateway.<name> bound to exec.<account> for every configured account (so
// events wait there while the gateway is down), decodes each event batch and
// hands it to the I/O thread through the callback. A batch holds every event
// of an engine batch that touched one of the accounts, other accounts' too
// (amqp/event_routes.h); the OrderRouter applies what concerns its orders.
//
// A delivery is acknowledged only after the I/O thread has handled it
// (MarkHandled), so a gateway crash loses no event: RabbitMQ delivers it
// again and the OrderRouter skips what it had applied.
//
// Start/Stop from the main thread; MarkHandled from the I/O thread; the
// callback runs on the consumer's thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "amqp/amqp_client.h"
#include "wire/wire_format.h"

namespace exchange::fix {

class EventConsumer {
 public:
  // `handled` is to be called (on any thread) with the batch's receipt once
  // its events are applied.
  struct Receipt {
    std::uint64_t connection = 0;
    std::uint64_t delivery_tag = 0;
  };
  using BatchCallback = std::function<void(wire::EventBatch batch, Receipt receipt)>;

  EventConsumer(amqp::Url url, std::string queue, std::vector<std::uint32_t> accounts,
                std::uint16_t prefetch, BatchCallback on_batch);
  ~EventConsumer();

  // Starts the thread; returns once the queue is declared and consumed, or
  // with the error after `timeout` (the thread keeps trying).
  std::optional<std::string> Start(std::chrono::milliseconds timeout);
  void Stop();

  void MarkHandled(Receipt receipt);

  // Binds exec.<account> for `accounts` too (on the consumer's thread: at
  // once while connected, else on connecting) and then calls `bound` there;
  // any thread. A binding already there is left as it is.
  void AddAccounts(std::vector<std::uint32_t> accounts, std::function<void()> bound);

  std::uint64_t batches() const { return batches_.load(); }

 private:
  void Run();
  void Consume(amqp::AmqpClient& client, std::uint64_t connection);
  // Binds what AddAccounts asked for since the last call, then tells.
  void BindAdded(amqp::AmqpClient& client);

  const amqp::Url url_;
  const std::string queue_;
  std::mutex accounts_mutex_;
  std::vector<std::uint32_t> accounts_;  // bound at every (re)connection
  std::vector<std::uint32_t> added_;     // not bound yet on this connection
  std::vector<std::function<void()>> on_bound_;
  std::atomic<bool> has_added_{false};
  const std::uint16_t prefetch_;
  BatchCallback on_batch_;

  std::atomic<bool> stopping_{false};
  std::atomic<bool> ready_{false};
  std::atomic<std::uint64_t> batches_{0};
  // The newest handled receipt, packed: connection in the top 16 bits.
  std::atomic<std::uint64_t> handled_{0};
  std::string last_error_;  // consumer thread; read by Start after ready_/timeout
  std::mutex error_mutex_;
  std::thread thread_;
};

}  // namespace exchange::fix
