// ReferenceModel: a deliberately simple matching model of one symbol, written
// from the specification and not from the engine, for differential testing.
//
// Plain vectors and linear scans: every match looks for the best maker by
// scanning all resting orders (best price, then earliest entry into the
// level). FOK is decided by running the match on a copy of the book. It emits
// the same events the Engine documents, so the two can be compared event by
// event. Single symbol (id 0); test code only.
//
// Cash risk (RiskMode::kCash): the model also keeps balances per account and
// asset, computed from the rules in engine/risk.cc's top comment and never
// by calling engine code: holds on entry and on replace, settlement at the
// trade price with the cumulative-notional rounding (buyer pays
// ceil(N·10^e), seller receives floor(N·10^e), the difference goes to the
// rounding account), maker/taker fees on what each side receives, rebates
// paid from the fee account as far as its available balance goes, and the
// release of what an order still holds when it leaves. It emits the same
// BALANCE events, ASSET_ADDED and FEES_SET.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <utility>
#include <vector>

#include "engine/command.h"
#include "engine/event.h"
#include "engine/instrument.h"
#include "engine/types.h"

namespace exchange::testing {

struct ModelBalance {
  Amount available = 0;
  Amount held = 0;
  bool operator==(const ModelBalance&) const = default;
};

struct ModelLevel {
  Price price = 0;
  Quantity quantity = 0;  // displayed quantity
  std::uint32_t orders = 0;
  bool operator==(const ModelLevel&) const = default;
};

class ReferenceModel {
 public:
  ReferenceModel() = default;

  // Applies one command and returns the events it causes. The first command
  // must be the AddInstrument of the model's only symbol.
  std::vector<Event> Process(const Command& command);

  // Every level of one side, best first.
  std::vector<ModelLevel> Depth(Side side) const;
  std::size_t live_orders() const { return book_.size() + stops_.size(); }
  Price last_trade_price() const { return last_trade_; }
  // Every (account, asset) balance a transfer, hold or settlement touched.
  const std::map<std::pair<AccountId, AssetId>, ModelBalance>& balances() const {
    return balances_;
  }

 private:
  struct Order {
    OrderId exchange_id = 0;
    ClientOrderId client_id = 0;
    AccountId account = 0;
    Side side = Side::kBuy;
    OrderType type = OrderType::kLimit;
    TimeInForce tif = TimeInForce::kGtc;
    StpMode stp = StpMode::kCancelResting;
    Price price = 0;
    Price stop_price = 0;
    Quantity quantity = 0;
    Quantity filled = 0;
    Quantity leaves = 0;
    Quantity display = 0;
    Quantity peak = 0;       // iceberg refill size
    std::uint64_t time = 0;  // resting: entry into the level; stop: acceptance sequence
    // Cash risk.
    Amount held = 0;          // what the order holds now
    Price hold_price = 0;     // a buy's hold is counted at this price
    __int128 notional = 0;    // Σ price × quantity of its fills
    Amount quote_budget = 0;  // MARKET by quote amount: what it may still spend
    bool by_quote = false;
  };

  void OnNew(const NewOrder& c);
  void OnCancel(const CancelOrder& c);
  void OnReplace(const ReplaceOrder& c);
  void OnMassCancel(const MassCancel& c);
  void OnAdd(const AddInstrument& c);
  void OnAddAsset(const AddAsset& c);
  void OnTransfer(AccountId account, AssetId asset, Amount amount, TransferId transfer,
                  bool deposit);
  void OnSetFees(const SetFees& c);

  // --- cash risk ---
  bool cash() const { return added_ && spec_.risk == RiskMode::kCash; }
  AssetId HeldAsset(Side side) const {
    return side == Side::kBuy ? spec_.quote_asset : spec_.base_asset;
  }
  // x × 10^quote_exponent rounded up / down (x >= 0).
  __int128 Up(__int128 x) const;
  __int128 Down(__int128 x) const;
  // What a buy still has to pay for `leaves` at `hold_price` after fills
  // worth `notional`; a sell's base for `leaves`.
  __int128 Need(Side side, Price hold_price, Quantity leaves, __int128 notional) const;
  Price HoldPriceFor(Side side, OrderType type, Price price, Price stop) const;
  // The most lots a quote-budget order can still buy at `price`.
  Quantity BudgetLots(const Order& o, Price price, Quantity leaves) const;
  FeeRates RatesOf(AccountId account) const;
  ModelBalance& Bal(AccountId account, AssetId asset) { return balances_[{account, asset}]; }
  void Settle(Order& taker, Order& maker, Price price, Quantity q, Sequence trade);
  void ReleaseAll(Order& o);  // emits RELEASE when it held anything
  Event& EmitBalance(AccountId account, AssetId asset, BalanceReason why, Amount available_delta,
                     Amount held_delta);
  Event& EmitOrderBalance(const Order& o, BalanceReason why, Amount available_delta,
                          Amount held_delta);

  RejectReason CheckQuantity(Quantity q) const;
  RejectReason CheckPrice(Price p) const;
  RejectReason CheckStop(Side side, Price stop) const;
  bool IsLive(AccountId account, ClientOrderId id) const;
  // Finds a live order (resting or held stop); sets *why when there is none.
  Order* Find(AccountId account, ClientOrderId id, OrderId exchange_id, RejectReason* why);
  bool IsHeldStop(const Order* o) const;
  void Remove(const Order* o);  // from the book or the stops

  // Index of the maker a taker on `taker_side` meets first in `book`, or -1.
  static int BestMaker(const std::vector<Order>& book, Side taker_side);
  static bool Crosses(Side taker_side, Price limit, Price maker_price);
  bool OppositeEmpty(Side taker_side) const { return BestMaker(book_, taker_side) < 0; }
  Price MarketLimit(Side taker_side) const;
  // Matches `taker` against `book` up to `limit`. With emit false it only
  // simulates (FOK check) and changes nothing but its arguments. Returns true
  // when self-trade prevention cancelled the rest of the taker.
  bool MatchOn(std::vector<Order>& book, Order& taker, Price limit, bool emit);
  bool CanFillCompletely(const Order& taker, Price limit);  // simulates on a copy
  void Execute(Order o);
  void TriggerStops();
  void Cancel(Order& o, CancelReason why);  // emits, and releases its hold

  Event& Emit(EventType type);
  Event& EmitFor(EventType type, const Order& o);
  void EmitReject(AccountId account, ClientOrderId id, SymbolId symbol, Side side, Price price,
                  Quantity qty, RejectReason why);

  bool added_ = false;
  InstrumentSpec spec_;
  std::vector<Order> book_;   // resting orders, both sides, any order
  std::vector<Order> stops_;  // held STOP / STOP_LIMIT orders
  Price last_trade_ = 0;
  bool halted_ = false;
  std::uint64_t clock_ = 0;  // entry counter for time priority
  Sequence next_sequence_ = 1;
  OrderId next_exchange_id_ = 1;
  Timestamp now_ = 0;
  std::vector<Event> out_;

  std::vector<AssetSpec> assets_;
  std::map<std::pair<AccountId, AssetId>, ModelBalance> balances_;
  std::set<TransferId> transfers_;
  std::map<AssetId, __int128> deposited_;
  std::map<AccountId, FeeRates> overrides_;
};

}  // namespace exchange::testing
