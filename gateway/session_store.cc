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

#include <algorithm>

#include "base/crc32c.h"

namespace exchange::fix {

namespace {

constexpr std::string_view kFileMagic = "XFIXST01";
constexpr std::size_t kRecordHeaderBytes = 17;
constexpr std::uint32_t kMaxPayload = 1 << 20;  // our messages are far smaller

enum RecordType : std::uint8_t {
  kSentApplication = 1,
  kSentAdmin = 2,
  kNextIncoming = 3,
};

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

}  // namespace

SessionStore::SessionStore(std::string path) : file_(std::move(path), "FIX session store") {
  Load();
}

SessionStore::~SessionStore() = default;

void SessionStore::Fail(const std::string& what) const {
  file_.Fail(what);
}

void SessionStore::Load() {
  const std::uint64_t size = file_.size();
  const std::string_view magic = file_.Read(0, kFileMagic.size());
  if (magic != kFileMagic) {
    // Empty, or a header torn while being created: start afresh.
    if (size < kFileMagic.size() && kFileMagic.substr(0, magic.size()) == magic) {
      dropped_bytes_ = size;
      file_.Truncate(0);
      WriteFileHeader();
      return;
    }
    Fail("not a FIX session store (bad file header)");
  }

  std::uint64_t offset = kFileMagic.size();
  while (offset < size) {
    const std::string_view header = file_.Read(offset, kRecordHeaderBytes);
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
        const std::string_view payload = file_.Read(offset + kRecordHeaderBytes, h.length);
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
    dropped_bytes_ = file_.EndAt(offset, torn, damage);
    return;
  }
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

void SessionStore::WriteFileHeader() {
  file_.Append(kFileMagic);
}

void SessionStore::AppendRecord(std::uint8_t type, std::uint64_t seq, std::string_view payload) {
  record_.clear();
  record_.push_back(static_cast<char>(type));
  PutLe(record_, seq, 8);
  PutLe(record_, payload.size(), 4);
  PutLe(record_, RecordCrc(record_, payload), 4);
  record_.append(payload);
  file_.Append(record_);
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
  const std::uint64_t payload_offset = file_.size() + kRecordHeaderBytes;
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
    file_.ReadExact(it->offset - kRecordHeaderBytes, kRecordHeaderBytes + it->length, record);
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
  file_.Truncate(0);
  index_.clear();
  next_outgoing_ = 1;
  next_incoming_ = 1;
  WriteFileHeader();
}

}  // namespace exchange::fix
