// SessionStore: one append-only file per FIX session.
//
// On disk: an 8-byte file header "XFIXST01", then records, all little-endian:
//   u8 type (1 sent application message, 2 sent admin message, 3 next incoming)
//   u64 seq, u32 payload length, u32 CRC-32C of the 13 bytes before it and
//   the payload, then the payload (the message bytes, type 1 only).
// Opening replays the records; a torn record at the end (incomplete, or the
// last record with a bad checksum, or a tail of zero bytes) is cut off; any
// other damage is an error.
#include "gateway/session_store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

namespace exchange::fix {

namespace {

constexpr std::string_view kFileMagic = "XFIXST01";
constexpr std::size_t kRecordHeaderBytes = 17;
constexpr std::uint32_t kMaxPayload = 1 << 20;  // our messages are far smaller
constexpr std::size_t kReadChunk = 1 << 20;

enum RecordType : std::uint8_t {
  kSentApplication = 1,
  kSentAdmin = 2,
  kNextIncoming = 3,
};

// CRC-32C (Castagnoli), table-driven.
constexpr std::array<std::uint32_t, 256> MakeCrcTable() {
  std::array<std::uint32_t, 256> table{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t c = i;
    for (int k = 0; k < 8; ++k)
      c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
    table[i] = c;
  }
  return table;
}
constexpr std::array<std::uint32_t, 256> kCrcTable = MakeCrcTable();

std::uint32_t Crc32c(std::string_view bytes, std::uint32_t crc = 0) {
  crc = ~crc;
  for (char ch : bytes)
    crc = kCrcTable[(crc ^ static_cast<std::uint8_t>(ch)) & 0xFF] ^ (crc >> 8);
  return ~crc;
}

void PutLe(std::string& out, std::uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i)
    out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

std::uint64_t GetLe(std::string_view in, std::size_t at, int bytes) {
  std::uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; --i)
    v = (v << 8) | static_cast<std::uint8_t>(in[at + static_cast<std::size_t>(i)]);
  return v;
}

// The record header fields; `crc` covers the first 13 header bytes and the payload.
struct RecordHeader {
  std::uint8_t type = 0;
  std::uint64_t seq = 0;
  std::uint32_t length = 0;
  std::uint32_t crc = 0;
};

RecordHeader DecodeHeader(std::string_view h) {
  return RecordHeader{static_cast<std::uint8_t>(h[0]), GetLe(h, 1, 8),
                      static_cast<std::uint32_t>(GetLe(h, 9, 4)),
                      static_cast<std::uint32_t>(GetLe(h, 13, 4))};
}

bool HeaderPlausible(const RecordHeader& h) {
  switch (h.type) {
    case kSentApplication: return h.length <= kMaxPayload && h.seq > 0;
    case kSentAdmin:
    case kNextIncoming: return h.length == 0 && h.seq > 0;
    default: return false;
  }
}

std::uint32_t RecordCrc(std::string_view header, std::string_view payload) {
  return Crc32c(payload, Crc32c(header.substr(0, 13)));
}

std::string ErrnoText() {
  return std::strerror(errno);
}

// Sequential reads through a window of the file (pread, no seeking state).
class ChunkReader {
 public:
  ChunkReader(int fd, const std::string& path, std::uint64_t size)
      : fd_(fd), path_(path), size_(size) {}

  // The `n` bytes at `offset`, fewer when the file ends first.
  std::string_view Read(std::uint64_t offset, std::size_t n) {
    if (offset < start_ || offset + n > start_ + buffer_.size()) Fill(offset, n);
    const std::size_t at = static_cast<std::size_t>(offset - start_);
    if (at >= buffer_.size()) return {};
    return std::string_view(buffer_).substr(at, n);
  }

 private:
  void Fill(std::uint64_t offset, std::size_t n) {
    const std::uint64_t left = offset < size_ ? size_ - offset : 0;
    const std::size_t want = static_cast<std::size_t>(
        std::min<std::uint64_t>(left, std::max<std::uint64_t>(n, kReadChunk)));
    buffer_.resize(want);
    std::size_t done = 0;
    while (done < want) {
      const ssize_t got =
          ::pread(fd_, buffer_.data() + done, want - done, static_cast<off_t>(offset + done));
      if (got < 0 && errno == EINTR) continue;
      if (got < 0)
        throw SessionStoreError("cannot read FIX session store " + path_ + ": " + ErrnoText());
      if (got == 0) break;  // shorter than fstat said: treated as the end
      done += static_cast<std::size_t>(got);
    }
    buffer_.resize(done);
    start_ = offset;
  }

  int fd_;
  const std::string& path_;
  std::uint64_t size_;
  std::uint64_t start_ = 0;
  std::string buffer_;
};

// A crash of the machine may leave the file longer than what was written,
// filled with zeros: that is a torn tail too.
bool ZerosFrom(ChunkReader& reader, std::uint64_t offset, std::uint64_t size) {
  while (offset < size) {
    const std::string_view chunk = reader.Read(
        offset, static_cast<std::size_t>(std::min<std::uint64_t>(size - offset, kReadChunk)));
    if (chunk.empty()) return true;
    if (chunk.find_first_not_of('\0') != std::string_view::npos) return false;
    offset += chunk.size();
  }
  return true;
}

}  // namespace

SessionStore::SessionStore(std::string path) : path_(std::move(path)) {
  fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0)
    throw SessionStoreError("cannot open FIX session store " + path_ + ": " + ErrnoText());
  try {
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      const bool busy = errno == EWOULDBLOCK;
      throw SessionStoreError("cannot lock FIX session store " + path_ + ": " +
                              (busy ? std::string("in use by another SessionStore") : ErrnoText()));
    }
    Load();
  } catch (...) {
    ::close(fd_);
    fd_ = -1;
    throw;
  }
}

SessionStore::~SessionStore() {
  if (fd_ >= 0) ::close(fd_);  // also releases the lock
}

void SessionStore::Fail(const std::string& what) const {
  throw SessionStoreError("FIX session store " + path_ + ": " + what);
}

void SessionStore::Load() {
  struct stat st {};
  if (::fstat(fd_, &st) != 0) Fail("fstat: " + ErrnoText());
  const auto size = static_cast<std::uint64_t>(st.st_size);
  ChunkReader reader(fd_, path_, size);

  const std::string_view magic = reader.Read(0, kFileMagic.size());
  if (magic != kFileMagic) {
    // Empty, or a header torn while being created: start afresh.
    if (size < kFileMagic.size() && kFileMagic.substr(0, magic.size()) == magic) {
      dropped_bytes_ = size;
      Truncate(0);
      WriteFileHeader();
      return;
    }
    Fail("not a FIX session store (bad file header)");
  }

  std::uint64_t offset = kFileMagic.size();
  while (offset < size) {
    const std::string_view header = reader.Read(offset, kRecordHeaderBytes);
    std::string damage;
    bool torn = false;
    if (header.size() < kRecordHeaderBytes) {
      damage = "torn record header";
      torn = true;
    } else {
      const RecordHeader h = DecodeHeader(header);
      if (!HeaderPlausible(h)) {
        damage = "impossible record header";
      } else {
        const std::string header_copy(header);  // the next Read may move the window
        const std::string_view payload = reader.Read(offset + kRecordHeaderBytes, h.length);
        if (payload.size() < h.length) {
          damage = "torn record";
          torn = true;
        } else if (RecordCrc(header_copy, payload) != h.crc) {
          damage = "record checksum mismatch";
          torn = offset + kRecordHeaderBytes + h.length == size;  // the last record
        } else {
          Apply(h.type, h.seq, offset + kRecordHeaderBytes, h.length);
          offset += kRecordHeaderBytes + h.length;
          continue;
        }
      }
    }
    if (!torn && !ZerosFrom(reader, offset, size)) {
      std::string what = damage;
      what += " at byte ";
      what += std::to_string(offset);
      what += " with ";
      what += std::to_string(size - offset);
      what += " bytes after it (corrupt before the last record)";
      Fail(what);
    }
    dropped_bytes_ = size - offset;
    Truncate(offset);
    return;
  }
  file_size_ = size;
}

void SessionStore::Apply(std::uint8_t type, std::uint64_t seq, std::uint64_t payload_offset,
                         std::uint32_t length) {
  if (type == kNextIncoming) {
    next_incoming_ = seq;
    return;
  }
  if (seq != next_outgoing_) {
    std::string what = "sent message record with MsgSeqNum ";
    what += std::to_string(seq);
    what += " where ";
    what += std::to_string(next_outgoing_);
    what += " was next (corrupt)";
    Fail(what);
  }
  if (type == kSentApplication) index_.push_back(Stored{seq, payload_offset, length});
  next_outgoing_ = seq + 1;
}

void SessionStore::Truncate(std::uint64_t size) {
  if (::ftruncate(fd_, static_cast<off_t>(size)) != 0) {
    const std::string cause = ErrnoText();
    Fail("cannot cut the file to " + std::to_string(size) + " bytes: " + cause);
  }
  file_size_ = size;
}

void SessionStore::WriteFileHeader() {
  Append(kFileMagic);
}

void SessionStore::AppendRecord(std::uint8_t type, std::uint64_t seq, std::string_view payload) {
  record_.clear();
  record_.push_back(static_cast<char>(type));
  PutLe(record_, seq, 8);
  PutLe(record_, payload.size(), 4);
  PutLe(record_, RecordCrc(record_, payload), 4);
  record_.append(payload);
  Append(record_);
}

// Writes at the end of what is known good; a failed write is cut back off so
// the file never keeps a torn record in front of later ones.
void SessionStore::Append(std::string_view record) {
  std::size_t done = 0;
  while (done < record.size()) {
    const ssize_t n = ::pwrite(fd_, record.data() + done, record.size() - done,
                               static_cast<off_t>(file_size_ + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      std::string cause = n < 0 ? ErrnoText() : std::string("wrote nothing");
      if (::ftruncate(fd_, static_cast<off_t>(file_size_)) != 0) {
        cause += "; cutting the partial record off failed too: ";
        cause += ErrnoText();
      }
      Fail("write failed: " + cause);
    }
    done += static_cast<std::size_t>(n);
  }
  file_size_ += record.size();
}

void SessionStore::RecordOutgoing(std::uint64_t seq, std::string_view message, bool application) {
  if (seq != next_outgoing_) {
    std::string what = "RecordOutgoing of MsgSeqNum ";
    what += std::to_string(seq);
    what += " but ";
    what += std::to_string(next_outgoing_);
    what += " is next";
    Fail(what);
  }
  if (application && message.size() > kMaxPayload) {
    Fail("message of " + std::to_string(message.size()) + " bytes is too large to store");
  }
  const std::uint64_t payload_offset = file_size_ + kRecordHeaderBytes;
  AppendRecord(application ? kSentApplication : kSentAdmin, seq,
               application ? message : std::string_view());
  if (application) {
    index_.push_back(Stored{seq, payload_offset, static_cast<std::uint32_t>(message.size())});
  }
  next_outgoing_ = seq + 1;
}

void SessionStore::SetNextIncoming(std::uint64_t seq) {
  if (seq == 0) Fail("SetNextIncoming(0): sequence numbers start at 1");
  if (seq == next_incoming_) return;
  AppendRecord(kNextIncoming, seq, {});
  next_incoming_ = seq;
}

std::vector<std::pair<std::uint64_t, std::string>> SessionStore::Outgoing(std::uint64_t begin,
                                                                          std::uint64_t end) const {
  std::vector<std::pair<std::uint64_t, std::string>> out;
  auto it = std::lower_bound(index_.begin(), index_.end(), begin,
                             [](const Stored& s, std::uint64_t seq) { return s.seq < seq; });
  std::string record;
  for (; it != index_.end() && (end == 0 || it->seq <= end); ++it) {
    // The whole record, so its checksum is checked again.
    record.resize(kRecordHeaderBytes + it->length);
    const std::uint64_t at = it->offset - kRecordHeaderBytes;
    std::size_t done = 0;
    while (done < record.size()) {
      const ssize_t n =
          ::pread(fd_, record.data() + done, record.size() - done, static_cast<off_t>(at + done));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        const std::string cause = n < 0 ? ErrnoText() : std::string("file ends early");
        Fail("cannot read stored message " + std::to_string(it->seq) + ": " + cause);
      }
      done += static_cast<std::size_t>(n);
    }
    const std::string_view view(record);
    const std::string_view payload = view.substr(kRecordHeaderBytes);
    if (RecordCrc(view, payload) != DecodeHeader(view).crc) {
      Fail("stored message " + std::to_string(it->seq) + " fails its checksum");
    }
    out.emplace_back(it->seq, std::string(payload));
  }
  return out;
}

void SessionStore::Reset() {
  Truncate(0);
  index_.clear();
  next_outgoing_ = 1;
  next_incoming_ = 1;
  WriteFileHeader();
}

}  // namespace exchange::fix
