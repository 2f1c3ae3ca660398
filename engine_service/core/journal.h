// Journal: the engine service's append-only command log. Every command the
// engine accepts is appended here and made durable (fdatasync) before its
// delivery is acknowledged and before any of its events leave the process.
//
// On disk: a folder of segments `segment-<first index, 20 digits>.log`, each a
// 13-byte header (u32 magic "XJN1", u8 version 1, u64 index of its first
// record) then records in the record-log format with no key
// (base/record_log.h: u32 payload length, u32 CRC-32C of length and payload,
// payload), all little-endian. Records are numbered from 0 across
// segments. Open() verifies every checksum and cuts the log at the first
// damaged record (a torn write at the tail), saying what it cut.
//
// Owned by the engine service. Append(), Flush() and Rotate() belong to one
// thread (the engine thread); Sync() may be called from one other thread (the
// committer) at the same time.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace exchange {

class JournalError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct JournalOpenReport {
  std::uint64_t records = 0;        // good records found
  std::uint64_t next_index = 0;     // the index the next Append() gets
  std::uint64_t dropped_bytes = 0;  // bytes cut away at a damaged record
  std::string damage;               // "" when clean, else what was cut and where
};

class Journal {
 public:
  static constexpr std::uint32_t kMaxPayload = 16 << 20;

  // Opens the journal in `dir` (created when missing). New records go to a
  // fresh segment. Throws JournalError on I/O errors.
  static std::unique_ptr<Journal> Open(const std::string& dir, JournalOpenReport* report);
  ~Journal();
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;

  // Calls f(index, payload) for every durable record with index >= from, in
  // order. Reads the files again; call before appending.
  void Replay(std::uint64_t from,
              const std::function<void(std::uint64_t, std::string_view)>& f) const;

  // Buffers one record; returns its index.
  std::uint64_t Append(std::string_view payload);
  // Writes the buffered records to the segment file (no sync).
  void Flush();
  // Makes everything flushed so far durable (fdatasync).
  void Sync();
  // Closes the current segment (flushed and synced here, on the calling
  // thread) and starts a new one at next_index(), so that old segments can be
  // dropped once a snapshot covers them. A rare pause: two fsyncs.
  void Rotate();

  std::uint64_t next_index() const { return next_index_; }
  // The index of the oldest record still held.
  std::uint64_t first_index() const { return segments_.front().first_index; }
  std::size_t buffered_bytes() const { return buffer_.size(); }
  // Deletes whole segments whose records all lie below `index`.
  void DropSegmentsBefore(std::uint64_t index);

 private:
  struct Segment {
    std::string path;
    std::uint64_t first_index = 0;
    std::uint64_t records = 0;
  };

  explicit Journal(std::string dir) : dir_(std::move(dir)) {}
  void Scan(JournalOpenReport* report);
  void StartSegment();

  std::string dir_;
  std::vector<Segment> segments_;  // oldest first; the last one is being written
  std::atomic<int> fd_ = -1;       // the segment being written; Sync() reads it
  int retired_fd_ = -1;            // the previous segment, closed at the next Rotate()
  std::uint64_t next_index_ = 0;
  std::string buffer_;
};

}  // namespace exchange
