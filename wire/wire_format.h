// Wire format: the compact, versioned, little-endian binary encoding of
// command batches (producers → engine, one AMQP message body each) and event
// batches (engine → consumers). The byte layout is documented field by field
// in wire/FORMAT.md; keep the two in step.
//
// Plain functions over caller-owned values and buffers: any thread may call
// them, each call touching only its own arguments. The decoders never throw
// and never read outside `bytes`, whatever the input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/command.h"
#include "engine/event.h"
#include "engine/instrument.h"

namespace exchange::wire {

// The encoders write kVersion; the decoders accept kOldestVersion..kVersion,
// each by its own layout (FORMAT.md, "Versioning"): version 1 is what
// journals written before cash risk hold.
inline constexpr std::uint8_t kVersion = 2;
inline constexpr std::uint8_t kOldestVersion = 1;
inline constexpr std::uint8_t kMagic0 = 'X';  // first byte of every message
inline constexpr std::uint8_t kMagic1 = 'W';  // second byte

// magic, version, kind, producer_id, record count
inline constexpr std::size_t kCommandHeaderSize = 16;
// magic, version, kind, record count
inline constexpr std::size_t kEventHeaderSize = 8;

// The kind byte of the header; kUnknown is never written.
enum class MessageKind : std::uint8_t { kUnknown = 0, kCommandBatch = 1, kEventBatch = 2 };

// One command as a producer publishes it. The Command's SymbolId fields are
// not on the wire (the receiver resolves `symbol`); after decoding they hold
// kUnknownSymbol, or kAllSymbols for a MassCancel with an empty symbol. For
// AddInstrument the wire carries spec.symbol, and decoding sets `symbol` to it.
// For AddAsset, Deposit and Withdraw `symbol` is the ASSET's name: AddAsset
// carries spec.name (decoding sets both), Deposit and Withdraw decode with
// asset = kUnknownAsset for the receiver to resolve. SetFees carries its
// symbol's name like the order commands.
struct CommandRecord {
  std::uint64_t producer_sequence = 0;
  SymbolName symbol;
  Command command;
};

// `version`: the version a decoded batch was read from (informational); the
// encoders always write kVersion.
struct CommandBatch {
  std::uint64_t producer_id = 0;
  std::vector<CommandRecord> records;
  std::uint8_t version = kVersion;
};

// One event with its symbol's name; event.symbol (the engine's id) is carried too.
// The name may be empty (an event about no single symbol). `asset`: the
// asset's name for BALANCE, ASSET_ADDED and a rejected deposit or
// withdrawal (event.asset, the engine's id, is carried too); empty otherwise.
// Version 1 has no asset name: it decodes empty.
struct EventRecord {
  SymbolName symbol;
  Event event;
  SymbolName asset{};  // initialized: EventRecord{symbol, event} needs no third value
};

struct EventBatch {
  std::vector<EventRecord> records;
  std::uint8_t version = kVersion;  // as CommandBatch::version
};

// Why a message was refused, and the byte offset in the message where the
// refused field starts. The reasons are listed in wire/FORMAT.md.
struct DecodeError {
  std::string reason;
  std::size_t offset = 0;
};

// A decoded value, or the error that prevented it.
template <typename T>
struct Result {
  std::optional<T> value;
  DecodeError error;  // meaningful only when !ok()

  bool ok() const { return value.has_value(); }
};

// Appends one whole message to `out`. Preconditions: at most UINT32_MAX
// records; symbols hold no NUL and no byte outside printable ASCII
// ('!'..'~'), or the receiver will refuse the message.
void AppendCommandBatch(const CommandBatch& batch, std::string& out);
void AppendEventBatch(std::span<const EventRecord> records, std::string& out);
void AppendEventBatch(const EventBatch& batch, std::string& out);
// The records pointed to, in that order (the events of several batches).
void AppendEventBatch(std::span<const EventRecord* const> records, std::string& out);

// Decodes one whole message into `out`, reusing its capacity. Returns
// std::nullopt on success; on error `out.records` is empty.
std::optional<DecodeError> DecodeCommandBatch(std::string_view bytes, CommandBatch& out);
std::optional<DecodeError> DecodeEventBatch(std::string_view bytes, EventBatch& out);

// The same, allocating a fresh batch.
Result<CommandBatch> DecodeCommandBatch(std::string_view bytes);
Result<EventBatch> DecodeEventBatch(std::string_view bytes);

// The kind of a message from its first four bytes (magic, a known version (1 or 2),
// kind); kUnknown for anything else. Says nothing about the rest of the bytes.
MessageKind PeekKind(std::string_view bytes);

}  // namespace exchange::wire
