// Relay: the --relay stand-in for exchange-engine in `exchange-bench e2e`,
// a thread of its own; the run's thread starts, checks and stops it.
#pragma once

#include <poll.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <variant>
#include <vector>

#include "amqp/amqp_client.h"
#include "amqp/shard_topology.h"
#include "amqp/topology.h"
#include "bench/bench_clock.h"
#include "bench/e2e/watchdog.h"
#include "engine/engine.h"
#include "wire/wire_format.h"

namespace exchange::bench::e2e {

using namespace std::chrono_literals;

// The --relay stand-in for exchange-engine: a thread of the benchmark that
// does what any engine behind this RabbitMQ has to do and nothing else (no
// journal, no matching). It consumes the shard's queue like the engine's
// ingest (its own connection, manual acks, prefetch 1000), decodes each
// command batch, stamps it with the wall clock at receipt like the ingest
// does, and answers every NewOrder with an ACCEPTED event on exec.<account>:
// one event message per received message, routed under each exec key it
// holds (the engine publisher's grouping: amqp/event_routes.h), published with publisher confirms
// on a second connection (the engine publishes on a connection of its own too; a consuming channel
// also cannot poll for confirms, which would read past its deliveries), at most kWindow unconfirmed
// like the engine's publish window. Then it acks the delivery. Other commands get no event.
class Relay {
 public:
  struct Config {
    amqp::Url url;
    std::string queue;
    std::chrono::milliseconds timeout{30'000};  // without confirms before giving up
    std::chrono::seconds setup_timeout{30};
  };
  static constexpr std::uint16_t kPrefetch = 1000;  // the engine's amqp.prefetch default
  static constexpr std::uint64_t kWindow = 1024;    // the engine's amqp.publish_window default

  explicit Relay(Config config) : config_(std::move(config)) {
    thread_ = std::thread([this] { Loop(); });
    if (!AwaitStart(ready_, failed_, config_.setup_timeout)) {
      Stop();
      throw std::runtime_error("relay: not consuming " + config_.queue + " after " +
                               std::to_string(config_.setup_timeout.count()) + " s");
    }
    if (failed_.load()) {
      Stop();
      throw std::runtime_error("relay: " + error_);
    }
  }
  ~Relay() { Stop(); }
  Relay(const Relay&) = delete;
  Relay& operator=(const Relay&) = delete;

  // Stops the thread; "" or why it failed.
  std::string Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    return failed_.load() ? "relay failed: " + error_ : "";
  }
  // Throws when the relay thread failed.
  void Check() const {
    if (failed_.load()) throw std::runtime_error("relay: " + error_);
  }

 private:
  void Loop() {
    try {
      amqp::AmqpClient in(config_.url);
      amqp::AmqpClient out(config_.url);
      amqp::DeclareEventsExchange(out);
      out.EnableConfirms();
      in.Consume(config_.queue, kPrefetch);
      ready_ = true;
      const std::string exchange(topology::kEventsExchange);
      wire::CommandBatch commands;
      // The received message's events and their exec keys (in order of first
      // use): one message, like the engine's publisher.
      std::vector<wire::EventRecord> events;
      std::vector<std::string> keys;
      std::string body;
      Sequence sequence = 0;
      while (!stop_.load()) {
        out.PollConfirms();
        auto delivery = in.Next(10ms);
        if (!delivery) continue;
        if (const auto error = wire::DecodeCommandBatch(delivery->body, commands)) {
          throw std::runtime_error("undecodable command message: " + error->reason + " at byte " +
                                   std::to_string(error->offset));
        }
        const std::int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count();
        events.clear();
        keys.clear();
        for (const wire::CommandRecord& record : commands.records) {
          const auto* order = std::get_if<NewOrder>(&record.command.body);
          if (order == nullptr) continue;
          wire::EventRecord event;
          event.symbol = record.symbol;
          Event& e = event.event;
          e.sequence = ++sequence;
          e.timestamp = record.command.timestamp != 0 ? record.command.timestamp : now;
          e.type = EventType::kAccepted;
          e.side = order->side;
          e.order_type = order->type;
          e.symbol = 0;
          e.account = order->account;
          e.order_id = order->order_id;
          e.exchange_order_id = sequence;
          e.price = order->price;
          e.quantity = order->quantity;
          e.leaves = order->quantity;
          std::string key = topology::ExecKey(order->account);
          if (std::find(keys.begin(), keys.end(), key) == keys.end())
            keys.push_back(std::move(key));
          events.push_back(event);
        }
        if (!events.empty()) {
          WaitForRoom(out);
          body.clear();
          wire::AppendEventBatch(events, body);
          out.Publish(exchange, keys.front(), body, {},
                      std::span<const std::string>(keys).subspan(1));
        }
        in.Ack(delivery->tag, false);
      }
      out.WaitConfirms(1s);
    } catch (const std::exception& e) {
      error_ = e.what();
      failed_ = true;
    }
  }

  // Waits until fewer than kWindow published event messages are unconfirmed.
  void WaitForRoom(amqp::AmqpClient& out) {
    if (out.published() - out.confirmed() < kWindow) return;
    auto last_confirmed = out.confirmed();
    auto last_change = Clock::now();
    while (out.published() - out.confirmed() >= kWindow) {
      if (stop_.load()) throw std::runtime_error("stopped with event messages unconfirmed");
      if (!out.HasBufferedFrames()) {
        pollfd p{out.socket_fd(), POLLIN, 0};
        ::poll(&p, 1, 5);
      }
      out.PollConfirms();
      if (out.confirmed() != last_confirmed) {
        last_confirmed = out.confirmed();
        last_change = Clock::now();
      } else if (Clock::now() - last_change > config_.timeout) {
        throw std::runtime_error("RabbitMQ confirmed none of " +
                                 std::to_string(out.published() - out.confirmed()) +
                                 " published event messages for " +
                                 std::to_string(config_.timeout.count() / 1000) + " s");
      }
    }
  }

  Config config_;
  std::thread thread_;
  std::atomic<bool> stop_{false}, ready_{false}, failed_{false};
  std::string error_;  // written before failed_ is set
};

}  // namespace exchange::bench::e2e
