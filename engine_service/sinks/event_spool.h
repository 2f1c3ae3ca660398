// EventSpool: a first-in first-out queue of engine events in a file, where
// the history sink parks the events it cannot turn into rows yet because
// PostgreSQL is away and the rows already waiting in memory reached their
// bound. Events are appended in batches, each a record of the record-log
// format (base/record_log.h) whose payload is a wire-format event batch
// (wire/FORMAT.md), and read back in order once the rows drain; when
// everything is read the file is removed.
//
// Not a durability mechanism: every spooled event is in the journal, which
// keeps what the history has not stored, so a restart removes the file and
// replays instead. A failed write (disk full) is reported and the events
// are kept in memory: nothing is lost.
//
// Owned by the history sink thread; one thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/record_file.h"
#include "wire/wire_format.h"

namespace exchange {

class EventSpool {
 public:
  // Removes what a previous run left at `path`.
  explicit EventSpool(std::string path);
  ~EventSpool();
  EventSpool(const EventSpool&) = delete;
  EventSpool& operator=(const EventSpool&) = delete;

  void Append(const wire::EventRecord& record);
  // Up to `max` of the oldest events, appended to `out` (and so gone from
  // the spool). Returns "" or what went wrong reading the file; the spool
  // is then unusable, and its owner must stop taking events from it (the
  // journal still has them; a restart replays them).
  std::string Take(std::size_t max, std::vector<wire::EventRecord>& out);

  bool empty() const { return count_ == 0; }
  std::uint64_t size() const { return count_; }
  std::uint64_t bytes_on_disk() const { return written_ - read_; }
  // The last write failure, "" if none since the spool was last empty.
  const std::string& write_problem() const { return write_problem_; }

 private:
  void Flush();
  std::string ReadBatch();
  void Reset();

  std::string path_;
  std::optional<RecordFile> file_;       // created at the first write
  std::vector<wire::EventRecord> tail_;  // appended, not yet written
  std::vector<wire::EventRecord> head_;  // read from the file, not yet taken
  std::size_t head_at_ = 0;
  std::uint64_t written_ = 0;  // file bytes written
  std::uint64_t read_ = 0;     // file bytes read
  std::uint64_t count_ = 0;    // events in the spool (file, tail, head)
  std::string batch_;          // an event batch being encoded
  std::string buffer_;         // its record
  std::string write_problem_;
};

}  // namespace exchange
