// AppendFile: one locked, append-only file of checksummed records, the
// storage under the FIX session stores (session_store.h) and the order
// journal (order_journal.h). It knows bytes, not records: the owner encodes
// its records, reads them back at open through Read(), cuts a torn tail off
// with Truncate(), and may rewrite the whole file atomically (Replace) to
// compact it.
//
// Appends go to the page cache (pwrite, no fsync): a gateway crash loses
// nothing written, an operating-system crash may lose the last appends
// (README.md, "FIX gateway"). Replace() is durable: the new contents are
// fsynced and renamed over the old file. The file is locked (flock) while
// open: a second AppendFile on the same path, in this process or another,
// fails.
//
// Owned by one store; one thread.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace exchange::fix {

class StoreFileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class AppendFile {
 public:
  // Opens or creates `path` and locks it. `kind` names the file in error
  // messages ("FIX session store"). Throws StoreFileError; so does every
  // other method on an I/O error.
  AppendFile(std::string path, std::string kind);
  ~AppendFile();
  AppendFile(const AppendFile&) = delete;
  AppendFile& operator=(const AppendFile&) = delete;

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
  std::string path_;
  std::string kind_;
  int fd_ = -1;
  std::uint64_t size_ = 0;
  std::uint64_t window_start_ = 0;
  std::string window_;  // Read()'s buffer
};

}  // namespace exchange::fix
