// RecordFile: see record_file.h.
#include "base/record_file.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

namespace exchange {
namespace {

constexpr std::size_t kReadChunk = 1 << 20;

std::string ErrnoText() {
  return std::strerror(errno);
}

// Opens (creating) and locks `path`; -1 with errno's text in `error`.
int OpenLocked(const std::string& path, int flags, std::string* error) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC, 0644);
  if (fd < 0) {
    *error = "cannot open: " + ErrnoText();
    return -1;
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    *error = errno == EWOULDBLOCK ? std::string("in use by another process or store")
                                  : "cannot lock: " + ErrnoText();
    ::close(fd);
    return -1;
  }
  return fd;
}

// pwrite all of `bytes` at `offset`; false with errno set (or 0: wrote nothing).
bool WriteAll(int fd, std::string_view bytes, std::uint64_t offset) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n =
        ::pwrite(fd, bytes.data() + done, bytes.size() - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (n == 0) errno = EIO;
      return false;
    }
    done += static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace

RecordFile::RecordFile(std::string path, std::string kind)
    : path_(std::move(path)), kind_(std::move(kind)) {
  std::string error;
  fd_ = OpenLocked(path_, O_RDWR | O_CREAT, &error);
  if (fd_ < 0) Fail(error);
  struct stat st {};
  if (::fstat(fd_, &st) != 0) {
    const std::string cause = ErrnoText();
    ::close(fd_);
    fd_ = -1;
    Fail("fstat: " + cause);
  }
  size_ = static_cast<std::uint64_t>(st.st_size);
}

RecordFile::RecordFile(std::string path, std::string kind, int fd)
    : path_(std::move(path)), kind_(std::move(kind)), fd_(fd) {}

RecordFile RecordFile::ForReading(std::string path, std::string kind) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  RecordFile file(std::move(path), std::move(kind), fd);
  if (fd < 0) file.Fail("cannot open: " + ErrnoText());
  struct stat st {};
  if (::fstat(fd, &st) != 0) file.Fail("fstat: " + ErrnoText());
  file.size_ = static_cast<std::uint64_t>(st.st_size);
  return file;
}

RecordFile::RecordFile(RecordFile&& other) noexcept
    : path_(std::move(other.path_)),
      kind_(std::move(other.kind_)),
      fd_(other.fd_),
      size_(other.size_),
      window_start_(other.window_start_),
      window_(std::move(other.window_)) {
  other.fd_ = -1;
}

RecordFile::~RecordFile() {
  if (fd_ >= 0) ::close(fd_);  // also releases the lock
}

void RecordFile::Fail(const std::string& what) const {
  throw RecordFileError(kind_ + " " + path_ + ": " + what);
}

std::string_view RecordFile::Read(std::uint64_t offset, std::size_t n) {
  if (offset < window_start_ || offset + n > window_start_ + window_.size()) {
    const std::uint64_t left = offset < size_ ? size_ - offset : 0;
    const auto want = static_cast<std::size_t>(
        std::min<std::uint64_t>(left, std::max<std::uint64_t>(n, kReadChunk)));
    window_.resize(want);
    std::size_t done = 0;
    while (done < want) {
      const ssize_t got =
          ::pread(fd_, window_.data() + done, want - done, static_cast<off_t>(offset + done));
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) Fail("read: " + ErrnoText());
      if (got == 0) break;  // shorter than we thought: treated as the end
      done += static_cast<std::size_t>(got);
    }
    window_.resize(done);
    window_start_ = offset;
  }
  const auto at = static_cast<std::size_t>(offset - window_start_);
  if (at >= window_.size()) return {};
  return std::string_view(window_).substr(at, n);
}

void RecordFile::ReadExact(std::uint64_t offset, std::size_t n, std::string& out) const {
  out.resize(n);
  std::size_t done = 0;
  while (done < n) {
    const ssize_t got =
        ::pread(fd_, out.data() + done, n - done, static_cast<off_t>(offset + done));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) {
      const std::string cause = got < 0 ? ErrnoText() : std::string("the file ends early");
      Fail("cannot read " + std::to_string(n) + " bytes at " + std::to_string(offset) + ": " +
           cause);
    }
    done += static_cast<std::size_t>(got);
  }
}

bool RecordFile::ZerosFrom(std::uint64_t offset) {
  while (offset < size_) {
    const std::string_view chunk =
        Read(offset, static_cast<std::size_t>(std::min<std::uint64_t>(size_ - offset, kReadChunk)));
    if (chunk.empty()) return true;
    if (chunk.find_first_not_of('\0') != std::string_view::npos) return false;
    offset += chunk.size();
  }
  return true;
}

void RecordFile::Append(std::string_view bytes) {
  if (!WriteAll(fd_, bytes, size_)) {
    std::string cause = ErrnoText();
    if (::ftruncate(fd_, static_cast<off_t>(size_)) != 0) {
      cause += "; cutting the partial record off failed too: ";
      cause += ErrnoText();
    }
    Fail("write failed: " + cause);
  }
  size_ += bytes.size();
}

std::uint64_t RecordFile::EndAt(std::uint64_t offset, bool torn, std::string_view damage) {
  if (!torn && !ZerosFrom(offset)) {
    std::string what(damage);
    what += " at byte ";
    what += std::to_string(offset);
    what += " with ";
    what += std::to_string(size_ - offset);
    what += " bytes after it (corrupt before the last record)";
    Fail(what);
  }
  const std::uint64_t dropped = size_ - offset;
  Truncate(offset);
  return dropped;
}

std::uint64_t RecordFile::LoadRecords(std::string_view magic, const RecordFormat& format,
                                      const RecordVisitor& visit,
                                      const RecordScanner::PlausibleFn& plausible) {
  const std::string_view head = Read(0, magic.size());
  if (head != magic) {
    if (size_ >= magic.size() || magic.substr(0, head.size()) != head) {
      Fail("not a " + kind_ + " (bad file header)");
    }
    const std::uint64_t dropped = size_;  // new, or torn while being created
    Truncate(0);
    Append(magic);
    return dropped;
  }
  RecordScanner scanner(
      format, [this](std::uint64_t offset, std::size_t n) { return Read(offset, n); }, magic.size(),
      size_, plausible);
  while (scanner.Next())
    visit(scanner);
  if (scanner.damage().empty()) return 0;
  return EndAt(scanner.offset(), scanner.torn(), scanner.damage());
}

void RecordFile::Truncate(std::uint64_t size) {
  if (::ftruncate(fd_, static_cast<off_t>(size)) != 0) {
    const std::string cause = ErrnoText();
    Fail("cannot cut the file to " + std::to_string(size) + " bytes: " + cause);
  }
  size_ = size;
  window_.clear();
  window_start_ = 0;
}

void RecordFile::Replace(std::string_view bytes) {
  const std::string tmp = path_ + ".tmp";
  std::string error;
  ::unlink(tmp.c_str());  // a leftover of a crash mid-Replace
  const int fd = OpenLocked(tmp, O_RDWR | O_CREAT | O_TRUNC, &error);
  if (fd < 0) Fail("compaction: " + tmp + ": " + error);
  if (!WriteAll(fd, bytes, 0) || ::fsync(fd) != 0 || ::rename(tmp.c_str(), path_.c_str()) != 0) {
    const std::string cause = ErrnoText();
    ::close(fd);
    ::unlink(tmp.c_str());
    Fail("compaction failed (the old file is kept): " + cause);
  }
  const std::string folder = std::filesystem::path(path_).parent_path().string();
  const int dir = ::open(folder.empty() ? "." : folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);  // the rename itself survives a machine crash
    ::close(dir);
  }
  ::close(fd_);
  fd_ = fd;
  size_ = bytes.size();
  window_.clear();
  window_start_ = 0;
}

}  // namespace exchange
