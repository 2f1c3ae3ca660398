#include "engine_service/core/journal.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "base/byte_io.h"
#include "base/record_file.h"
#include "base/record_log.h"

namespace exchange {

namespace fs = std::filesystem;

namespace {

constexpr std::uint32_t kMagic = 0x314E4A58;  // "XJN1"
constexpr std::uint8_t kVersion = 1;
constexpr std::size_t kHeaderBytes = 13;
// Records with no key (base/record_log.h).
constexpr RecordFormat kFormat{.key_bytes = 0, .max_payload = Journal::kMaxPayload};

[[noreturn]] void Fail(const std::string& what) {
  throw JournalError(what + ": " + std::strerror(errno));
}

std::string SegmentName(std::uint64_t first_index) {
  char name[64];
  std::snprintf(name, sizeof(name), "segment-%020llu.log",
                static_cast<unsigned long long>(first_index));
  return name;
}

void SyncDirectory(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) Fail("open " + dir);
  ::fsync(fd);
  ::close(fd);
}

// Reads a segment file record by record.
class SegmentReader {
 public:
  explicit SegmentReader(const std::string& path)
      : file_(OpenForReading(path)),
        scanner_(
            kFormat, [this](std::uint64_t offset, std::size_t n) { return file_.Read(offset, n); },
            kHeaderBytes, file_.size()) {}

  // The header's first index; false when the header is bad.
  bool ReadHeader(std::uint64_t* first_index) {
    ByteReader r(file_.Read(0, kHeaderBytes));
    const std::uint32_t magic = r.U32();
    const std::uint8_t version = r.U8();
    *first_index = r.U64();
    return !r.failed() && magic == kMagic && version == kVersion;
  }

  // Next record; false at the end or at damage (then *damage says which).
  bool Next(std::string_view* payload, std::string* damage) {
    if (!scanner_.Next()) {
      *damage = scanner_.damage();
      return false;
    }
    *payload = scanner_.payload();
    return true;
  }

  std::uint64_t offset() const { return scanner_.offset(); }  // end of the last good record

 private:
  static RecordFile OpenForReading(const std::string& path) {
    try {
      return RecordFile::ForReading(path, "journal segment");
    } catch (const RecordFileError& e) {
      throw JournalError(e.what());
    }
  }

  RecordFile file_;
  RecordScanner scanner_;
};

}  // namespace

std::unique_ptr<Journal> Journal::Open(const std::string& dir, JournalOpenReport* report) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw JournalError("cannot create journal folder " + dir + ": " + ec.message());
  std::unique_ptr<Journal> journal(new Journal(dir));
  JournalOpenReport local;
  journal->Scan(report ? report : &local);
  journal->StartSegment();
  return journal;
}

Journal::~Journal() {
  if (fd_ >= 0) {
    try {
      Flush();
    } catch (const JournalError&) {
      // Destructors do not throw; what was not flushed was never acknowledged.
    }
    ::fdatasync(fd_);
    ::close(fd_);
  }
  if (retired_fd_ >= 0) ::close(retired_fd_);
}

// Finds the segments, checks every record, and cuts the log at the first
// damaged one: that segment is truncated there and later segments deleted.
void Journal::Scan(JournalOpenReport* report) {
  std::vector<std::pair<std::uint64_t, std::string>> found;
  for (const auto& entry : fs::directory_iterator(dir_)) {
    const std::string name = entry.path().filename().string();
    unsigned long long first = 0;
    if (std::sscanf(name.c_str(), "segment-%20llu.log", &first) == 1 &&
        name == SegmentName(first)) {
      found.emplace_back(first, entry.path().string());
    }
  }
  std::sort(found.begin(), found.end());

  std::uint64_t expected = found.empty() ? 0 : found.front().first;
  bool cut = false;
  for (const auto& [first, path] : found) {
    if (cut) {  // after a damaged record everything later goes
      report->dropped_bytes += fs::file_size(path);
      fs::remove(path);
      continue;
    }
    SegmentReader reader(path);
    std::uint64_t header_first = 0;
    if (!reader.ReadHeader(&header_first) || header_first != first || first != expected) {
      report->damage = path + ": bad or out-of-sequence segment header";
      report->dropped_bytes += fs::file_size(path);
      fs::remove(path);
      cut = true;
      continue;
    }
    Segment segment{path, first, 0};
    std::string_view payload;
    std::string damage;
    while (reader.Next(&payload, &damage))
      ++segment.records;
    if (!damage.empty()) {
      const std::uint64_t size = fs::file_size(path);
      report->damage = path + ": " + damage + " at byte " + std::to_string(reader.offset()) +
                       " (record " + std::to_string(first + segment.records) + ")";
      report->dropped_bytes += size - reader.offset();
      fs::resize_file(path, reader.offset());
      cut = true;
    }
    expected = first + segment.records;
    report->records += segment.records;
    segments_.push_back(segment);
  }
  next_index_ = expected;
  report->next_index = next_index_;
}

void Journal::StartSegment() {
  // An empty last segment starting at next_index_ is reused as it is.
  if (!segments_.empty() && segments_.back().records == 0 &&
      segments_.back().first_index == next_index_) {
    const int fd = ::open(segments_.back().path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
    if (fd < 0) Fail("open " + segments_.back().path);
    fd_.store(fd);
    return;
  }
  const std::string path = (fs::path(dir_) / SegmentName(next_index_)).string();
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) Fail("create " + path);
  fd_.store(fd);
  std::string header;
  ByteWriter w(header);
  w.U32(kMagic);
  w.U8(kVersion);
  w.U64(next_index_);
  buffer_ = header;
  Flush();
  Sync();
  SyncDirectory(dir_);
  segments_.push_back(Segment{path, next_index_, 0});
}

void Journal::Rotate() {
  if (segments_.back().records == 0) return;  // nothing to close
  Flush();
  if (::fdatasync(fd_.load()) != 0) Fail("journal fdatasync");
  // The committer may still be syncing the old descriptor: it stays open
  // until the next rotation, long after any such call has returned.
  if (retired_fd_ >= 0) ::close(retired_fd_);
  retired_fd_ = fd_.load();
  StartSegment();
}

void Journal::Replay(std::uint64_t from,
                     const std::function<void(std::uint64_t, std::string_view)>& f) const {
  for (const Segment& s : segments_) {
    if (s.first_index + s.records <= from) continue;
    SegmentReader reader(s.path);
    std::uint64_t first = 0;
    if (!reader.ReadHeader(&first)) throw JournalError(s.path + ": header changed under us");
    std::string_view payload;
    std::string damage;
    for (std::uint64_t i = 0; i < s.records; ++i) {
      if (!reader.Next(&payload, &damage)) throw JournalError(s.path + ": " + damage);
      if (first + i >= from) f(first + i, payload);
    }
  }
}

std::uint64_t Journal::Append(std::string_view payload) {
  if (payload.size() > kMaxPayload) throw JournalError("journal record too large");
  AppendRecord(kFormat, {}, payload, buffer_);
  ++segments_.back().records;
  return next_index_++;
}

void Journal::Flush() {
  std::size_t done = 0;
  while (done < buffer_.size()) {
    const ssize_t n =
        ::write(fd_.load(std::memory_order_relaxed), buffer_.data() + done, buffer_.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      Fail("journal write");
    }
    done += static_cast<std::size_t>(n);
  }
  buffer_.clear();
}

void Journal::Sync() {
  if (::fdatasync(fd_.load()) != 0) Fail("journal fdatasync");
}

void Journal::DropSegmentsBefore(std::uint64_t index) {
  while (segments_.size() > 1 &&
         segments_.front().first_index + segments_.front().records <= index) {
    fs::remove(segments_.front().path);
    segments_.erase(segments_.begin());
  }
}

}  // namespace exchange
