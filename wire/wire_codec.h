// Wire codec internals: the Reader and Writer that wire/wire_format.cc,
// wire/command_records.cc and wire/event_records.cc share, and the header,
// count and trailing-byte handling common to both batch kinds. Not part of
// the public API (that is wire/wire_format.h); only wire/'s .cc files include it.
//
// Owned by wire/. Plain helpers over caller-owned values and buffers: any
// thread, one Reader or Writer per thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/byte_io.h"
#include "wire/wire_format.h"

namespace exchange::wire::codec {

// ------------------------------------------------------------------ writing

// Appends little-endian integers (ByteWriter), enumerations and symbols to a string.
class Writer : public ByteWriter {
 public:
  using ByteWriter::ByteWriter;

  template <typename E>
  void Enum(E v) {
    U8(static_cast<std::uint8_t>(v));
  }
  void Symbol(const SymbolName& s) { ShortString(s.view()); }
  void I32(std::int32_t v) { U32(static_cast<std::uint32_t>(v)); }
  void Bool(bool v) { U8(v ? 1 : 0); }
};

// Writes magic, kVersion and `kind`: the first four bytes of every message.
void WriteHeader(Writer& w, MessageKind kind);

// ------------------------------------------------------------------ reading

// Two lowercase hex digits.
std::string Hex2(std::uint8_t v);

// Reads little-endian fields (ByteReader) and checks enumerations and
// symbols. Never reads past the end: a read that does not fit records an
// error and yields zero, so the callers' size checks are a convenience for
// good messages, not for safety. Every check records the first error only;
// callers test error() when done.
class Reader {
 public:
  explicit Reader(std::string_view bytes) : bytes_(bytes), in_(bytes) {}

  std::size_t offset() const { return in_.position(); }
  std::size_t left() const { return in_.remaining(); }
  const std::optional<DecodeError>& error() const { return error_; }
  std::optional<DecodeError> TakeError() { return std::move(error_); }

  void Fail(std::size_t offset, std::string reason) {
    if (!error_) error_ = DecodeError{std::move(reason), offset};
  }

  // The byte `ahead` bytes past the current one, without consuming; 0 past the end.
  std::uint8_t Peek(std::size_t ahead) const {
    return ahead < left() ? static_cast<std::uint8_t>(bytes_[offset() + ahead]) : 0;
  }

  std::uint8_t U8() { return Checked(in_.U8()); }
  std::uint16_t U16() { return Checked(in_.U16()); }
  std::uint32_t U32() { return Checked(in_.U32()); }
  std::int32_t I32() { return static_cast<std::int32_t>(U32()); }  // two's complement
  std::uint64_t U64() { return Checked(in_.U64()); }
  std::int64_t I64() { return Checked(in_.I64()); }  // two's complement

  // An enumeration byte; values above `last` are an error "bad field: <name> <value>".
  template <typename E>
  E Enum(std::string_view name, E last) {
    const std::size_t at = offset();
    const std::uint8_t v = U8();
    if (v > static_cast<std::uint8_t>(last)) {
      Fail(at, "bad field: " + std::string(name) + " " + std::to_string(v));
      return E{};
    }
    return static_cast<E>(v);
  }

  // A flag byte: 0 or 1; anything else is an error "bad field: <name> <value>".
  bool Bool(std::string_view name) {
    const std::size_t at = offset();
    const std::uint8_t v = U8();
    if (v > 1) Fail(at, "bad field: " + std::string(name) + " " + std::to_string(v));
    return v == 1;
  }

  // The version of the message, once its header is read.
  std::uint8_t version() const { return version_; }
  void set_version(std::uint8_t v) { version_ = v; }

  // A symbol: u8 length, then that many bytes of printable ASCII ('!'..'~').
  SymbolName Symbol(bool may_be_empty) {
    const std::size_t at = offset();
    const std::size_t length = U8();
    if (length > SymbolName::kMaxLength) {
      Fail(at, "bad field: symbol length " + std::to_string(length));
      return SymbolName();
    }
    if (length == 0 && !may_be_empty) Fail(at, "bad field: empty symbol");
    const std::string_view s = Checked(in_.Bytes(length));
    CheckSymbolBytes(s, at + 1);
    return SymbolName(s);
  }

 private:
  template <typename T>
  T Checked(T value) {
    if (in_.failed()) Fail(offset(), "truncated: field past the end");
    return value;
  }

  void CheckSymbolBytes(std::string_view s, std::size_t at) {
    for (std::size_t i = 0; i < s.size(); ++i) {
      const auto c = static_cast<std::uint8_t>(s[i]);
      if (c < '!' || c > '~') Fail(at + i, "bad field: symbol byte 0x" + Hex2(c));
    }
  }

  std::string_view bytes_;
  ByteReader in_;
  std::optional<DecodeError> error_;
  std::uint8_t version_ = kVersion;
};

// "truncated: <what> needs <need> bytes, <left> left".
std::string Truncated(std::string_view what, std::size_t need, std::size_t left);

// Checks magic, version and kind, consuming them and setting r's version.
// False after recording an error.
bool ReadHeaderStart(Reader& r, MessageKind expected, std::size_t header_size);

// Reads the record count and checks that many records can fit in what is left.
std::optional<std::uint32_t> ReadCount(Reader& r, std::size_t min_record_size);

// False after recording an error when bytes are left after the last record.
bool CheckNoTrailingBytes(Reader& r);

// Decodes the records of a batch whose header has been read.
template <typename Record, typename ReadRecord>
std::optional<DecodeError> ReadRecords(Reader& r, std::size_t min_record_size,
                                       std::vector<Record>& out, ReadRecord read_record) {
  const std::optional<std::uint32_t> count = ReadCount(r, min_record_size);
  if (!count) return r.TakeError();
  out.reserve(*count);  // bounded by the message size: ReadCount checked it
  for (std::uint32_t i = 0; i < *count; ++i) {
    Record& record = out.emplace_back();
    if (!read_record(r, i, record)) return r.TakeError();
  }
  if (!CheckNoTrailingBytes(r)) return r.TakeError();
  return std::nullopt;
}

// Runs `decode` (bytes, Batch&) into a fresh batch and wraps the outcome.
template <typename Batch, typename Decode>
Result<Batch> DecodeToResult(std::string_view bytes, Decode decode) {
  Result<Batch> result;
  Batch batch;
  if (std::optional<DecodeError> error = decode(bytes, batch)) {
    result.error = std::move(*error);
  } else {
    result.value = std::move(batch);
  }
  return result;
}

}  // namespace exchange::wire::codec
