// CommandPublisher: the gateway's way to the engines. Commands submitted by
// the OrderRouter (I/O thread) are queued; the publisher's own thread takes
// whatever has queued, groups consecutive commands of one symbol into one
// wire command batch (routing key = the symbol; a mass cancel of every
// symbol goes alone under "_all"), publishes them as persistent messages on
// the "orders" exchange, and tracks publisher confirms.
//
// Exactly once: every command carries (producer id, producer sequence), and
// the sequences start at the wall clock in nanoseconds when the gateway
// starts, so they keep rising across restarts. After a lost connection the
// unconfirmed messages are published again with the same sequences; the
// engine drops whatever it had already applied.
//
// While RabbitMQ is unreachable, Submit() refuses at once with the reason
// (the client gets a rejection instead of an order stuck in limbo); commands
// queued before the loss are published once the connection is back.
//
// A command once queued is never failed back: it is published, or the
// gateway stops with it unpublished (and the client, logging on again, sees
// no report for it: README.md, "FIX gateway", says what to do).
//
// Submit() may be called from one thread (the I/O thread).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "amqp/amqp_client.h"
#include "gateway/order_router.h"

namespace exchange::fix {

class CommandPublisher : public CommandSubmitter {
 public:
  // min_interval: under load, at most one publish round per interval (the
  // commands that arrive meanwhile go out together); 0: publish at once.
  CommandPublisher(amqp::Url url, std::uint64_t producer_id, std::uint64_t first_sequence,
                   std::chrono::microseconds min_interval = std::chrono::microseconds(0));
  ~CommandPublisher() override;

  // Starts the thread and waits up to `timeout` for the first connection;
  // returns the connection error when none came (the thread keeps trying).
  std::optional<std::string> Start(std::chrono::milliseconds timeout);
  void Stop();

  std::optional<std::string> Submit(std::string_view symbol, const Command& command,
                                    std::uint64_t token) override;

  // Batching that grows with load: the commands submitted in one round of
  // the I/O thread are staged and handed to the publisher thread together,
  // once, at the end of the round, so the commands every session read in
  // one round go out as few messages as their symbols allow. `post` must run
  // its function on the I/O thread after the handlers already waiting there
  // (asio::post); the gateway flushes its session stores there first. Call
  // before the first Submit.
  using Poster = std::function<void(std::function<void()>)>;
  void WakeOncePerRound(Poster post) { post_ = std::move(post); }

  bool connected() const { return connected_.load(std::memory_order_acquire); }
  std::uint64_t published_messages() const { return published_messages_.load(); }

 private:
  struct Queued {
    std::string symbol;  // "" for a mass cancel of every symbol
    Command command;
    std::uint64_t token;
  };
  struct Unconfirmed {
    std::uint64_t number;  // the channel's publish number
    std::string routing_key;
    std::string body;
  };

  void Run();
  void Session(amqp::AmqpClient& client);  // until the connection fails or Stop()
  void PublishQueued(amqp::AmqpClient& client, std::vector<Queued>& batch);
  void SetDisconnected(const std::string& why);

  const amqp::Url url_;
  const std::uint64_t producer_id_;
  std::uint64_t next_sequence_;
  const std::chrono::microseconds min_interval_;

  std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<Queued> queue_;    // guarded by mutex_
  std::string last_error_;       // guarded by mutex_
  bool stopping_ = false;        // guarded by mutex_
  bool ever_connected_ = false;  // guarded by mutex_

  void HandOver();  // I/O thread: the staged commands to the publisher thread

  Poster post_;                 // I/O thread
  std::vector<Queued> staged_;  // I/O thread: submitted this round

  std::atomic<bool> connected_{false};
  std::atomic<std::uint64_t> published_messages_{0};
  std::vector<Unconfirmed> unconfirmed_;  // publisher thread only
  std::thread thread_;
};

}  // namespace exchange::fix
