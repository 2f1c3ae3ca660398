#include "md/feed/depth_pace.h"

#include <algorithm>

namespace exchange::md {

void DepthPace::Start(Sequence sequence) {
  bids_.clear();
  asks_.clear();
  sent_u_ = sequence;
  time_ = 0;
}

void DepthPace::Touch(const bookstate::DepthDelta& delta) {
  for (const auto& level : delta.bids)
    bids_.insert(level.price);
  for (const auto& level : delta.asks)
    asks_.insert(level.price);
  time_ = std::max(time_, delta.time);
}

void DepthPace::TouchAll(const bookstate::DepthFollower& book) {
  for (const auto& [price, value] : book.bids())
    bids_.insert(price);
  for (const auto& [price, value] : book.asks())
    asks_.insert(price);
}

std::optional<DepthUpdate> DepthPace::Take(const bookstate::DepthFollower& book, Timestamp now) {
  if (book.sequence() <= sent_u_) {
    // Not moved (a new snapshot at the same sequence is the same book).
    bids_.clear();
    asks_.clear();
    return std::nullopt;
  }
  DepthUpdate update;
  update.prev = sent_u_;
  update.first = sent_u_ + 1;
  update.last = book.sequence();
  update.time = time_ != 0 ? time_ : now;
  for (Price price : bids_) {
    const auto it = book.bids().find(price);
    update.bids.push_back({price, it == book.bids().end() ? bookstate::LevelValue{} : it->second});
  }
  for (Price price : asks_) {
    const auto it = book.asks().find(price);
    update.asks.push_back({price, it == book.asks().end() ? bookstate::LevelValue{} : it->second});
  }
  bids_.clear();
  asks_.clear();
  time_ = 0;
  sent_u_ = update.last;
  return update;
}

}  // namespace exchange::md
