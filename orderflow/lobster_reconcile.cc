// Replayer's reconciliation of its book with the order-book rows (the rules
// are in lobster_replayer.h, above Beyond()), and its own book as a row.
#include <algorithm>
#include <utility>

#include "orderflow/lobster_replayer.h"

namespace exchange::lobster {
namespace {

// The visible levels of one side of a row, best first.
std::vector<std::pair<Price, Quantity>> RowSide(const LobsterBookRow& row, Side side) {
  std::vector<std::pair<Price, Quantity>> out;
  for (const LobsterLevel& l : row) {
    const Price price = side == Side::kSell ? l.ask_price : l.bid_price;
    if (price == AllVisibleEdge(side)) break;  // the empty-level sentinel
    out.emplace_back(price, side == Side::kSell ? l.ask_size : l.bid_size);
  }
  return out;
}

// The edge of a row's visible range on one side (rule 1).
Price VisibleEdge(const LobsterBookRow& row, Side side) {
  const auto levels = RowSide(row, side);
  return levels.size() < row.size() ? AllVisibleEdge(side) : levels.back().first;
}

}  // namespace

// ---- reconciliation (the rules are above Beyond())

void Replayer::Reconcile(const LobsterBookRow& row, std::size_t stamp) {
  stamp_ = stamp;
  const std::vector<LevelGap> asks = Gaps(row, Side::kSell);
  const std::vector<LevelGap> bids = Gaps(row, Side::kBuy);
  if (!halted_) {
    for (const LevelGap& g : asks) {
      TakeOffExcess(Side::kSell, g);
    }
    for (const LevelGap& g : bids) {
      TakeOffExcess(Side::kBuy, g);
    }
    for (const LevelGap& g : asks) {
      AddShortfall(Side::kSell, g);
    }
    for (const LevelGap& g : bids) {
      AddShortfall(Side::kBuy, g);
    }
  }
  Settle(Side::kSell, VisibleEdge(row, Side::kSell), asks);
  Settle(Side::kBuy, VisibleEdge(row, Side::kBuy), bids);
}

// The visible prices (rule 1) where the book differs from the row.
std::vector<LevelGap> Replayer::Gaps(const LobsterBookRow& row, Side side) const {
  const Price edge = VisibleEdge(row, side);
  std::map<Price, Quantity> want;
  for (const auto& [price, qty] : RowSide(row, side)) {
    want[price] = qty;
  }
  for (const DepthLevel& l : DepthWithin(side, edge)) {
    want.try_emplace(l.price, 0);  // in the book, not in the row
  }
  std::vector<LevelGap> gaps;
  for (const auto& [price, qty] : want) {
    if (LevelQuantity(side, price) != qty) gaps.push_back(LevelGap{price, qty});
  }
  return gaps;
}

// The book's levels on one side that are not beyond `edge`, best first.
std::vector<DepthLevel> Replayer::DepthWithin(Side side, Price edge) const {
  for (std::size_t n = 16;; n *= 2) {
    std::vector<DepthLevel> levels = engine_.Depth(symbol_, side, n);
    const auto beyond = std::find_if(levels.begin(), levels.end(), [&](const DepthLevel& l) {
      return Beyond(side, l.price, edge);
    });
    if (beyond != levels.end() || levels.size() < n) {
      levels.erase(beyond, levels.end());
      return levels;
    }
  }
}

void Replayer::TakeOffExcess(Side side, const LevelGap& gap) {
  Quantity excess = LevelQuantity(side, gap.price) - gap.want;
  for (const RestingRef& r : RemovalOrder(side, gap.price, excess)) {
    if (excess <= 0) break;
    const Quantity take = std::min(r.leaves, excess);
    Reduce(r, take);
    stats_.reconciled_qty += take;
    excess -= take;
  }
}

void Replayer::AddShortfall(Side side, const LevelGap& gap) {
  const Quantity shortfall = gap.want - LevelQuantity(side, gap.price);
  const auto last = HistoryOf(side).LastBeyondSinceAgreed(gap.price);
  if (shortfall <= 0 || !last || WouldCross(side, gap.price)) return;
  AddSyntheticAhead(side, gap.price, shortfall, *last);
}

// Records the row in the side's history once reconciled: visible prices that
// now agree are no longer doubtful; doubtful ones that still differ stay so.
void Replayer::Settle(Side side, Price edge, const std::vector<LevelGap>& gaps) {
  SideHistory& history = HistoryOf(side);
  std::map<Price, std::size_t> unsettled;
  for (const LevelGap& g : gaps) {
    if (LevelQuantity(side, g.price) == g.want) continue;
    if (const auto last = history.LastBeyondSinceAgreed(g.price)) unsettled[g.price] = *last;
  }
  history.AddRow(stamp_, edge, std::move(unsettled));
}

const OrderStamps& Replayer::StampsOf(const RestingRef& order) const {
  return order.account == kSyntheticAccount ? synthetic_stamps_[order.id - 1]
                                            : known_stamps_[order.account - kFirstOrderAccount];
}

OrderStamps& Replayer::StampsOf(const RestingRef& order) {
  return const_cast<OrderStamps&>(std::as_const(*this).StampsOf(order));
}

// True when the order's price was invisible since the replay last saw it.
bool Replayer::Doubtful(Side side, const RestingRef& order) const {
  const auto last = HistoryOf(side).LastBeyond(order.price);
  return last && *last >= StampsOf(order).seen;
}

// The doubtful orders at a price, in the order they are taken off to remove
// `excess` (rule 2).
std::vector<RestingRef> Replayer::RemovalOrder(Side side, Price price, Quantity excess) const {
  std::vector<RestingRef> out;
  for (const RestingRef& r : OrdersAt(side, price, /*synthetic=*/true)) {
    if (!Doubtful(side, r)) continue;
    out.push_back(r);
    excess -= r.leaves;
  }
  std::vector<RestingRef> known = OrdersAt(side, price, /*synthetic=*/false);
  std::erase_if(known, [&](const RestingRef& r) { return !Doubtful(side, r); });
  std::stable_sort(known.begin(), known.end(), [&](const RestingRef& a, const RestingRef& b) {
    return StampsOf(a).seen < StampsOf(b).seen;
  });
  const auto exact = std::find_if(known.begin(), known.end(),
                                  [&](const RestingRef& r) { return r.leaves == excess; });
  if (exact != known.end()) std::rotate(known.begin(), exact, exact + 1);
  out.insert(out.end(), known.begin(), known.end());
  return out;
}

Quantity Replayer::LevelQuantity(Side side, Price price) const {
  const PriceLevel* level = engine_.book(symbol_).side(side).Find(price);
  return level ? level->displayed : 0;
}

// True when a resting order at `price` would trade with the other side.
bool Replayer::WouldCross(Side side, Price price) const {
  const PriceLevel* best = engine_.book(symbol_).side(Opposite(side)).Best();
  if (best == nullptr) return false;
  return side == Side::kSell ? best->price >= price : best->price <= price;
}

LobsterBookRow Replayer::Top(std::size_t levels) const {
  const std::vector<DepthLevel> asks = engine_.Depth(symbol_, Side::kSell, levels);
  const std::vector<DepthLevel> bids = engine_.Depth(symbol_, Side::kBuy, levels);
  LobsterBookRow row(levels, LobsterLevel{kLobsterEmptyAsk, 0, kLobsterEmptyBid, 0});
  for (std::size_t i = 0; i < asks.size(); ++i) {
    row[i].ask_price = asks[i].price;
    row[i].ask_size = asks[i].quantity;
  }
  for (std::size_t i = 0; i < bids.size(); ++i) {
    row[i].bid_price = bids[i].price;
    row[i].bid_size = bids[i].quantity;
  }
  return row;
}

}  // namespace exchange::lobster
