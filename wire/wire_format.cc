// The wire format's shared parts: the message header (writing, reading and
// PeekKind), the record count, trailing bytes and error texts. The records
// themselves are in wire/command_records.cc and wire/event_records.cc.
#include "wire/wire_format.h"

#include <optional>
#include <string>

#include "wire/wire_codec.h"

namespace exchange::wire::codec {
namespace {

std::string_view KindName(MessageKind k) {
  return k == MessageKind::kCommandBatch ? "command batch" : "event batch";
}

}  // namespace

void WriteHeader(Writer& w, MessageKind kind) {
  w.U8(kMagic0);
  w.U8(kMagic1);
  w.U8(kVersion);
  w.Enum(kind);
}

std::string Hex2(std::uint8_t v) {
  static constexpr char kDigits[] = "0123456789abcdef";
  return std::string{kDigits[v >> 4], kDigits[v & 0xf]};
}

std::string Truncated(std::string_view what, std::size_t need, std::size_t left) {
  return "truncated: " + std::string(what) + " needs " + std::to_string(need) + " bytes, " +
         std::to_string(left) + " left";
}

bool ReadHeaderStart(Reader& r, MessageKind expected, std::size_t header_size) {
  if (r.left() < header_size) {
    r.Fail(0, Truncated("header", header_size, r.left()));
    return false;
  }
  const std::uint8_t m0 = r.U8();
  const std::uint8_t m1 = r.U8();
  if (m0 != kMagic0 || m1 != kMagic1) {
    r.Fail(0, "bad magic 0x" + Hex2(m0) + Hex2(m1));
    return false;
  }
  const std::uint8_t version = r.U8();
  if (version < kOldestVersion || version > kVersion) {
    r.Fail(2, "unsupported version " + std::to_string(version));
    return false;
  }
  r.set_version(version);
  const std::uint8_t kind = r.U8();
  if (kind != static_cast<std::uint8_t>(expected)) {
    r.Fail(3, "bad kind " + std::to_string(kind) + ": expected " +
                  std::to_string(static_cast<int>(expected)) + " (" +
                  std::string(KindName(expected)) + ")");
    return false;
  }
  return true;
}

std::optional<std::uint32_t> ReadCount(Reader& r, std::size_t min_record_size) {
  const std::size_t at = r.offset();
  const std::uint32_t count = r.U32();
  const std::uint64_t need = std::uint64_t{count} * min_record_size;
  if (need > r.left()) {
    r.Fail(at, "bad count: " + std::to_string(count) + " records need at least " +
                   std::to_string(need) + " bytes, " + std::to_string(r.left()) + " left");
    return std::nullopt;
  }
  return count;
}

bool CheckNoTrailingBytes(Reader& r) {
  if (r.left() == 0) return true;
  r.Fail(r.offset(), "trailing bytes: " + std::to_string(r.left()) + " after the last record");
  return false;
}

}  // namespace exchange::wire::codec

namespace exchange::wire {

MessageKind PeekKind(std::string_view bytes) {
  if (bytes.size() < 4) return MessageKind::kUnknown;
  const auto byte = [&bytes](std::size_t i) { return static_cast<std::uint8_t>(bytes[i]); };
  if (byte(0) != kMagic0 || byte(1) != kMagic1 || byte(2) < kOldestVersion || byte(2) > kVersion) {
    return MessageKind::kUnknown;
  }
  switch (static_cast<MessageKind>(byte(3))) {
    case MessageKind::kCommandBatch: return MessageKind::kCommandBatch;
    case MessageKind::kEventBatch: return MessageKind::kEventBatch;
    case MessageKind::kUnknown: break;
  }
  return MessageKind::kUnknown;
}

}  // namespace exchange::wire
