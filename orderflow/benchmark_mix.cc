#include "orderflow/benchmark_mix.h"

#include <algorithm>
#include <random>
#include <unordered_map>

#include "engine/engine.h"

namespace exchange {

namespace {

struct LiveOrder {
  AccountId account;
  ClientOrderId id;
  Side side;
  Price price;
};

// The orders the generator believes are resting, with O(1) random pick and removal.
class LiveSet {
 public:
  void Add(const LiveOrder& o) {
    where_[Key(o.account, o.id)] = orders_.size();
    orders_.push_back(o);
  }
  void Remove(AccountId account, ClientOrderId id) {
    auto it = where_.find(Key(account, id));
    if (it == where_.end()) return;
    const std::size_t i = it->second;
    where_.erase(it);
    if (i + 1 != orders_.size()) {
      orders_[i] = orders_.back();
      where_[Key(orders_[i].account, orders_[i].id)] = i;
    }
    orders_.pop_back();
  }
  LiveOrder* Find(AccountId account, ClientOrderId id) {
    auto it = where_.find(Key(account, id));
    return it == where_.end() ? nullptr : &orders_[it->second];
  }
  std::size_t size() const { return orders_.size(); }
  LiveOrder& at(std::size_t i) { return orders_[i]; }

 private:
  static std::uint64_t Key(AccountId a, ClientOrderId id) { return (std::uint64_t{a} << 40) ^ id; }
  std::vector<LiveOrder> orders_;
  std::unordered_map<std::uint64_t, std::size_t> where_;
};

class Generator {
 public:
  explicit Generator(const BenchmarkMixOptions& o) : opt_(o), rng_(o.seed) {
    flow_.instrument.symbol = SymbolName("BENCH");
    flow_.instrument.tick_size = 1;
    flow_.instrument.lot_size = 1;
    flow_.instrument.max_quantity = 1'000'000;
    flow_.instrument.market_protection_ticks = 1000;
    if (o.risk == RiskMode::kCash) {
      flow_.assets = {AssetSpec{SymbolName("BENCH"), 0}, AssetSpec{SymbolName("USD"), 2}};
      for (const AssetSpec& a : flow_.assets)
        engine_.Process(Command{0, AddAsset{a}});
      InstrumentSpec& s = flow_.instrument;
      s.risk = RiskMode::kCash;
      s.base_asset = 0;
      s.quote_asset = 1;
      s.quote_exponent = 2;  // price × quantity dollars, in cents
      s.fees = FeeRates{-200, 2000};
    }
    Command add{0, AddInstrument{flow_.instrument}};
    engine_.Process(add);
  }

  BenchmarkFlow Run() {
    if (opt_.risk == RiskMode::kCash) Fund();
    for (std::size_t i = 0; i < opt_.resting_orders; ++i)
      Emit(NewGtc(/*passive=*/true), true);
    for (std::size_t i = 0; i < opt_.commands; ++i)
      Emit(NextCommand(), false);
    return std::move(flow_);
  }

 private:
  int Uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }

  // Enough of both assets in every account that no order of the mix is
  // ever short of funds (so the commands are those of the mix without risk).
  void Fund() {
    TransferId transfer = 1;
    for (AccountId a = 1; a <= opt_.accounts; ++a) {
      for (AssetId asset : {AssetId{0}, AssetId{1}})
        Emit(Command{Now(), Deposit{a, asset, Amount{1} << 50, transfer++}}, true);
    }
  }

  Command NextCommand() {
    const int roll = Uniform(0, 99);
    // A GTC is placed passively while the book is below its target size and
    // through the spread (so that it trades) while above: that keeps the book
    // near `resting_orders` without changing the command mix.
    if (live_.size() == 0 || roll < opt_.gtc_percent) {
      return NewGtc(/*passive=*/live_.size() <= opt_.resting_orders);
    }
    if (roll < opt_.gtc_percent + opt_.ioc_percent) return NewIoc();
    if (roll < opt_.gtc_percent + opt_.ioc_percent + opt_.cancel_percent) return Cancel();
    return Replace();
  }

  // A passive GTC rests on its own side within the band; an aggressive one
  // reaches a few ticks through the center and trades.
  Command NewGtc(bool passive) {
    NewOrder o;
    o.account = static_cast<AccountId>(Uniform(1, static_cast<int>(opt_.accounts)));
    o.symbol = 0;
    o.order_id = next_id_++;
    o.side = Uniform(0, 1) ? Side::kBuy : Side::kSell;
    const int depth =
        passive ? Uniform(1, static_cast<int>(opt_.half_spread_levels)) : -Uniform(0, 10);
    o.price = o.side == Side::kBuy ? opt_.center_price - depth : opt_.center_price + depth;
    o.quantity = passive ? Uniform(1, 100) : Uniform(50, 400);
    return Command{Now(), o};
  }

  Command NewIoc() {
    NewOrder o;
    o.account = static_cast<AccountId>(Uniform(1, static_cast<int>(opt_.accounts)));
    o.symbol = 0;
    o.order_id = next_id_++;
    o.side = Uniform(0, 1) ? Side::kBuy : Side::kSell;
    o.tif = TimeInForce::kIoc;
    const int reach = Uniform(0, 10);
    o.price = o.side == Side::kBuy ? opt_.center_price + reach : opt_.center_price - reach;
    o.quantity = Uniform(1, 150);
    return Command{Now(), o};
  }

  Command Cancel() {
    const LiveOrder& o =
        live_.at(static_cast<std::size_t>(Uniform(0, static_cast<int>(live_.size()) - 1)));
    return Command{Now(), CancelOrder{o.account, 0, o.id, 0}};
  }

  // Moves a live order's price by a few ticks, staying within the band and
  // mostly on its own side (an occasional move through the spread trades).
  Command Replace() {
    const LiveOrder& o =
        live_.at(static_cast<std::size_t>(Uniform(0, static_cast<int>(live_.size()) - 1)));
    Price p = o.price + Uniform(-12, 12);
    if (p == o.price) ++p;
    const Price lo = opt_.center_price - opt_.half_spread_levels;
    const Price hi = opt_.center_price + opt_.half_spread_levels;
    p = std::clamp(p, lo, hi);
    if (o.side == Side::kBuy && p > opt_.center_price + 2) p = opt_.center_price - Uniform(1, 5);
    if (o.side == Side::kSell && p < opt_.center_price - 2) p = opt_.center_price + Uniform(1, 5);
    ReplaceOrder r;
    r.account = o.account;
    r.symbol = 0;
    r.order_id = o.id;
    r.price = p == o.price ? p + (o.side == Side::kBuy ? -1 : 1) : p;
    return Command{Now(), r};
  }

  Timestamp Now() { return now_ += 1000; }

  // Applies the command to the private engine and updates the live set.
  void Emit(const Command& c, bool prefill) {
    for (const Event& e : engine_.Process(c))
      Track(e);
    (prefill ? flow_.prefill : flow_.commands).push_back(c);
  }

  void Track(const Event& e) {
    switch (e.type) {
      case EventType::kAccepted:
      case EventType::kReplaced:
        if (const Order* o = engine_.FindOrder(e.account, e.order_id); o && o->level) {
          if (LiveOrder* l = live_.Find(e.account, e.order_id)) {
            l->price = o->price;
          } else {
            live_.Add(LiveOrder{e.account, e.order_id, e.side, o->price});
          }
        } else {
          live_.Remove(e.account, e.order_id);
        }
        break;
      case EventType::kTrade:
        if (e.maker_leaves == 0) live_.Remove(e.maker_account, e.maker_order_id);
        if (e.leaves == 0) live_.Remove(e.account, e.order_id);
        break;
      case EventType::kCanceled: live_.Remove(e.account, e.order_id); break;
      default: break;
    }
  }

  BenchmarkMixOptions opt_;
  std::mt19937_64 rng_;
  Engine engine_;
  LiveSet live_;
  BenchmarkFlow flow_;
  ClientOrderId next_id_ = 1;
  Timestamp now_ = 1'700'000'000'000'000'000;
};

}  // namespace

BenchmarkFlow GenerateBenchmarkMix(const BenchmarkMixOptions& options) {
  return Generator(options).Run();
}

}  // namespace exchange
