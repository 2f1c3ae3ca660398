// DepthPace: one symbol's diff-depth stream at one update speed (@depth
// every 1000 ms, @depth@100ms every 100 ms, as Binance): the price levels
// touched since its last depthUpdate and the u that update ended at. The
// next update holds those levels as the follower's book has them then
// (quantity 0: gone), pu = the previous update's u, U = pu + 1 and u = the
// book's sequence. Sequences are a shard's, shared by its symbols, so a
// symbol's books change at some of them only; an update covers the whole
// range from the previous u on, and U = previous u + 1 holds as Binance's
// spot rule expects.
//
// A value in the feed's state of one symbol; the feed thread only.
#pragma once

#include <functional>
#include <optional>
#include <set>

#include "bookstate/depth_follower.h"
#include "md/ws/ws_messages.h"

namespace exchange::md {

class DepthPace {
 public:
  // Starts the chain at the book's `sequence` (nothing touched).
  void Start(Sequence sequence);
  // A delta the follower applied: its levels.
  void Touch(const bookstate::DepthDelta& delta);
  // Every level of the book (before and after a reset or a new snapshot:
  // the next update carries the difference).
  void TouchAll(const bookstate::DepthFollower& book);
  // The update since the last one, from `book`; nullopt when the book has
  // not moved. `now` is its time when no delta said one.
  std::optional<DepthUpdate> Take(const bookstate::DepthFollower& book, Timestamp now);

 private:
  std::set<Price, std::greater<>> bids_;
  std::set<Price> asks_;
  Sequence sent_u_ = 0;
  Timestamp time_ = 0;  // the newest delta's engine time
};

}  // namespace exchange::md
