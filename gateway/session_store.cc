// SessionStore: one append-only file per FIX session.
//
// On disk: an 8-byte file header "XFIXST01", then records in the record-log
// format (base/record_log.h) with a 9-byte key, little-endian:
//   u8 type (1 sent application message, 2 sent admin message, 3 next
//   incoming), u64 seq
// and the payload (the message bytes, type 1 only). Opening replays the
// records; damage is treated as RecordFile::LoadRecords says: a torn tail
// is cut off, anything else is an error.
#include "gateway/session_store.h"

#include <algorithm>

#include "base/byte_io.h"

namespace exchange::fix {

namespace {

constexpr std::string_view kFileMagic = "XFIXST01";
constexpr RecordFormat kFormat{.key_bytes = 9,
                               .max_payload = 1 << 20};  // our messages are far smaller
constexpr std::size_t kRecordHeaderBytes = kFormat.header_bytes();

enum RecordType : std::uint8_t {
  kSentApplication = 1,
  kSentAdmin = 2,
  kNextIncoming = 3,
};

// The record key: its type and MsgSeqNum.
struct RecordKey {
  std::uint8_t type = 0;
  std::uint64_t seq = 0;
};

RecordKey DecodeKey(std::string_view key) {
  ByteReader r(key);
  RecordKey k;
  k.type = r.U8();
  k.seq = r.U64();
  return k;
}

bool HeaderPlausible(std::string_view key, std::uint32_t length) {
  const RecordKey k = DecodeKey(key);
  switch (k.type) {
    case kSentApplication: return k.seq > 0;
    case kSentAdmin:
    case kNextIncoming: return length == 0 && k.seq > 0;
    default: return false;
  }
}

}  // namespace

SessionStore::SessionStore(std::string path) : file_(std::move(path), "FIX session store") {
  Load();
}

SessionStore::~SessionStore() {
  // Owners flush (and report a failure) before; this is the last resort of a
  // store used without one, where a destructor has no one to tell.
  try {
    Flush();
  } catch (const RecordFileError&) {
  }
}

void SessionStore::Fail(const std::string& what) const {
  file_.Fail(what);
}

void SessionStore::Load() {
  dropped_bytes_ = file_.LoadRecords(
      kFileMagic, kFormat,
      [this](const RecordScanner& record) {
        const RecordKey k = DecodeKey(record.key());
        Apply(k.type, k.seq, record.payload_offset(),
              static_cast<std::uint32_t>(record.payload().size()));
      },
      HeaderPlausible);
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

void SessionStore::AppendRecord(std::uint8_t type, std::uint64_t seq, std::string_view payload) {
  std::string key;
  ByteWriter w(key);
  w.U8(type);
  w.U64(seq);
  exchange::AppendRecord(kFormat, key, payload, unwritten_);
}

void SessionStore::Flush() {
  if (unwritten_.empty()) return;
  file_.Append(unwritten_);
  unwritten_.clear();
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
  if (application && message.size() > kFormat.max_payload) {
    Fail("message of " + std::to_string(message.size()) + " bytes is too large to store");
  }
  const std::uint64_t payload_offset = file_.size() + unwritten_.size() + kRecordHeaderBytes;
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
                                                                          std::uint64_t end) {
  Flush();
  std::vector<std::pair<std::uint64_t, std::string>> out;
  auto it = std::lower_bound(index_.begin(), index_.end(), begin,
                             [](const Stored& s, std::uint64_t seq) { return s.seq < seq; });
  std::string record;
  for (; it != index_.end() && (end == 0 || it->seq <= end); ++it) {
    // The whole record, so its checksum is checked again.
    file_.ReadExact(it->offset - kRecordHeaderBytes, kRecordHeaderBytes + it->length, record);
    const std::string_view view(record);
    RecordScanner scanner(
        kFormat, [view](std::uint64_t at, std::size_t n) { return view.substr(at, n); }, 0,
        view.size());
    if (!scanner.Next()) {
      Fail("stored message " + std::to_string(it->seq) + " fails its checksum");
    }
    out.emplace_back(it->seq, std::string(scanner.payload()));
  }
  return out;
}

void SessionStore::Reset() {
  unwritten_.clear();
  file_.Truncate(0);
  file_.Append(kFileMagic);
  index_.clear();
  next_outgoing_ = 1;
  next_incoming_ = 1;
}

}  // namespace exchange::fix
