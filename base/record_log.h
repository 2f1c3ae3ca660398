// The record log: the one on-disk format of every file of records the
// project writes (the engine's journal segments, the FIX session stores,
// the gateway's order journal, the history sink's spool), its writer and
// its reader.
//
// A file is a header of its owner's choosing (its magic; the journal's also
// names its first record) and then records, all little-endian:
//
//   key       key_bytes bytes, fixed per kind of file: 0 for the journal and
//             the spool, 1 for the order journal (the record type), 9 for a
//             session store (the record type and a MsgSeqNum)
//   u32       payload length
//   u32       CRC-32C of the key, the length and the payload
//   payload   length bytes
//
// RecordScanner reads records back until the end or the first record that
// is incomplete, implausible or fails its checksum, and says which. What to
// do about damage (cut a torn tail, refuse damage in the middle) is the
// owner's policy: RecordFile::LoadRecords (record_file.h) is the policy of
// the gateway's stores; the journal cuts at any damage.
//
// Plain functions and a value type; one scanner per thread.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace exchange {

struct RecordFormat {
  std::size_t key_bytes = 0;
  std::uint32_t max_payload = 1 << 20;  // a longer length is damage, not a record

  constexpr std::size_t header_bytes() const { return key_bytes + 8; }
};

// Appends one record to `out`; `key` must be format.key_bytes long.
void AppendRecord(const RecordFormat& format, std::string_view key, std::string_view payload,
                  std::string& out);

class RecordScanner {
 public:
  // The `n` bytes at `offset`, fewer where the file ends first; a view that
  // stays valid until the next call.
  using ReadFn = std::function<std::string_view(std::uint64_t offset, std::size_t n)>;
  // Whether a record header (its key and payload length) can be one of the
  // owner's records; checked before the payload is read.
  using PlausibleFn = std::function<bool(std::string_view key, std::uint32_t length)>;

  // Scans the records from `offset` up to `end` (the file's size).
  RecordScanner(RecordFormat format, ReadFn read, std::uint64_t offset, std::uint64_t end,
                PlausibleFn plausible = {});

  // The next good record; false at the end or at damage (damage() says).
  bool Next();

  std::string_view key() const { return key_; }
  // Valid until the next Next() or the next read of the source.
  std::string_view payload() const { return payload_; }
  std::uint64_t payload_offset() const { return offset_ - payload_.size(); }
  // Where the good records end: the end of the last record Next() returned.
  std::uint64_t offset() const { return offset_; }
  // "" at a clean end, else what is wrong at offset(): "torn record header",
  // "impossible record header (payload length N)", "torn record: N of M
  // payload bytes", "record checksum mismatch".
  const std::string& damage() const { return damage_; }
  // The damage is what a crash mid-append leaves: a record cut short, or a
  // checksum mismatch on the file's last record.
  bool torn() const { return torn_; }

 private:
  bool Stop(std::string damage, bool torn);

  RecordFormat format_;
  ReadFn read_;
  PlausibleFn plausible_;
  std::uint64_t offset_;
  std::uint64_t end_;
  std::string key_;
  std::string_view payload_;
  std::string damage_;
  bool torn_ = false;
};

}  // namespace exchange
