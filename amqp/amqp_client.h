// AmqpClient: one AMQP 0-9-1 connection with one channel, on rabbitmq-c:
// declare the topology, consume with manual acks and a prefetch window,
// publish persistent messages with publisher confirms, dead-letter with a
// reason header. Errors are AmqpError exceptions naming what failed.
//
// rabbitmq-c connections are not thread-safe: an AmqpClient belongs to one
// thread. The engine service gives its ingest thread one and its publisher
// thread another.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

namespace exchange::amqp {

class AmqpError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Url {
  std::string host = "127.0.0.1";
  int port = 5672;
  std::string user = "guest";
  std::string password = "guest";
  std::string vhost = "/";
};

// amqp://user:password@host:port/vhost. Throws AmqpError when malformed.
Url ParseUrl(const std::string& url);

using Headers = std::map<std::string, std::string>;

struct Delivery {
  std::uint64_t tag = 0;
  std::string exchange;
  std::string routing_key;
  std::string body;
  Headers headers;  // string-valued headers only
  bool redelivered = false;
};

class AmqpClient {
 public:
  // Connects, logs in and opens channel 1. Throws AmqpError.
  AmqpClient(const Url& url, std::chrono::seconds timeout = std::chrono::seconds(10));
  ~AmqpClient();
  AmqpClient(const AmqpClient&) = delete;
  AmqpClient& operator=(const AmqpClient&) = delete;

  // --- topology (durable, idempotent) ---
  void DeclareExchange(const std::string& name, const std::string& type);
  // dead_letter_exchange: where rejected messages go ("" for none).
  void DeclareQueue(const std::string& name, const std::string& dead_letter_exchange = "");
  void Bind(const std::string& queue, const std::string& exchange, const std::string& key);
  // A server-named, exclusive, auto-deleted queue (for tails and benchmarks):
  // it goes away with the connection. Returns its name.
  std::string DeclareTemporaryQueue();
  // Deletes a queue and the messages in it (no error when it is missing).
  void DeleteQueue(const std::string& name);
  // Messages ready in a queue (declares it passively). Throws when it is missing.
  std::uint64_t QueueDepth(const std::string& name);

  // --- consuming ---
  // exclusive: refused (an AmqpError) while any other consumer is on the
  // queue, including a dead connection's that RabbitMQ has not yet cleaned up.
  void Consume(const std::string& queue, std::uint16_t prefetch, bool exclusive = false);
  // Waits up to `timeout` for the next delivery; nullopt on timeout.
  std::optional<Delivery> Next(std::chrono::milliseconds timeout);
  void Ack(std::uint64_t tag, bool multiple);
  void Reject(std::uint64_t tag, bool requeue);

  // --- publishing ---
  // Turns on publisher confirms; Publish() then returns the message's number.
  void EnableConfirms();
  // `also_keys`: further routing keys, sent in the BCC header (RabbitMQ's
  // sender-selected distribution, removed before delivery): the message is
  // routed as if published under each key too, and a queue that several of
  // the keys reach receives it once.
  std::uint64_t Publish(const std::string& exchange, const std::string& key, std::string_view body,
                        const Headers& headers = {},
                        std::span<const std::string> also_keys = {});
  // Reads confirms until every message published so far is confirmed, or the
  // timeout passes (false). Throws AmqpError on a nack or a closed channel.
  bool WaitConfirms(std::chrono::milliseconds timeout);
  // Reads whatever confirms have arrived, without waiting.
  void PollConfirms();
  std::uint64_t published() const { return published_; }
  // For poll(): the socket, and whether frames already wait in the client's
  // buffers (poll() would not see those).
  int socket_fd() const;
  bool HasBufferedFrames() const;
  // Every message numbered up to this one is confirmed.
  std::uint64_t confirmed() const { return confirmed_; }

 private:
  void Check(const char* what);  // checks the last RPC reply
  // Reads one frame if one comes within `timeout`; false on timeout.
  bool ReadConfirms(std::chrono::milliseconds timeout);
  void HandleConfirm(std::uint64_t tag, bool multiple);

  struct State;
  State* state_;
  bool confirms_ = false;
  std::uint64_t published_ = 0;
  std::uint64_t confirmed_ = 0;
  std::set<std::uint64_t> acked_ahead_;  // single acks above confirmed_
};

}  // namespace exchange::amqp
