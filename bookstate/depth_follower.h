// DepthFollower: a client-side book kept from a snapshot (BookStateReader)
// plus the deltas of the symbol's depth stream (book:{S}:depth), applying
// the sync rule of BookStateWriter: drop deltas with last <= the snapshot's
// sequence; the first applied needs prev <= that sequence, each later one
// prev == the last of the one before; a reset delta replaces the book;
// anything else is a gap, after which the follower needs a new snapshot.
//
// Plain value type; one thread.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bookstate/book_view.h"
#include "bookstate/view_keys.h"

namespace exchange::bookstate {

struct DepthDelta {
  Sequence first = 0, last = 0, prev = 0;
  Timestamp time = 0;  // engine time of its newest event (0 when not written)
  bool reset = false;
  std::vector<DecodedLevel> bids, asks;  // quantity 0: the level is gone
};

// A stream entry's field/value pairs → a delta; nullopt when malformed.
std::optional<DepthDelta> ParseDepthDelta(
    const std::vector<std::pair<std::string_view, std::string_view>>& fields);

class DepthFollower {
 public:
  enum class Result { kApplied, kDropped, kGap };

  // Starts (again) from a snapshot read with every level (levels 0).
  void Start(Sequence sequence, const std::vector<DecodedLevel>& bids,
             const std::vector<DecodedLevel>& asks);
  // A follower that has not started, or hit a gap, applies only resets.
  Result Apply(const DepthDelta& delta);

  bool synced() const { return synced_; }
  Sequence sequence() const { return sequence_; }
  const std::map<Price, LevelValue, std::greater<>>& bids() const { return bids_; }
  const std::map<Price, LevelValue>& asks() const { return asks_; }

 private:
  void Set(const std::vector<DecodedLevel>& bids, const std::vector<DecodedLevel>& asks);

  bool synced_ = false;
  bool applied_any_ = false;  // since the snapshot
  Sequence sequence_ = 0;     // the snapshot's, then the last applied delta's `last`
  std::map<Price, LevelValue, std::greater<>> bids_;
  std::map<Price, LevelValue> asks_;
};

}  // namespace exchange::bookstate
