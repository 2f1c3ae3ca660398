// The record log: see record_log.h.
#include "base/record_log.h"

#include <cstring>

#include "base/byte_io.h"
#include "base/crc32c.h"

namespace exchange {

namespace {

// CRC-32C of the record header before its checksum field, then the payload.
std::uint32_t RecordChecksum(std::string_view key_and_length, std::string_view payload) {
  return Crc32c(payload, Crc32c(key_and_length));
}

}  // namespace

void AppendRecord(const RecordFormat& format, std::string_view key, std::string_view payload,
                  std::string& out) {
  const std::size_t start = out.size();
  ByteWriter w(out);
  w.Bytes(key.substr(0, format.key_bytes));
  w.U32(static_cast<std::uint32_t>(payload.size()));
  const std::string_view head(out.data() + start, format.key_bytes + 4);
  w.U32(RecordChecksum(head, payload));
  w.Bytes(payload);
}

RecordScanner::RecordScanner(RecordFormat format, ReadFn read, std::uint64_t offset,
                             std::uint64_t end, PlausibleFn plausible)
    : format_(format),
      read_(std::move(read)),
      plausible_(std::move(plausible)),
      offset_(offset),
      end_(end) {}

bool RecordScanner::Stop(std::string damage, bool torn) {
  damage_ = std::move(damage);
  torn_ = torn;
  payload_ = {};
  return false;
}

bool RecordScanner::Next() {
  if (!damage_.empty() || offset_ >= end_) return false;
  const std::size_t header_bytes = format_.header_bytes();
  const std::string_view header = read_(offset_, header_bytes);
  if (header.size() < header_bytes) return Stop("torn record header", true);
  key_.assign(header.substr(0, format_.key_bytes));
  ByteReader r(header.substr(format_.key_bytes));
  const std::uint32_t length = r.U32();
  const std::uint32_t crc = r.U32();
  std::string head(header.substr(0, format_.key_bytes + 4));  // the next read may move the view
  if (length > format_.max_payload || (plausible_ && !plausible_(key_, length))) {
    return Stop("impossible record header (payload length " + std::to_string(length) + ")", false);
  }
  const std::string_view payload = read_(offset_ + header_bytes, length);
  if (payload.size() < length) {
    return Stop("torn record: " + std::to_string(payload.size()) + " of " + std::to_string(length) +
                    " payload bytes",
                true);
  }
  if (RecordChecksum(head, payload) != crc) {
    return Stop("record checksum mismatch", offset_ + header_bytes + length == end_);
  }
  payload_ = payload;
  offset_ += header_bytes + length;
  return true;
}

}  // namespace exchange
