// CommandBatcher: groups the commands `exchange-cli send` publishes into wire
// messages for the orders exchange. A message holds up to `batch_size`
// consecutive commands of one symbol, and its routing key is that symbol; a
// change of symbol starts a new message. A MassCancel of all symbols (empty
// symbol) goes alone, under topology::kAllSymbolsKey. Deposits and
// withdrawals (their `symbol` is the asset) go under topology::ShardKey of
// the shard they are for.
//
// Producer sequences are given in input order: first, first+1, ... So the
// messages, published in the order they come out, carry rising sequences, as
// the engine's deduplication (by producer id and sequence) requires, and the
// engine sees the commands in input order.
//
// Belongs to one thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "amqp/topology.h"
#include "engine/command.h"
#include "wire/wire_format.h"

namespace exchange::cli {

// One AMQP message to publish to the orders exchange.
struct OutgoingMessage {
  std::string routing_key;
  wire::CommandBatch batch;
};

// Why `symbol` cannot go on the wire (length 1-15, bytes '!'..'~'); empty when
// it can. An empty symbol is refused here; callers allow it where it means
// "all symbols".
std::string WireSymbolProblem(std::string_view symbol);

class CommandBatcher {
 public:
  // batch_size >= 1, first_sequence >= 1. Transfers go to `transfer_shard`.
  CommandBatcher(std::uint64_t producer_id, std::uint64_t first_sequence, std::size_t batch_size,
                 std::string transfer_shard = std::string(topology::kDefaultShard));

  // Adds one command for `symbol` (the name carried on the wire; empty only
  // for a MassCancel of all symbols) and appends to `ready` the messages it
  // completes. Throws CliError when the symbol cannot go on the wire.
  void Add(std::string_view symbol, const Command& command, std::vector<OutgoingMessage>& ready);

  // Appends the message being filled, if any.
  void Flush(std::vector<OutgoingMessage>& ready);

  // The producer sequence the next command will get.
  std::uint64_t next_sequence() const { return next_sequence_; }

 private:
  wire::CommandRecord MakeRecord(std::string_view symbol, const Command& command);
  OutgoingMessage StartMessage(std::string routing_key) const;

  std::uint64_t producer_id_;
  std::uint64_t next_sequence_;
  std::size_t batch_size_;
  std::string transfer_key_;  // topology::ShardKey(transfer shard)
  std::optional<OutgoingMessage> pending_;
};

}  // namespace exchange::cli
