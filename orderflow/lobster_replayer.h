// The LOBSTER replay's engine driver (orderflow/ internal: lobster.cc,
// lobster_replayer.cc and lobster_reconcile.cc only). Replayer replays
// LOBSTER messages one by one on a private Engine, recording every command,
// and reconciles its book with the file's rows by the rules below; the
// mapping of messages to commands is in lobster.h.
//
// One Replayer per replay, owned by the caller (ReplayLobster); one thread.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <unordered_map>
#include <utility>
#include <vector>

#include "engine/engine.h"
#include "orderflow/lobster.h"

namespace exchange::lobster {

// Accounts. One per LOBSTER order, so no two resting orders ever share one
// and self-trade prevention never triggers; the aggressor only sends IOCs,
// so it never rests either.
constexpr AccountId kAggressorAccount = 1;
constexpr AccountId kSyntheticAccount = 2;  // all synthetic liquidity
constexpr AccountId kFirstOrderAccount = 100;
constexpr Quantity kLot = 1;
// Large enough that MARKET protection never matters (the replay sends none).
constexpr std::int64_t kMarketProtectionTicks = 1'000'000;

// A resting order as seen in a price level, copied so it survives commands.
struct RestingRef {
  AccountId account = 0;
  ClientOrderId id = 0;
  Price price = 0;
  Quantity quantity = 0;  // total
  Quantity leaves = 0;
};

inline RestingRef RefOf(const Order& o) {
  return RestingRef{o.account, o.client_id, o.price, o.quantity, o.leaves};
}

// ---------------------------------------------------------------- reconciliation
//
// A LOBSTER file cannot show orders that predate it nor, in a level-N file,
// events deeper than N levels. Before each message the replay compares its
// book with the previous row (the state before the message) and reconciles
// only the differences such invisible events can explain:
//  1. Only visible prices are compared: per side, every price at least as
//     good as the row's N-th level price, or the whole side when the row
//     shows fewer than N levels there. Nothing beyond is touched.
//  2. A price is doubtful when it was beyond the visible range of some row
//     since it last agreed with a row (before the file nothing was visible:
//     the seed may be short). An order is doubtful when its price was beyond
//     the visible range of some row since the replay last saw the order:
//     when it entered, or when a message named it. A level that agrees with
//     a row does not vouch for its orders: an unseen cancel and an unseen
//     entry of the same size agree too.
//     - More at a visible price than the row shows: doubtful orders are
//       taken off, and only they. Synthetic ones go first (no message can
//       name them); then a known one exactly the size of what is left (one
//       unseen cancel explains it all); then the known ones the replay has
//       gone longest without seeing, front of the queue first. Which orders
//       Nasdaq cancelled unseen is unknown; this is the likeliest guess.
//     - Less at a doubtful price: the difference is added as synthetic
//       liquidity, queued behind the known orders that were at the price
//       when it was last invisible and ahead of those entered since (the
//       unseen entries came in between); never where it would cross.
//     - Any other difference (liquidity visible all along) is a real
//       mismatch: it stays, and shows in rows_equal.
//  3. Every unit added or taken off counts in reconciled_qty. Changes are
//     ordinary NewOrder / ReplaceOrder / CancelOrder commands in the command
//     list, stamped with the time of the row they reconcile to, so the list
//     replays the same on a fresh engine.
// Removals on both sides come before additions, so an addition never meets
// liquidity about to go. A halted book is not reconciled (it takes no orders).

// A price is beyond the visible range when it is worse than the edge (the
// row's N-th level price).
inline bool Beyond(Side side, Price price, Price edge) {
  return side == Side::kSell ? price > edge : price < edge;
}

// Edges with nothing beyond them, and with everything beyond them.
inline Price AllVisibleEdge(Side side) {
  return side == Side::kSell ? kLobsterEmptyAsk : kLobsterEmptyBid;
}
inline Price NoneVisibleEdge(Side side) {
  return side == Side::kSell ? 0 : kLobsterEmptyAsk;
}

// What one side of the rows showed, for rule 2. Rows get stamps: row i has
// stamp i + 1; stamp 0 is the time before the file, when nothing was visible.
class SideHistory {
 public:
  explicit SideHistory(Side side) : side_(side) { edges_.emplace_back(NoneVisibleEdge(side), 0); }

  // Records row `stamp`: its edge, and its visible prices that were doubtful
  // and still disagree after reconciliation.
  void AddRow(std::size_t stamp, Price edge, std::map<Price, std::size_t> unsettled) {
    // An edge at least as tight makes an older one redundant for LastBeyond.
    while (!edges_.empty() && Key(edges_.back().first) >= Key(edge)) {
      edges_.pop_back();
    }
    edges_.emplace_back(edge, stamp);
    unsettled_ = std::move(unsettled);
  }

  // The stamp of the last row `price` was beyond the visible range of.
  std::optional<std::size_t> LastBeyond(Price price) const {
    // Keys ascend (edges loosen) towards the back, and stamps grow.
    const auto it = std::partition_point(edges_.begin(), edges_.end(),
                                         [&](const auto& e) { return Key(e.first) < Key(price); });
    if (it == edges_.begin()) return std::nullopt;
    return std::prev(it)->second;
  }

  // The same, for a doubtful price only (beyond the visible range since it
  // last agreed with a row); nullopt for the others.
  std::optional<std::size_t> LastBeyondSinceAgreed(Price price) const {
    const auto& [edge, stamp] = edges_.back();  // the last row
    if (Beyond(side_, price, edge)) return stamp;
    const auto it = unsettled_.find(price);
    if (it == unsettled_.end()) return std::nullopt;
    return it->second;
  }

 private:
  std::int64_t Key(Price price) const { return side_ == Side::kSell ? price : -price; }

  Side side_;
  std::vector<std::pair<Price, std::size_t>> edges_;  // (edge, stamp), keys strictly ascending
  std::map<Price, std::size_t> unsettled_;  // doubtful visible prices of the last row, by stamp
};

// Row stamps of an order: when it entered the book, when the replay last saw
// it (entered, or named by a message).
struct OrderStamps {
  std::size_t entered = 0;
  std::size_t seen = 0;
};

// A visible price whose quantity differs from the row's.
struct LevelGap {
  Price price = 0;
  Quantity want = 0;  // the row's quantity
};

// Replays messages one by one on a private engine, recording every command.
class Replayer {
 public:
  explicit Replayer(const LobsterReplayConfig& config);

  // Seeds the book from the first row with the first message undone.
  void Seed(const LobsterMessage& first, const LobsterBookRow& row_after_first);
  // Brings the book to `row` (the state before the next message) as far as
  // the reconciliation rules allow; `stamp` is the row's index + 1.
  void Reconcile(const LobsterBookRow& row, std::size_t stamp);
  // `number` is the 1-based message number; it names the aggressor's IOC.
  void Apply(const LobsterMessage& m, std::size_t number);
  LobsterBookRow Top(std::size_t levels) const;

  LobsterStats& stats() { return stats_; }
  const Engine& engine() const { return engine_; }
  const InstrumentSpec& instrument() const { return instrument_; }
  std::vector<Command>& commands() { return commands_; }

 private:
  std::span<const Event> Send(CommandBody body, bool trades_expected = false);
  void Submit(const LobsterMessage& m);
  void PartialCancel(const LobsterMessage& m);
  void Delete(const LobsterMessage& m);
  void Execute(const LobsterMessage& m, std::size_t number);
  void Halt(const LobsterMessage& m);

  const Order* LiveOrder(std::uint64_t lobster_id) const;
  bool Known(std::uint64_t lobster_id) const { return accounts_.contains(lobster_id); }
  std::vector<RestingRef> OrdersAt(Side side, Price price, bool synthetic) const;
  Quantity SyntheticAt(Side side, Price price) const;
  void AddSynthetic(Side side, Price price, Quantity qty);
  void AddSyntheticAhead(Side side, Price price, Quantity qty, std::size_t since = 0);
  Quantity RemoveSynthetic(Side side, Price price, Quantity qty);
  void Reduce(const RestingRef& order, Quantity by);

  // Reconciliation.
  std::vector<LevelGap> Gaps(const LobsterBookRow& row, Side side) const;
  std::vector<DepthLevel> DepthWithin(Side side, Price edge) const;
  void TakeOffExcess(Side side, const LevelGap& gap);
  void AddShortfall(Side side, const LevelGap& gap);
  void Settle(Side side, Price edge, const std::vector<LevelGap>& gaps);
  bool Doubtful(Side side, const RestingRef& order) const;
  std::vector<RestingRef> RemovalOrder(Side side, Price price, Quantity excess) const;
  Quantity LevelQuantity(Side side, Price price) const;
  bool WouldCross(Side side, Price price) const;
  OrderStamps& StampsOf(const RestingRef& order);
  const OrderStamps& StampsOf(const RestingRef& order) const;
  SideHistory& HistoryOf(Side side) { return history_[side == Side::kSell ? 0 : 1]; }
  const SideHistory& HistoryOf(Side side) const { return history_[side == Side::kSell ? 0 : 1]; }

  InstrumentSpec instrument_;
  Engine engine_;
  SymbolId symbol_ = 0;
  Timestamp time_offset_ = 0;
  Timestamp now_ = 0;
  std::unordered_map<std::uint64_t, AccountId> accounts_;  // LOBSTER order id → its account
  AccountId next_account_ = kFirstOrderAccount;
  ClientOrderId next_synthetic_id_ = 1;
  bool halted_ = false;
  // The stamp of the row the book is being brought to: the one the current
  // message leads to, or the one being reconciled to.
  std::size_t stamp_ = 0;
  std::vector<OrderStamps> known_stamps_;      // by account − kFirstOrderAccount
  std::vector<OrderStamps> synthetic_stamps_;  // by synthetic client id − 1
  std::array<SideHistory, 2> history_ = {SideHistory{Side::kSell}, SideHistory{Side::kBuy}};
  std::vector<Command> commands_;
  LobsterStats stats_;
};

}  // namespace exchange::lobster
