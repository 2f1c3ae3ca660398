// RecordFile: one file of records in the record-log format (record_log.h),
// the storage under the FIX session stores, the gateway's order journal and
// the history sink's spool, and the reader of the engine's journal segments.
// The owner encodes its records (AppendRecord) and appends the bytes; at
// open, LoadRecords reads them back with the one torn-tail policy: a record
// cut short, a bad checksum on the last record or a tail of zeros is cut
// off; any other damage is refused. Replace rewrites the whole file
// atomically (compaction).
//
// Appends go to the page cache (pwrite, no fsync): a gateway crash loses
// nothing written, an operating-system crash may lose the last appends
// (README.md, "FIX gateway"). Replace() is durable: the new contents are
// fsynced and renamed over the old file. The file is locked (flock) while
// open: a second RecordFile on the same path, in this process or another,
// fails.
//
// A file opened for reading only (ForReading) is neither locked nor
// created; it serves Read() and scans.
//
// Owned by one store; one thread.
#pragma once

#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "base/record_log.h"

namespace exchange {

class RecordFileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class RecordFile {
 public:
  // Opens or creates `path` and locks it. `kind` names the file in error
  // messages ("FIX session store"). Throws RecordFileError; so does every
  // other method on an I/O error.
  RecordFile(std::string path, std::string kind);
  // Opens an existing `path` for reading only, unlocked.
  static RecordFile ForReading(std::string path, std::string kind);
  RecordFile(RecordFile&& other) noexcept;
  ~RecordFile();
  RecordFile(const RecordFile&) = delete;
  RecordFile& operator=(const RecordFile&) = delete;

  // Reads the records that follow the file header `magic`, calling
  // visit(record) for each good one, in order. A file shorter than `magic`
  // that begins like it (new, or torn while being created) is emptied and
  // gets the header. At damage the policy of the header comment applies;
  // returns the bytes cut off (0: clean).
  using RecordVisitor = std::function<void(const RecordScanner&)>;
  std::uint64_t LoadRecords(std::string_view magic, const RecordFormat& format,
                            const RecordVisitor& visit,
                            const RecordScanner::PlausibleFn& plausible = {});

  std::uint64_t size() const { return size_; }
  const std::string& path() const { return path_; }

  // The `n` bytes at `offset`, fewer where the file ends first; valid until
  // the next call. Sequential reads are served from a 1 MiB window.
  std::string_view Read(std::uint64_t offset, std::size_t n);
  // Exactly `n` bytes at `offset` into `out`; throws when the file ends first.
  void ReadExact(std::uint64_t offset, std::size_t n, std::string& out) const;
  // True when every byte from `offset` to the end is zero (a machine crash
  // may leave a tail of zeros: a torn tail too).
  bool ZerosFrom(std::uint64_t offset);

  // Writes at the end; a failed write is cut back off, so the file never
  // keeps a partial record in front of later ones.
  void Append(std::string_view bytes);
  // Where the good records end when reading back stopped at `offset` on
  // `damage` ("record checksum mismatch", …): a torn tail (`torn`, or only
  // zeros after `offset`) is cut off and its length returned; damage with
  // data after it throws, naming the place.
  std::uint64_t EndAt(std::uint64_t offset, bool torn, std::string_view damage);
  void Truncate(std::uint64_t size);
  // The file's whole contents become `bytes`: written to `<path>.tmp`,
  // fsynced, renamed over the file, the folder fsynced. A crash leaves the
  // old file or the new one, never a mix.
  void Replace(std::string_view bytes);

  [[noreturn]] void Fail(const std::string& what) const;

 private:
  RecordFile(std::string path, std::string kind, int fd);

  std::string path_;
  std::string kind_;
  int fd_ = -1;
  std::uint64_t size_ = 0;
  std::uint64_t window_start_ = 0;
  std::string window_;  // Read()'s buffer
};

}  // namespace exchange
