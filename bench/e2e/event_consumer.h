// EventConsumer: the event side of `exchange-bench e2e`, on a thread of its
// own (its own AmqpClient); the run's thread starts, queries and stops it.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <thread>
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

// The event consumer: its own thread and AmqpClient, a temporary queue bound
// to exec.<account> for the run's accounts. Counts the event records of those
// accounts and, for order ids below `track_orders`, the receipt time of each
// order's first ACCEPTED or REJECTED event.
class EventConsumer {
 public:
  struct Config {
    amqp::Url url;
    std::string symbol;
    AccountId first_account = 0;
    AccountId last_account = 0;
    std::size_t track_orders = 0;
    AccountId marker_account = 0;  // its orders 1..kMarkers-1 are timed (0: none)
    std::chrono::seconds setup_timeout{30};
  };
  static constexpr std::size_t kMarkers = 4;

  explicit EventConsumer(Config config)
      : config_(std::move(config)),
        receipts_(config_.track_orders, 0),
        stamps_(config_.track_orders, 0) {
    thread_ = std::thread([this] { Loop(); });
    if (!AwaitStart(ready_, failed_, config_.setup_timeout)) {
      Stop();
      throw std::runtime_error("event consumer: no queue bound after " +
                               std::to_string(config_.setup_timeout.count()) + " s");
    }
    if (failed_.load()) {
      Stop();
      throw std::runtime_error("event consumer: " + error_);
    }
  }
  ~EventConsumer() { Stop(); }
  EventConsumer(const EventConsumer&) = delete;
  EventConsumer& operator=(const EventConsumer&) = delete;

  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  // Throws when the consumer thread failed.
  void Check() const {
    if (failed_.load()) throw std::runtime_error("event consumer: " + error_);
  }

  std::uint64_t records() const { return records_.load(); }
  std::uint64_t messages() const { return messages_.load(); }
  std::uint64_t answered() const { return answered_.load(); }
  // The receipt time of the marker account's order `id`'s first
  // ACCEPTED/REJECTED event (0: not yet).
  std::int64_t marker(std::size_t id) const { return markers_[id].load(); }
  // Receipt time per order id (0: none); read only after Stop().
  const std::vector<std::int64_t>& receipts() const { return receipts_; }
  // The event's timestamp per order id: when the engine service's ingest
  // thread took the command (system clock, ns), for commands sent with 0.
  const std::vector<std::int64_t>& stamps() const { return stamps_; }

 private:
  void Loop() {
    try {
      amqp::AmqpClient client(config_.url);
      amqp::DeclareEventsExchange(client);
      const std::string queue = client.DeclareTemporaryQueue();
      const std::string exchange(topology::kEventsExchange);
      for (AccountId a = config_.first_account; a <= config_.last_account; ++a)
        client.Bind(queue, exchange, topology::ExecKey(a));
      client.Consume(queue, 4000);
      ready_ = true;
      wire::EventBatch batch;
      std::uint64_t unacked = 0, last_tag = 0;
      while (!stop_.load()) {
        auto delivery = client.Next(20ms);
        if (!delivery) {
          if (unacked > 0) client.Ack(last_tag, true);
          unacked = 0;
          continue;
        }
        const std::int64_t now = NowNs();
        if (const auto error = wire::DecodeEventBatch(delivery->body, batch)) {
          throw std::runtime_error("undecodable event message on " + delivery->routing_key + ": " +
                                   error->reason);
        }
        std::uint64_t counted = 0, answered = 0;
        for (const wire::EventRecord& r : batch.records) {
          const Event& e = r.event;
          if (r.symbol.view() != config_.symbol) continue;
          const bool ours =
              Ours(e.account) || (e.type == EventType::kTrade && Ours(e.maker_account));
          if (!ours) continue;
          ++counted;
          if ((e.type == EventType::kAccepted || e.type == EventType::kRejected) &&
              config_.marker_account != 0 && e.account == config_.marker_account &&
              e.order_id < kMarkers && markers_[e.order_id].load() == 0) {
            markers_[e.order_id].store(now);
            continue;
          }
          if ((e.type == EventType::kAccepted || e.type == EventType::kRejected) &&
              Ours(e.account) && e.order_id < receipts_.size() && receipts_[e.order_id] == 0) {
            receipts_[e.order_id] = now;
            stamps_[e.order_id] = e.timestamp;
            ++answered;
          }
        }
        messages_.fetch_add(1);
        if (answered > 0) answered_.fetch_add(answered);
        if (counted > 0) records_.fetch_add(counted);
        last_tag = delivery->tag;
        if (++unacked >= 200) {
          client.Ack(last_tag, true);
          unacked = 0;
        }
      }
    } catch (const std::exception& e) {
      error_ = e.what();
      failed_ = true;
    }
  }
  bool Ours(AccountId a) const { return a >= config_.first_account && a <= config_.last_account; }

  Config config_;
  std::vector<std::int64_t> receipts_;
  std::vector<std::int64_t> stamps_;
  std::thread thread_;
  std::atomic<bool> stop_{false}, ready_{false}, failed_{false};
  std::string error_;  // written before failed_ is set
  std::atomic<std::uint64_t> records_{0}, messages_{0}, answered_{0};
  std::array<std::atomic<std::int64_t>, kMarkers> markers_{};
};

}  // namespace exchange::bench::e2e
