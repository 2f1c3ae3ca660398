// `exchange-cli tail`: follows the events exchange through a temporary queue
// (server-named, exclusive, gone with the connection) bound with the keys
// asked for, and hands out each event once.
//
// A message holds a whole engine batch (amqp/event_routes.h): the tail hands
// out only the events whose routing keys match its bindings.
//
// Deduplication: each shard publishes its events in sequence order and, after
// a restart, republishes what it had not seen confirmed with the same
// sequences. So the tail remembers, per shard (the message's "shard" header:
// each shard numbers its own events), the highest sequence it handed out and
// drops any event whose sequence is not above it.
//
// An EventTail uses the AmqpClient it is given and belongs, like it, to one
// thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <ostream>
#include <string>
#include <unordered_map>
#include <vector>

#include "amqp/amqp_client.h"
#include "amqp/event_routes.h"
#include "wire/wire_format.h"

namespace exchange::cli {

struct TailBindings {
  std::vector<std::uint64_t> accounts;  // exec.<account>
  std::vector<std::string> symbols;     // book.<symbol> and trade.<symbol>
  bool trades_only = false;             // symbols: trade.<symbol> only
  std::vector<std::string> keys;        // raw binding keys, e.g. '#'
};

// The binding keys, in the order given, without repeats. Throws CliError when
// there are none or a symbol is empty.
std::vector<std::string> TailBindingKeys(const TailBindings& bindings);

// Highest sequence handed out per stream (a shard).
class SequenceFilter {
 public:
  // True (and remembered) when `sequence` is above the highest seen for `key`.
  bool Accept(const std::string& key, std::uint64_t sequence);

 private:
  std::unordered_map<std::string, std::uint64_t> highest_;
};

struct TailedEvent {
  std::string routing_key;  // the first of its keys the tail's bindings match
  std::string shard;  // the engine shard that published it ("" from an older engine)
  wire::EventRecord record;
};

class EventTail {
 public:
  // Declares the events exchange (durable topic, as the engine service
  // does), a temporary queue bound with `keys`, and consumes it. Undecodable
  // messages are reported on `warnings` and skipped. Throws AmqpError.
  EventTail(amqp::AmqpClient& client, const std::vector<std::string>& keys, std::ostream& warnings);

  // The next event not handed out before, or nullopt when none came within
  // `timeout`. Throws AmqpError.
  std::optional<TailedEvent> Next(std::chrono::milliseconds timeout);

  const std::string& queue() const { return queue_; }
  std::uint64_t duplicates_dropped() const { return duplicates_; }
  std::uint64_t undecodable() const { return undecodable_; }

 private:
  void Take(const amqp::Delivery& delivery);

  amqp::AmqpClient& client_;
  std::ostream& warnings_;
  std::string queue_;
  amqp::EventFilter bindings_;
  SequenceFilter filter_;
  wire::EventBatch batch_;
  std::deque<TailedEvent> ready_;
  std::uint64_t duplicates_ = 0;
  std::uint64_t undecodable_ = 0;
};

struct TailOptions {
  bool json = false;
  std::uint64_t count = 0;               // 0: no limit
  std::chrono::milliseconds timeout{0};  // 0: wait forever
};

// Prints events one per line (wire::Describe, or wire::ToJson per record
// under `json`) until `count` events or `timeout` without one. Returns the
// exit status: 0, or 1 when the timeout came before `count` events (said on
// `err`).
int RunTail(EventTail& tail, const TailOptions& options, std::ostream& out, std::ostream& err);

}  // namespace exchange::cli
