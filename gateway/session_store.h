// SessionStore: what one FIX session must remember across connections and
// gateway restarts: the next MsgSeqNum it sends, the next it expects, and
// every application message it sent (to answer a ResendRequest).
//
// One append-only file per session (`<dir>/<name>.fixstore`): records of
// "sent application message", "sent admin message" (a sequence number used,
// nothing to resend) and "next incoming". Opening reads it back; a torn
// record at the end (a crash mid-write) is cut off. Writes go to the file
// (the page cache) before the message goes to the socket, so a gateway crash
// never reuses a sequence number the peer has seen; an operating-system crash
// may lose the last records (no fsync: see README.md, "FIX gateway").
// The messages themselves are read back from the file on resend; memory
// holds only an index (offset per sequence number). Records are buffered
// until Flush(), so that an I/O round's records cost one write: the owner
// (FixServer::FlushStores) flushes before anything they describe leaves the
// process (a message to the socket, a command to RabbitMQ), which keeps the
// rule above. The file format is
// described in session_store.cc. The file is locked (flock) while open: a
// second SessionStore on the same path, in this process or another, fails.
//
// Owned by its FixSession; used on the gateway's I/O thread only.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/record_file.h"

namespace exchange::fix {

using SessionStoreError = RecordFileError;

class SessionStore {
 public:
  // Opens or creates the file. Throws SessionStoreError naming the path and
  // the reason (unreadable, corrupt before the last record, in use, …).
  // Every other method throws SessionStoreError on an I/O error.
  explicit SessionStore(std::string path);
  ~SessionStore();
  SessionStore(const SessionStore&) = delete;
  SessionStore& operator=(const SessionStore&) = delete;

  std::uint64_t next_outgoing() const { return next_outgoing_; }
  std::uint64_t next_incoming() const { return next_incoming_; }

  // Records that message `seq` (== next_outgoing()) was sent, and advances
  // next_outgoing. `application`: kept for resend; admin messages (which a
  // resend replaces by a gap fill) only use up their number.
  void RecordOutgoing(std::uint64_t seq, std::string_view message, bool application);
  void SetNextIncoming(std::uint64_t seq);

  // The stored application messages with begin <= seq <= end (end 0: no
  // upper bound), in order, read back from the file.
  std::vector<std::pair<std::uint64_t, std::string>> Outgoing(std::uint64_t begin,
                                                              std::uint64_t end);

  // Writes the buffered records to the file (the page cache), one write.
  void Flush();
  bool has_unwritten() const { return !unwritten_.empty(); }

  // Both numbers back to 1, stored messages dropped (ResetSeqNumFlag).
  void Reset();

  const std::string& path() const { return file_.path(); }
  // Bytes of a torn tail cut off when the file was opened (0: clean), for
  // the owner's log.
  std::uint64_t dropped_bytes() const { return dropped_bytes_; }

 private:
  void Load();
  void Apply(std::uint8_t type, std::uint64_t seq, std::uint64_t payload_offset,
             std::uint32_t length);
  void AppendRecord(std::uint8_t type, std::uint64_t seq, std::string_view payload);
  [[noreturn]] void Fail(const std::string& what) const;

  RecordFile file_;
  std::uint64_t next_outgoing_ = 1;
  std::uint64_t next_incoming_ = 1;
  std::uint64_t dropped_bytes_ = 0;
  std::string unwritten_;  // records appended since the last Flush()
  // (seq, offset of the message bytes, length), ascending by seq.
  struct Stored {
    std::uint64_t seq;
    std::uint64_t offset;
    std::uint32_t length;
  };
  std::vector<Stored> index_;
};

}  // namespace exchange::fix
