// OrderJournal: the gateway's open orders on disk, so that a gateway
// restarted after a stop or a crash still reports on the orders placed
// before it (fills, cancels, replaces of resting orders).
//
// One append-only file (`<data_dir>/orders.journal`, a RecordFile) of
// records "put" (an order's whole TrackedOrder state, replacing any earlier
// put of that order) and "erase" (the order is finished and forgotten).
// Opening replays it, cuts a torn tail off, and rewrites the file with only
// the live orders; while running, the file is rewritten again once dead
// records take more than 16 MiB and three quarters of it.
//
// Put() and Erase() only buffer; Flush() writes the buffered records in one
// append. The OrderRouter flushes before it submits a new order or an amend
// (so that an order the engine may know is on disk first), and the gateway
// after each batch of engine events, before the batch is acknowledged to
// RabbitMQ. A report is written to the session store before its order's
// journal record, so a crash between the two repeats that report after the
// restart (same ExecID) rather than losing it.
//
// Owned by the gateway (gateway_main.cc); I/O thread only.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/record_file.h"
#include "gateway/tracked_order.h"

namespace exchange::fix {

using OrderJournalError = RecordFileError;

// An order read back from the journal: its state, and the names that find
// its owner and instrument again (TrackedOrder's pointers are null).
struct JournaledOrder {
  std::string owner;  // OrderOwner::name(): a FIX session's SessionConfig::name
  std::string symbol;
  TrackedOrder order;
};

class OrderJournal {
 public:
  // Opens or creates the file and compacts it. Throws OrderJournalError
  // naming the path and the reason (unreadable, corrupt before the last
  // record, in use, …); every other method throws it on an I/O error.
  explicit OrderJournal(std::string path);

  // The orders open when the file was opened, ascending by id (once; the
  // second call returns nothing).
  std::vector<JournaledOrder> TakeLoaded();
  // Bytes of a torn tail cut off at open (0: clean), for the owner's log.
  std::uint64_t dropped_bytes() const { return dropped_bytes_; }

  // `order` (its owner and instrument set) as it is now.
  void Put(const TrackedOrder& order);
  void Erase(ClientOrderId id);
  void Flush();

  std::size_t live_orders() const { return live_.size(); }
  std::uint64_t file_bytes() const { return file_.size(); }
  const std::string& path() const { return file_.path(); }

 private:
  void Load();
  void Apply(std::uint8_t type, std::string_view payload);
  void AppendRecord(std::uint8_t type, std::string_view payload);
  void Compact();

  RecordFile file_;
  std::unordered_map<ClientOrderId, std::string> live_;  // id -> its put record's payload
  std::vector<JournaledOrder> loaded_;
  std::string buffer_;            // records not yet written
  std::string payload_;           // reused
  std::uint64_t live_bytes_ = 0;  // of the live orders' records
  std::uint64_t dropped_bytes_ = 0;
};

// The payload of a put record, and back (nullopt: malformed). Exposed for
// the tests.
std::string EncodeJournaledOrder(const JournaledOrder& order);
std::optional<JournaledOrder> DecodeJournaledOrder(std::string_view payload);

}  // namespace exchange::fix
