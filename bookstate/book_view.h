// BookView: one symbol's book as the Redis view shows it (depth per price
// level, best bid and offer, last trade, every open order, the engine
// sequence it reflects), kept from the engine's events and depth changes,
// plus what changed since the last write to Redis, coalesced: many changes
// to one level or one order between two writes are one write.
//
// BookViews holds the views of every symbol of a shard. Both are owned by
// the book-state sink thread (or a benchmark/test driving a writer); one
// thread only.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "bookstate/balance_view.h"
#include "engine/depth_collector.h"
#include "engine/event.h"
#include "wire/wire_format.h"

namespace exchange::bookstate {

struct LevelValue {
  Quantity quantity = 0;  // displayed quantity
  std::uint32_t orders = 0;
  bool operator==(const LevelValue&) const = default;
};

enum class OrderStatus : std::uint8_t { kNew, kPartiallyFilled, kPendingTrigger };
std::string_view ToString(OrderStatus s);
std::optional<OrderStatus> ParseOrderStatus(std::string_view s);

struct OpenOrder {
  AccountId account = 0;
  ClientOrderId order_id = 0;
  OrderId exchange_id = 0;
  Side side = Side::kBuy;
  OrderType type = OrderType::kLimit;
  OrderStatus status = OrderStatus::kNew;
  Price price = 0;  // 0: market, or a stop not triggered yet
  Price stop_price = 0;
  Quantity quantity = 0;  // total
  Quantity leaves = 0;    // hidden part included
  Quantity filled = 0;
  Sequence sequence = 0;  // the event that last changed it
  bool operator==(const OpenOrder&) const = default;
};

struct LastTrade {
  Price price = 0;
  Quantity quantity = 0;
  Timestamp time = 0;
  Sequence sequence = 0;
};

// One trade as the trade stream (book:{S}:trades) carries it: the TRADE
// event's sequence is its id; `taker_side` says who crossed the spread.
struct TradePrint {
  Sequence sequence = 0;
  Price price = 0;
  Quantity quantity = 0;
  Timestamp time = 0;
  Side taker_side = Side::kBuy;
  OrderId taker_order = 0;  // the taker's exchange order id; 0: not known (an older entry)
  bool operator==(const TradePrint&) const = default;
};

// Open orders are found by (account, client order id), as clients know them.
struct OrderKey {
  AccountId account = 0;
  ClientOrderId order_id = 0;
  auto operator<=>(const OrderKey&) const = default;
};

class BookView {
 public:
  using Bids = std::map<Price, LevelValue, std::greater<>>;  // best first
  using Asks = std::map<Price, LevelValue>;                  // best first

  explicit BookView(std::string symbol) : symbol_(std::move(symbol)) {}

  // --- Updates (in engine-sequence order) ---
  void ApplyEvent(const Event& e);
  void SetLevel(Side side, Price price, LevelValue value);
  // Ends the changes of one engine batch: its depth changes, if any, join
  // the pending delta with the batch's first and last sequence.
  void EndBatch();
  // Sets an order as the engine has it (seeding from a recovered engine).
  void SetOrder(const OpenOrder& order);
  void SetHalted(bool halted) { halted_ = halted; }
  void SetSequence(Sequence s) { sequence_ = s; }

  // --- The view ---
  const std::string& symbol() const { return symbol_; }
  const Bids& bids() const { return bids_; }
  const Asks& asks() const { return asks_; }
  const std::map<OrderKey, OpenOrder>& orders() const { return orders_; }
  const std::optional<LastTrade>& last_trade() const { return last_trade_; }
  bool halted() const { return halted_; }
  Sequence sequence() const { return sequence_; }  // the last event of this symbol applied

  // --- What changed since the last TakeChanges ---
  struct Levels {  // changed levels of each side; quantity 0: no level
    std::map<Price, LevelValue, std::greater<>> bids;
    std::map<Price, LevelValue> asks;
    bool empty() const { return bids.empty() && asks.empty(); }
  };
  struct Delta : Levels {  // depth changes for the stream, coalesced: the values now
    Sequence first = 0, last = 0;
    Timestamp time = 0;  // of the newest event it covers (engine time)
  };
  struct Changes {
    Delta depth;
    // The same levels as `depth`, with the value each had at the previous
    // TakeChanges (what a writer wrote then, and must now replace).
    Levels before;
    std::map<OrderKey, std::optional<OpenOrder>> orders;  // nullopt: no longer open
    std::vector<TradePrint> trades;                       // in sequence order
    bool any = false;  // anything at all, the state hash included
  };
  bool changed() const { return changes_.any; }
  // Hands over the pending changes and starts afresh.
  Changes TakeChanges();

 private:
  void Upsert(const OpenOrder& order);
  void Remove(OrderKey key);
  OpenOrder* Find(AccountId account, ClientOrderId id);
  void OnTrade(const Event& e);
  void OnReplaced(const Event& e);

  std::string symbol_;
  Bids bids_;
  Asks asks_;
  std::map<OrderKey, OpenOrder> orders_;
  std::unordered_map<OrderId, OrderKey> by_exchange_id_;  // replace renames client ids
  std::optional<LastTrade> last_trade_;
  bool halted_ = false;
  Sequence sequence_ = 0;

  Changes changes_;
  Sequence batch_first_ = 0, batch_last_ = 0;  // this batch's events of the symbol
  Timestamp batch_time_ = 0;                   // the newest of them
  bool batch_depth_changed_ = false;
};

// Every symbol's view and every account's balances, fed with the engine's
// output batch by batch.
class BookViews {
 public:
  BalanceView& balances() { return balances_; }
  const BalanceView& balances() const { return balances_; }

  // A view for `symbol` (created empty when new).
  BookView& View(std::string_view symbol);
  const BookView* Find(std::string_view symbol) const;

  // One engine batch: its events, then its depth changes (values after the
  // batch). Events at or below `ignore_up_to` are already in the views.
  void ApplyBatch(std::span<const wire::EventRecord> events, std::span<const DepthChange> depth,
                  Sequence ignore_up_to = 0);

  // Calls f(BookView&) for each view, in symbol order.
  template <typename F>
  void ForEach(F&& f) {
    for (auto& [name, view] : views_)
      f(*view);
  }
  std::size_t size() const { return views_.size(); }

 private:
  std::map<std::string, std::unique_ptr<BookView>, std::less<>> views_;
  std::vector<BookView*> batch_;  // views touched by the current batch
  BalanceView balances_;
};

}  // namespace exchange::bookstate
