// `exchange-cli send`: publishes commands to the orders exchange, batched by
// CommandBatcher, persistent and with publisher confirms, at most
// `confirm_window` unconfirmed messages at a time, optionally paced to a
// message rate.
//
// A Sender uses the AmqpClient it is given and belongs, like it, to one
// thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "amqp/topology.h"

#include "amqp/amqp_client.h"
#include "tools/cli/command_batcher.h"
#include "tools/cli/order_input.h"

namespace exchange::cli {

struct SendOptions {
  std::uint64_t producer_id = 1;     // nonzero
  std::uint64_t first_sequence = 1;  // >= 1
  std::size_t batch = 1;             // records per message
  double rate = 0;                   // messages per second; 0 = as fast as possible
  std::size_t confirm_window = 1000;
  std::chrono::milliseconds confirm_timeout{30000};
  std::string transfer_shard = std::string(topology::kDefaultShard);  // deposits, withdrawals
};

struct SendStats {
  std::uint64_t producer_id = 0;
  std::uint64_t first_sequence = 0;
  std::uint64_t messages = 0;
  std::uint64_t records = 0;
  double seconds = 0;
};

// A random nonzero producer id (std::random_device).
std::uint64_t RandomProducerId();

// Checks the options; throws CliError naming the bad one.
void CheckSendOptions(const SendOptions& options);

// Calls its argument once per command, in order (e.g. ReadNamedOrderFlowFile).
using CommandSource = std::function<void(const NamedCommandSink&)>;

class Sender {
 public:
  // Declares the orders exchange (durable direct, as the engine service
  // does) and turns on publisher confirms.
  Sender(amqp::AmqpClient& client, const SendOptions& options);

  // Publishes every command of `source`, then waits until RabbitMQ confirmed
  // every message. Throws CliError on a RabbitMQ failure, saying up to which
  // producer sequence everything was confirmed.
  SendStats Send(const CommandSource& source);

 private:
  void Publish(const OutgoingMessage& message);
  void Pace();
  void WaitForWindow();
  void WaitForAll();
  void NoteConfirms();
  [[noreturn]] void Fail(const std::string& why) const;

  amqp::AmqpClient& client_;
  SendOptions options_;
  SendStats stats_;
  std::chrono::steady_clock::time_point start_;
  std::string body_;
  // (publish number, last producer sequence) of the unconfirmed messages.
  std::deque<std::pair<std::uint64_t, std::uint64_t>> unconfirmed_;
  std::uint64_t confirmed_sequence_ = 0;  // every record up to this one is confirmed
};

// The summary `send` prints: one line of text, or one JSON object.
std::string FormatSendSummary(const SendStats& stats, bool json);

}  // namespace exchange::cli
