#include "tools/cli/command_batcher.h"

#include <cstdio>
#include <utility>
#include <variant>

#include "amqp/topology.h"
#include "tools/cli/cli_error.h"

namespace exchange::cli {

namespace {

bool IsMassCancel(const Command& command) {
  return std::holds_alternative<MassCancel>(command.body);
}

std::string HexByte(unsigned char c) {
  char text[8];
  std::snprintf(text, sizeof text, "0x%02X", c);
  return text;
}

}  // namespace

std::string WireSymbolProblem(std::string_view symbol) {
  if (symbol.empty()) return "symbol is empty";
  if (symbol.size() > SymbolName::kMaxLength) {
    return "symbol '" + std::string(symbol) + "' is longer than " +
           std::to_string(SymbolName::kMaxLength) + " bytes";
  }
  for (const char c : symbol) {
    const auto u = static_cast<unsigned char>(c);
    if (u < '!' || u > '~') {
      return "symbol '" + std::string(symbol) + "' holds byte " + HexByte(u) +
             " (only printable ASCII '!'..'~' may go on the wire)";
    }
  }
  return std::string();
}

CommandBatcher::CommandBatcher(std::uint64_t producer_id, std::uint64_t first_sequence,
                               std::size_t batch_size, std::string transfer_shard)
    : producer_id_(producer_id),
      next_sequence_(first_sequence),
      batch_size_(batch_size == 0 ? 1 : batch_size),
      transfer_key_(topology::ShardKey(transfer_shard)) {}

wire::CommandRecord CommandBatcher::MakeRecord(std::string_view symbol, const Command& command) {
  wire::CommandRecord record;
  record.producer_sequence = next_sequence_++;
  record.symbol = SymbolName(symbol);
  record.command = command;
  if (auto* add = std::get_if<AddInstrument>(&record.command.body))
    add->spec.symbol = record.symbol;
  return record;
}

OutgoingMessage CommandBatcher::StartMessage(std::string routing_key) const {
  OutgoingMessage message;
  message.routing_key = std::move(routing_key);
  message.batch.producer_id = producer_id_;
  return message;
}

void CommandBatcher::Add(std::string_view symbol, const Command& command,
                         std::vector<OutgoingMessage>& ready) {
  if (symbol.empty()) {
    if (!IsMassCancel(command)) throw CliError(kExitBadInput, "symbol is required");
    Flush(ready);
    OutgoingMessage alone = StartMessage(std::string(topology::kAllSymbolsKey));
    alone.batch.records.push_back(MakeRecord(symbol, command));
    ready.push_back(std::move(alone));
    return;
  }
  if (const std::string problem = WireSymbolProblem(symbol); !problem.empty()) {
    throw CliError(kExitBadInput, problem);
  }
  const bool transfer = std::holds_alternative<Deposit>(command.body) ||
                        std::holds_alternative<Withdraw>(command.body);
  const std::string_view key = transfer ? std::string_view(transfer_key_) : symbol;
  if (pending_ && pending_->routing_key != key) Flush(ready);
  if (!pending_) pending_ = StartMessage(std::string(key));
  pending_->batch.records.push_back(MakeRecord(symbol, command));
  if (pending_->batch.records.size() >= batch_size_) Flush(ready);
}

void CommandBatcher::Flush(std::vector<OutgoingMessage>& ready) {
  if (!pending_) return;
  ready.push_back(std::move(*pending_));
  pending_.reset();
}

}  // namespace exchange::cli
