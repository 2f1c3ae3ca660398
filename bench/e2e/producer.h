// The command side of `exchange-bench e2e`: Producer publishes command
// batches with publisher confirms, Encoder makes them. The run's thread.
#pragma once

#include <poll.h>

#include <chrono>
#include <functional>
#include <span>
#include <stdexcept>
#include <string>

#include "amqp/amqp_client.h"
#include "bench/bench_clock.h"
#include "bench/e2e/watchdog.h"
#include "engine/engine.h"
#include "wire/wire_format.h"

namespace exchange::bench::e2e {

// Publishes command batches with publisher confirms, keeping at most
// `window` messages unconfirmed. `check` is called while it waits.
class Producer {
 public:
  Producer(const amqp::Url& url, std::string exchange, std::string key, std::size_t window,
           std::chrono::milliseconds timeout, std::function<void()> check)
      : client_(url),
        exchange_(std::move(exchange)),
        key_(std::move(key)),
        window_(window),
        timeout_(timeout),
        check_(std::move(check)) {
    client_.EnableConfirms();
  }

  void Publish(std::string_view body) {
    Beat();
    if (client_.published() - client_.confirmed() >= window_) WaitForRoom(window_ - 1);
    client_.Publish(exchange_, key_, body);
    if ((client_.published() & 7) == 0) client_.PollConfirms();
  }
  // Reads whatever confirms have arrived (keeps the socket drained).
  void Poll() { client_.PollConfirms(); }
  // Waits until every message is confirmed.
  void Flush() { WaitForRoom(0); }

 private:
  void WaitForRoom(std::uint64_t max_unconfirmed) {
    auto last_confirmed = client_.confirmed();
    auto last_change = Clock::now();
    for (;;) {
      Beat();
      client_.PollConfirms();
      if (client_.published() - client_.confirmed() <= max_unconfirmed) return;
      if (client_.confirmed() != last_confirmed) {
        last_confirmed = client_.confirmed();
        last_change = Clock::now();
      } else if (Clock::now() - last_change > timeout_) {
        throw std::runtime_error("RabbitMQ confirmed none of " +
                                 std::to_string(client_.published() - client_.confirmed()) +
                                 " published command messages for " +
                                 std::to_string(timeout_.count() / 1000) + " s");
      }
      check_();
      if (!client_.HasBufferedFrames()) {
        pollfd p{client_.socket_fd(), POLLIN, 0};
        ::poll(&p, 1, 5);
      }
    }
  }

  amqp::AmqpClient client_;
  std::string exchange_, key_;
  std::size_t window_;
  std::chrono::milliseconds timeout_;
  std::function<void()> check_;
};

// Encodes commands as one command-batch message.
class Encoder {
 public:
  explicit Encoder(std::string symbol) : symbol_(symbol) { batch_.producer_id = RandomU64() | 1; }
  const std::string& Encode(std::span<const Command> commands) {
    batch_.records.clear();
    for (const Command& c : commands)
      batch_.records.push_back({++sequence_, symbol_, c});
    body_.clear();
    wire::AppendCommandBatch(batch_, body_);
    return body_;
  }

 private:
  SymbolName symbol_;
  wire::CommandBatch batch_;
  std::uint64_t sequence_ = 0;
  std::string body_;
};

}  // namespace exchange::bench::e2e
