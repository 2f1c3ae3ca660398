// Engine: the matching engine. Applies commands to the order books of many
// symbols with price-time priority and returns the events they cause.
//
// No I/O, no clock, no random source, no locks: timestamps come inside
// commands, so the same commands from the same start state give the same
// events and the same StateHash(). Single-threaded: one thread (the engine
// thread) owns an Engine and calls everything on it.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "engine/command.h"
#include "engine/event.h"
#include "engine/ledger.h"
#include "engine/object_pool.h"
#include "engine/order_book.h"
#include "engine/order_index.h"
#include "engine/prefault_allocator.h"

namespace exchange {

struct EngineOptions {
  std::size_t expected_orders = 1 << 16;  // index and pools are sized for this many live orders
};

struct DepthLevel {
  Price price = 0;
  Quantity quantity = 0;  // displayed quantity
  std::uint32_t orders = 0;
};

class Engine {
 public:
  explicit Engine(EngineOptions options = {});
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Applies one command. The returned events stay valid until the next call.
  std::span<const Event> Process(const Command& command);

  // --- Read-only views (engine thread) ---
  std::optional<SymbolId> FindSymbol(std::string_view name) const;
  std::size_t symbol_count() const { return books_.size(); }
  const OrderBook& book(SymbolId id) const { return *books_[id]; }
  Sequence last_sequence() const { return next_sequence_ - 1; }
  std::size_t live_orders() const { return index_.size(); }
  const Order* FindOrder(AccountId account, ClientOrderId id) const {
    return index_.FindByClient(account, id);
  }
  const Order* FindOrderByExchangeId(OrderId id) const { return index_.FindByExchange(id); }
  // Calls f(const Order&) for every live order (resting or held stop), in
  // no particular order.
  template <typename F>
  void ForEachOrder(F&& f) const {
    index_.ForEach(std::forward<F>(f));
  }
  // Top `max_levels` levels of one side, best first.
  std::vector<DepthLevel> Depth(SymbolId symbol, Side side, std::size_t max_levels) const;
  // A 64-bit digest of the whole state: books, orders in queue order, stops,
  // halts, last prices and counters.
  std::uint64_t StateHash() const;

  // --- Assets, balances and fees (cash risk, risk.cc) ---
  std::optional<AssetId> FindAsset(std::string_view name) const;
  std::size_t asset_count() const { return assets_.size(); }
  const AssetSpec& asset(AssetId id) const { return assets_[id]; }
  const Ledger& ledger() const { return ledger_; }
  // Settlement steps the ledger refused (0 unless an invariant broke).
  std::uint64_t settlement_faults() const { return settlement_faults_; }
  // The rates `account` pays on `symbol`: its override, else the symbol's.
  FeeRates FeesFor(SymbolId symbol, AccountId account) const;
  // What an order of `symbol` holds for `leaves` at `hold_price` (a buy) or
  // for `leaves` (a sell); nullopt when it would pass int64.
  // `traded_notional` is the order's Order::traded_notional (risk.cc).
  std::optional<Amount> HoldFor(const InstrumentSpec& spec, Side side, Price hold_price,
                                Quantity leaves, __int128 traded_notional) const {
    const Amount hold = HoldAmount(spec, side, hold_price, leaves, traded_notional);
    if (hold == kHoldOverflow) return std::nullopt;
    return hold;
  }
  // The same as a plain integer, kHoldOverflow when it would pass int64: the
  // hot path's form (GCC returns an optional<int64> through memory and
  // reloads it whole, a store-forwarding stall that cost 3% of cash-risk
  // throughput; measured with perf).
  static constexpr Amount kHoldOverflow = -1;
  Amount HoldAmount(const InstrumentSpec& spec, Side side, Price hold_price, Quantity leaves,
                    __int128 traded_notional) const;

  // --- Snapshots (snapshot.cc) ---
  // Writes the whole state to `out` (replacing its contents).
  void SaveState(std::string& out) const;
  // Loads a SaveState image into a fresh engine. Returns "" on success, else
  // what is wrong; after a failure the engine must be discarded.
  std::string LoadState(std::string_view bytes);

 private:
  struct MatchOutcome {
    bool taker_self_trade_canceled = false;
  };

  void Handle(const NewOrder& c);
  void Handle(const CancelOrder& c);
  void Handle(const ReplaceOrder& c);
  void Handle(const MassCancel& c);
  void Handle(const HaltSymbol& c);
  void Handle(const ResumeSymbol& c);
  void Handle(const AddInstrument& c);
  void Handle(const AddAsset& c);
  void Handle(const Deposit& c);
  void Handle(const Withdraw& c);
  void Handle(const SetFees& c);

  OrderBook* BookFor(SymbolId id) { return id < books_.size() ? books_[id].get() : nullptr; }
  RejectReason ValidateNew(const OrderBook& book, const NewOrder& c) const;
  RejectReason ValidatePrice(const OrderBook& book, Price price) const;
  RejectReason ValidateQuantity(const InstrumentSpec& spec, Quantity q) const;
  RejectReason ValidateStop(const OrderBook& book, Side side, Price stop) const;
  RejectReason ArrivalCheck(OrderBook& book, const NewOrder& c, StpMode stp) const;
  // Finds the order a cancel or replace names; sets *why when there is none.
  Order* Lookup(AccountId account, SymbolId symbol, ClientOrderId id, OrderId exchange_id,
                RejectReason* why) const;

  // --- matching (matching.cc) ---
  // Sends an accepted order into the market: matches what crosses, then rests
  // the rest (GTC) or cancels it. `indexed` says whether the index holds it.
  void Execute(OrderBook& book, Order* o, bool indexed);
  MatchOutcome Match(OrderBook& book, Order& taker, Price limit);
  Quantity FillableQuantity(const OrderBook& book, const Order& taker, Price limit) const;
  Price MarketLimit(const OrderBook& book, Side side) const;
  void Rest(OrderBook& book, Order* o);
  void Unlink(OrderBook& book, Order* o);  // out of its level or the stop book
  void TriggerStops(OrderBook& book);
  // Takes a live order off the book, emits CANCELED and frees it.
  void CancelLive(OrderBook& book, Order* o, CancelReason why, bool indexed);
  void Release(Order* o, bool indexed);  // out of the index and back to the pool

  std::string LoadRiskState(ByteReader& r);  // snapshot.cc

  // --- cash risk (risk.cc) ---
  // The price a new or replaced buy's hold is counted at; 0 for a sell.
  Price HoldPrice(const OrderBook& book, Side side, OrderType type, Price price,
                  Price stop_price) const;
  // Reserves what a new order needs; false (nothing held) when the account
  // cannot afford it.
  bool ReserveForNew(const InstrumentSpec& spec, Order& o, Balance* after);
  // Moves a replaced order's hold to `needed`; false (nothing changed) when
  // the larger hold is not available.
  bool AdjustHold(const InstrumentSpec& spec, Order& o, Amount needed, Balance* after);
  // Settles one trade of `q` at `price` between taker and maker.
  void SettleTrade(const OrderBook& book, Order& taker, Order& maker, Price price, Quantity q,
                   Sequence trade_sequence);
  // What `buyer` pays for its next fill of q at price.
  static Amount QuoteCost(const InstrumentSpec& spec, const Order& buyer, Price price, Quantity q);
  // The most a quote-budget MARKET order can still buy at `price`.
  Quantity QuoteBudgetCap(const InstrumentSpec& spec, const Order& o, Price price) const;
  void ReleaseHold(Order& o);
  template <typename Transfer>
  void ApplyTransfer(const Transfer& c, bool deposit);
  Event& EmitBalance(AccountId account, AssetId asset, BalanceReason why, Amount available_delta,
                     Amount held_delta);
  Event& EmitOrderBalance(const Order& o, AssetId asset, BalanceReason why, Amount available_delta,
                          Amount held_delta);
  // The same, with the balance after the change already in hand.
  Event& EmitBalance(AccountId account, AssetId asset, BalanceReason why, Amount available_delta,
                     Amount held_delta, const Balance& now);
  Event& EmitOrderBalance(const Order& o, AssetId asset, BalanceReason why, Amount available_delta,
                          Amount held_delta, const Balance& now);

  // --- events ---
  Event& Emit(EventType type);
  Event& EmitForOrder(EventType type, const Order& o);
  void EmitCanceled(const Order& o, CancelReason why);
  void EmitRejected(AccountId account, ClientOrderId id, SymbolId symbol, Side side, Price price,
                    Quantity qty, RejectReason why);

  std::vector<std::unique_ptr<OrderBook>> books_;
  std::unordered_map<std::string, SymbolId> symbols_;  // not on the hot path
  ObjectPool<Order> order_pool_;
  ObjectPool<PriceLevel> level_pool_;
  OrderIndex index_;
  std::vector<Event, PrefaultAllocator<Event>> events_;
  std::vector<Order*> scratch_;  // mass cancel
  std::vector<AssetSpec> assets_;
  std::unordered_map<std::string, AssetId> asset_names_;
  std::unordered_map<std::uint64_t, FeeRates> fee_overrides_;  // (symbol << 32 | account)
  Ledger ledger_;
  std::uint64_t settlement_faults_ = 0;
  Sequence next_sequence_ = 1;
  OrderId next_exchange_id_ = 1;
  Timestamp now_ = 0;
};

}  // namespace exchange
