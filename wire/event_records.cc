// The event half of the wire format (FORMAT.md, "Event records"): event
// record sizes by version and type, their encoding and decoding, and the
// public AppendEventBatch / DecodeEventBatch.
#include <optional>
#include <span>
#include <string>
#include <utility>

#include "wire/wire_codec.h"
#include "wire/wire_format.h"

namespace exchange::wire {
namespace {

using codec::DecodeToResult;
using codec::Reader;
using codec::ReadHeaderStart;
using codec::ReadRecords;
using codec::Truncated;
using codec::WriteHeader;
using codec::Writer;

// Version 1 event: type, symbol length (the symbol bytes follow), then a body
// of every field (the same for every type).
constexpr std::size_t kV1EventPrefixSize = 1 + 1;
constexpr std::size_t kOrderEventFieldsSize = 8 + 8 + 4 * 1 + 4 + 4 + 8 + 8 + 5 * 8 + 4 + 4 * 8;
constexpr std::size_t kV1EventBodySize = kOrderEventFieldsSize;
// Version 2 event: type, symbol length, asset length (the bytes of each
// follow its length), then a body by type (EventBodySize).
constexpr std::size_t kEventPrefixSize = 1 + 1 + 1;
// Version 2 bodies: an order event (types 0-8) is version 1's fields and the
// asset id; a BALANCE only what a balance change needs.
constexpr std::size_t kOrderEventBodySize = kOrderEventFieldsSize + 2;
constexpr std::size_t kBalanceBodySize = 8 + 8 + 1 + 1 + 4 + 4 + 2 + 3 * 8 + 4 * 8;
constexpr std::size_t kAssetAddedBodySize = 8 + 8 + 2 + 8;
constexpr std::size_t kFeesSetBodySize = 8 + 8 + 4 + 4 + 8 + 4 + 4;
// Smallest records: an event with no symbol (version 1), an ASSET_ADDED with
// no names (version 2).
constexpr std::size_t MinEventRecordSize(std::uint8_t version) {
  return version == 1 ? kV1EventPrefixSize + kV1EventBodySize
                      : kEventPrefixSize + kAssetAddedBodySize;
}

// Version 2 event bodies after the prefix, by type.
std::size_t EventBodySize(EventType type) {
  switch (type) {
    case EventType::kBalance: return kBalanceBodySize;
    case EventType::kAssetAdded: return kAssetAddedBodySize;
    case EventType::kFeesSet: return kFeesSetBodySize;
    default: return kOrderEventBodySize;
  }
}

// Types 0-8: version 1's fields, then the asset id.
void WriteOrderEventBody(Writer& w, const Event& e) {
  w.Enum(e.side);
  w.Enum(e.order_type);
  w.Enum(e.reject_reason);
  w.Enum(e.cancel_reason);
  w.U32(e.symbol);
  w.U32(e.account);
  w.U64(e.order_id);
  w.U64(e.exchange_order_id);
  w.I64(e.price);
  w.I64(e.quantity);
  w.I64(e.leaves);
  w.I64(e.filled);
  w.I64(e.stop_price);
  w.U32(e.maker_account);
  w.U64(e.maker_order_id);
  w.U64(e.maker_exchange_order_id);
  w.I64(e.maker_leaves);
  w.I64(e.maker_filled);
  w.U16(e.asset);
}

void WriteBalanceBody(Writer& w, const Event& e) {
  w.Enum(e.side);
  w.Enum(e.balance_reason);
  w.U32(e.symbol);
  w.U32(e.account);
  w.U16(e.asset);
  w.U64(e.order_id);
  w.U64(e.exchange_order_id);
  w.U64(e.trade_sequence);
  w.I64(e.available);
  w.I64(e.held);
  w.I64(e.available_delta);
  w.I64(e.held_delta);
}

void WriteAssetAddedBody(Writer& w, const Event& e) {
  w.U16(e.asset);
  w.I64(e.quantity);
}

void WriteFeesSetBody(Writer& w, const Event& e) {
  w.U32(e.symbol);
  w.U32(e.account);
  w.I64(e.price);
  w.I32(e.maker_ppm);
  w.I32(e.taker_ppm);
}

void WriteEventRecord(Writer& w, const EventRecord& r) {
  const Event& e = r.event;
  w.Enum(e.type);
  w.Symbol(r.symbol);
  w.Symbol(r.asset);
  w.U64(e.sequence);
  w.I64(e.timestamp);
  switch (e.type) {
    case EventType::kBalance: return WriteBalanceBody(w, e);
    case EventType::kAssetAdded: return WriteAssetAddedBody(w, e);
    case EventType::kFeesSet: return WriteFeesSetBody(w, e);
    default: return WriteOrderEventBody(w, e);
  }
}

// ------------------------------------------------------------------ reading

// The last RejectReason each version knows.
RejectReason LastRejectReason(std::uint8_t version) {
  return version == 1 ? RejectReason::kInvalidInstrument : RejectReason::kDuplicateAsset;
}

// Checks that `length` bytes of event record `index` (starting at `at`) are there.
bool CheckEventBytes(Reader& r, std::uint32_t index, std::size_t at, std::size_t length) {
  if (r.left() >= length) return true;
  r.Fail(at, Truncated("record " + std::to_string(index), length, r.left()));
  return false;
}

// Checks a name length byte `ahead` bytes into the record. Consumes nothing.
bool CheckNameLength(Reader& r, std::size_t ahead) {
  const std::size_t length = r.Peek(ahead);
  if (length <= SymbolName::kMaxLength) return true;
  r.Fail(r.offset() + ahead, "bad field: symbol length " + std::to_string(length));
  return false;
}

// Checks that version 1 event record `index` is whole. Consumes nothing.
bool CheckV1EventRecordFits(Reader& r, std::uint32_t index) {
  const std::size_t at = r.offset();
  if (!CheckEventBytes(r, index, at, kV1EventPrefixSize)) return false;
  if (!CheckNameLength(r, 1)) return false;
  return CheckEventBytes(r, index, at, kV1EventPrefixSize + r.Peek(1) + kV1EventBodySize);
}

// Checks that version 2 event record `index` is whole: known type, name
// lengths in range, all its bytes present. Consumes nothing.
bool CheckEventRecordFits(Reader& r, std::uint32_t index) {
  const std::size_t at = r.offset();
  if (!CheckEventBytes(r, index, at, kEventPrefixSize)) return false;
  if (r.Peek(0) > static_cast<std::uint8_t>(EventType::kFeesSet)) {
    r.Fail(at, "bad field: event type " + std::to_string(r.Peek(0)));
    return false;
  }
  if (!CheckNameLength(r, 1)) return false;
  const std::size_t symbol_length = r.Peek(1);
  if (!CheckEventBytes(r, index, at, kEventPrefixSize + symbol_length)) return false;
  if (!CheckNameLength(r, 2 + symbol_length)) return false;
  const std::size_t need = kEventPrefixSize + symbol_length + r.Peek(2 + symbol_length) +
                           EventBodySize(static_cast<EventType>(r.Peek(0)));
  return CheckEventBytes(r, index, at, need);
}

// Types 0-8 after sequence and timestamp: version 1's fields (then, version 2, the asset id).
void ReadOrderEventBody(Reader& r, Event& e) {
  e.side = r.Enum("side", Side::kSell);
  e.order_type = r.Enum("order type", OrderType::kIceberg);
  e.reject_reason = r.Enum("reject reason", LastRejectReason(r.version()));
  e.cancel_reason = r.Enum("cancel reason", CancelReason::kFokCannotFill);
  e.symbol = r.U32();
  e.account = r.U32();
  e.order_id = r.U64();
  e.exchange_order_id = r.U64();
  e.price = r.I64();
  e.quantity = r.I64();
  e.leaves = r.I64();
  e.filled = r.I64();
  e.stop_price = r.I64();
  e.maker_account = r.U32();
  e.maker_order_id = r.U64();
  e.maker_exchange_order_id = r.U64();
  e.maker_leaves = r.I64();
  e.maker_filled = r.I64();
  if (r.version() >= 2) e.asset = r.U16();
}

void ReadBalanceBody(Reader& r, Event& e) {
  e.side = r.Enum("side", Side::kSell);
  e.balance_reason = r.Enum("balance reason", BalanceReason::kRounding);
  e.symbol = r.U32();
  e.account = r.U32();
  e.asset = r.U16();
  e.order_id = r.U64();
  e.exchange_order_id = r.U64();
  e.trade_sequence = r.U64();
  e.available = r.I64();
  e.held = r.I64();
  e.available_delta = r.I64();
  e.held_delta = r.I64();
}

void ReadAssetAddedBody(Reader& r, Event& e) {
  e.asset = r.U16();
  e.quantity = r.I64();
}

void ReadFeesSetBody(Reader& r, Event& e) {
  e.symbol = r.U32();
  e.account = r.U32();
  e.price = r.I64();
  e.maker_ppm = r.I32();
  e.taker_ppm = r.I32();
}

bool ReadV1EventRecord(Reader& r, std::uint32_t index, EventRecord& out) {
  if (!CheckV1EventRecordFits(r, index)) return false;
  out = EventRecord{};
  out.event.type = r.Enum("event type", EventType::kInstrumentAdded);
  out.symbol = r.Symbol(/*may_be_empty=*/true);
  out.event.sequence = r.U64();
  out.event.timestamp = r.I64();
  ReadOrderEventBody(r, out.event);
  return !r.error();
}

bool ReadEventRecord(Reader& r, std::uint32_t index, EventRecord& out) {
  if (r.version() == 1) return ReadV1EventRecord(r, index, out);
  if (!CheckEventRecordFits(r, index)) return false;
  out = EventRecord{};
  Event& e = out.event;
  e.type = r.Enum("event type", EventType::kFeesSet);
  out.symbol = r.Symbol(/*may_be_empty=*/true);
  out.asset = r.Symbol(/*may_be_empty=*/true);
  e.sequence = r.U64();
  e.timestamp = r.I64();
  switch (e.type) {
    case EventType::kBalance: ReadBalanceBody(r, e); break;
    case EventType::kAssetAdded: ReadAssetAddedBody(r, e); break;
    case EventType::kFeesSet: ReadFeesSetBody(r, e); break;
    default: ReadOrderEventBody(r, e); break;
  }
  return !r.error();
}

}  // namespace

void AppendEventBatch(std::span<const EventRecord> records, std::string& out) {
  Writer w(out);
  WriteHeader(w, MessageKind::kEventBatch);
  w.U32(static_cast<std::uint32_t>(records.size()));
  for (const EventRecord& r : records)
    WriteEventRecord(w, r);
}

void AppendEventBatch(std::span<const EventRecord* const> records, std::string& out) {
  Writer w(out);
  WriteHeader(w, MessageKind::kEventBatch);
  w.U32(static_cast<std::uint32_t>(records.size()));
  for (const EventRecord* r : records)
    WriteEventRecord(w, *r);
}

void AppendEventBatch(const EventBatch& batch, std::string& out) {
  AppendEventBatch(std::span<const EventRecord>(batch.records), out);
}

std::optional<DecodeError> DecodeEventBatch(std::string_view bytes, EventBatch& out) {
  out.records.clear();
  Reader r(bytes);
  std::optional<DecodeError> error;
  if (!ReadHeaderStart(r, MessageKind::kEventBatch, kEventHeaderSize)) {
    error = r.TakeError();
  } else {
    out.version = r.version();
    error = ReadRecords(r, MinEventRecordSize(r.version()), out.records, ReadEventRecord);
  }
  if (error) out.records.clear();
  return error;
}

Result<EventBatch> DecodeEventBatch(std::string_view bytes) {
  return DecodeToResult<EventBatch>(
      bytes, [](std::string_view b, EventBatch& out) { return DecodeEventBatch(b, out); });
}

}  // namespace exchange::wire
