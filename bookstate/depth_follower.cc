#include "bookstate/depth_follower.h"

namespace exchange::bookstate {

namespace {

bool ParseLevelList(std::string_view list, std::vector<DecodedLevel>& out) {
  while (!list.empty()) {
    const std::size_t comma = list.find(',');
    const auto level = ParseLevelMember(list.substr(0, comma));
    if (!level) return false;
    out.push_back(*level);
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return true;
}

}  // namespace

std::optional<DepthDelta> ParseDepthDelta(
    const std::vector<std::pair<std::string_view, std::string_view>>& fields) {
  DepthDelta d;
  int seen = 0;
  for (const auto& [name, value] : fields) {
    if (name == "first" || name == "last" || name == "prev") {
      const auto v = ParseInt<Sequence>(value);
      if (!v) return std::nullopt;
      (name == "first" ? d.first : name == "last" ? d.last : d.prev) = *v;
      ++seen;
    } else if (name == "bids" || name == "asks") {
      if (!ParseLevelList(value, name == "bids" ? d.bids : d.asks)) return std::nullopt;
      ++seen;
    } else if (name == "time") {
      const auto v = ParseInt<Timestamp>(value);
      if (!v) return std::nullopt;
      d.time = *v;
    } else if (name == "reset") {
      d.reset = value == "1";
    }
  }
  if (seen != 5) return std::nullopt;
  return d;
}

void DepthFollower::Set(const std::vector<DecodedLevel>& bids,
                        const std::vector<DecodedLevel>& asks) {
  for (const auto& l : bids) {
    if (l.value.quantity == 0 && l.value.orders == 0) {
      bids_.erase(l.price);
    } else {
      bids_[l.price] = l.value;
    }
  }
  for (const auto& l : asks) {
    if (l.value.quantity == 0 && l.value.orders == 0) {
      asks_.erase(l.price);
    } else {
      asks_[l.price] = l.value;
    }
  }
}

void DepthFollower::Start(Sequence sequence, const std::vector<DecodedLevel>& bids,
                          const std::vector<DecodedLevel>& asks) {
  bids_.clear();
  asks_.clear();
  Set(bids, asks);
  sequence_ = sequence;
  synced_ = true;
  applied_any_ = false;
}

DepthFollower::Result DepthFollower::Apply(const DepthDelta& d) {
  if (d.reset) {
    if (synced_ && d.last <= sequence_) return Result::kDropped;
    Start(d.last, d.bids, d.asks);
    applied_any_ = true;
    return Result::kApplied;
  }
  if (!synced_) return Result::kGap;
  if (d.last <= sequence_) return Result::kDropped;
  const bool continues = applied_any_ ? d.prev == sequence_ : d.prev <= sequence_;
  if (!continues) {
    synced_ = false;
    return Result::kGap;
  }
  Set(d.bids, d.asks);
  sequence_ = d.last;
  applied_any_ = true;
  return Result::kApplied;
}

}  // namespace exchange::bookstate
