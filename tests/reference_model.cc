// ReferenceModel: see reference_model.h. Written for clarity, not speed.
#include "tests/reference_model.h"

#include <algorithm>
#include <map>
#include <stdexcept>

namespace exchange::testing {

namespace {

bool HasLimitPrice(OrderType t) {
  return t == OrderType::kLimit || t == OrderType::kPostOnly || t == OrderType::kStopLimit ||
         t == OrderType::kIceberg;
}

bool IsStopType(OrderType t) {
  return t == OrderType::kStop || t == OrderType::kStopLimit;
}

// True when `a` is a better price than `b` for a resting order on `side`.
bool BetterPrice(Side side, Price a, Price b) {
  return side == Side::kBuy ? a > b : a < b;
}

}  // namespace

std::vector<Event> ReferenceModel::Process(const Command& command) {
  out_.clear();
  now_ = command.timestamp;
  const CommandBody& body = command.body;
  if (const auto* c = std::get_if<NewOrder>(&body)) {
    OnNew(*c);
  } else if (const auto* c = std::get_if<CancelOrder>(&body)) {
    OnCancel(*c);
  } else if (const auto* c = std::get_if<ReplaceOrder>(&body)) {
    OnReplace(*c);
  } else if (const auto* c = std::get_if<MassCancel>(&body)) {
    OnMassCancel(*c);
  } else if (const auto* c = std::get_if<HaltSymbol>(&body)) {
    if (!added_ || c->symbol != 0) {
      EmitReject(0, 0, c->symbol, Side::kBuy, 0, 0, RejectReason::kUnknownSymbol);
    } else {
      halted_ = true;
      Emit(EventType::kHalted).symbol = 0;
    }
  } else if (const auto* c = std::get_if<ResumeSymbol>(&body)) {
    if (!added_ || c->symbol != 0) {
      EmitReject(0, 0, c->symbol, Side::kBuy, 0, 0, RejectReason::kUnknownSymbol);
    } else {
      halted_ = false;
      Emit(EventType::kResumed).symbol = 0;
    }
  } else if (const auto* c = std::get_if<AddInstrument>(&body)) {
    OnAdd(*c);
  } else if (const auto* c = std::get_if<AddAsset>(&body)) {
    OnAddAsset(*c);
  } else if (const auto* c = std::get_if<Deposit>(&body)) {
    OnTransfer(c->account, c->asset, c->amount, c->transfer, /*deposit=*/true);
  } else if (const auto* c = std::get_if<Withdraw>(&body)) {
    OnTransfer(c->account, c->asset, c->amount, c->transfer, /*deposit=*/false);
  } else if (const auto* c = std::get_if<SetFees>(&body)) {
    OnSetFees(*c);
  }
  return out_;
}

std::vector<ModelLevel> ReferenceModel::Depth(Side side) const {
  std::map<Price, ModelLevel> levels;
  for (const Order& o : book_) {
    if (o.side != side) continue;
    ModelLevel& l = levels[o.price];
    l.price = o.price;
    l.quantity += o.display;
    ++l.orders;
  }
  std::vector<ModelLevel> out;
  for (const auto& [price, level] : levels)
    out.push_back(level);
  if (side == Side::kBuy) std::reverse(out.begin(), out.end());  // best (highest) bid first
  return out;
}

// ---------------------------------------------------------------- events

Event& ReferenceModel::Emit(EventType type) {
  Event& e = out_.emplace_back();
  e.sequence = next_sequence_++;
  e.timestamp = now_;
  e.type = type;
  return e;
}

Event& ReferenceModel::EmitFor(EventType type, const Order& o) {
  Event& e = Emit(type);
  e.side = o.side;
  e.order_type = o.type;
  e.symbol = 0;
  e.account = o.account;
  e.order_id = o.client_id;
  e.exchange_order_id = o.exchange_id;
  e.price = o.price;
  e.quantity = o.quantity;
  e.leaves = o.leaves;
  e.filled = o.filled;
  e.stop_price = o.stop_price;
  return e;
}

void ReferenceModel::EmitReject(AccountId account, ClientOrderId id, SymbolId symbol, Side side,
                                Price price, Quantity qty, RejectReason why) {
  Event& e = Emit(EventType::kRejected);
  e.account = account;
  e.order_id = id;
  e.symbol = symbol;
  e.side = side;
  e.price = price;
  e.quantity = qty;
  e.reject_reason = why;
}

void ReferenceModel::Cancel(Order& o, CancelReason why) {
  Event& e = EmitFor(EventType::kCanceled, o);
  e.quantity = o.leaves;
  e.leaves = 0;
  e.cancel_reason = why;
  ReleaseAll(o);
}

Event& ReferenceModel::EmitBalance(AccountId account, AssetId asset, BalanceReason why,
                                   Amount available_delta, Amount held_delta) {
  const ModelBalance now = Bal(account, asset);
  Event& e = Emit(EventType::kBalance);
  e.account = account;
  e.asset = asset;
  e.balance_reason = why;
  e.available = now.available;
  e.held = now.held;
  e.available_delta = available_delta;
  e.held_delta = held_delta;
  return e;
}

Event& ReferenceModel::EmitOrderBalance(const Order& o, BalanceReason why, Amount available_delta,
                                        Amount held_delta) {
  Event& e = EmitBalance(o.account, HeldAsset(o.side), why, available_delta, held_delta);
  e.symbol = 0;
  e.side = o.side;
  e.order_id = o.client_id;
  e.exchange_order_id = o.exchange_id;
  return e;
}

// ---------------------------------------------------------------- cash risk

__int128 ReferenceModel::Up(__int128 x) const {
  __int128 p = 1;
  for (int i = 0; i < (spec_.quote_exponent < 0 ? -spec_.quote_exponent : spec_.quote_exponent);
       ++i)
    p *= 10;
  if (spec_.quote_exponent >= 0) return x * p;
  return x / p + (x % p != 0 ? 1 : 0);
}

__int128 ReferenceModel::Down(__int128 x) const {
  __int128 p = 1;
  for (int i = 0; i < (spec_.quote_exponent < 0 ? -spec_.quote_exponent : spec_.quote_exponent);
       ++i)
    p *= 10;
  return spec_.quote_exponent >= 0 ? x * p : x / p;
}

__int128 ReferenceModel::Need(Side side, Price hold_price, Quantity leaves,
                              __int128 notional) const {
  if (leaves <= 0) return 0;
  if (side == Side::kSell) return static_cast<__int128>(leaves) * spec_.base_multiplier;
  return Up(notional + static_cast<__int128>(hold_price) * leaves) - Up(notional);
}

Price ReferenceModel::HoldPriceFor(Side side, OrderType type, Price price, Price stop) const {
  if (side == Side::kSell) return 0;
  if (type == OrderType::kMarket) return MarketLimit(side);
  if (type == OrderType::kStop) return stop + spec_.market_protection_ticks * spec_.tick_size;
  return price;
}

Quantity ReferenceModel::BudgetLots(const Order& o, Price price, Quantity leaves) const {
  // Cost only grows with the quantity: binary search over whole lots.
  const __int128 paid = Up(o.notional);
  Quantity lo = 0, hi = leaves / spec_.lot_size;
  while (lo < hi) {
    const Quantity mid = lo + (hi - lo + 1) / 2;
    const __int128 cost =
        Up(o.notional + static_cast<__int128>(price) * mid * spec_.lot_size) - paid;
    if (cost <= o.quote_budget) {
      lo = mid;
    } else {
      hi = mid - 1;
    }
  }
  return lo * spec_.lot_size;
}

FeeRates ReferenceModel::RatesOf(AccountId account) const {
  const auto it = overrides_.find(account);
  return it != overrides_.end() ? it->second : spec_.fees;
}

void ReferenceModel::ReleaseAll(Order& o) {
  if (!cash() || o.held == 0) return;
  const Amount amount = o.held;
  ModelBalance& b = Bal(o.account, HeldAsset(o.side));
  b.held -= amount;
  b.available += amount;
  o.held = 0;
  EmitOrderBalance(o, BalanceReason::kRelease, amount, -amount);
}

void ReferenceModel::Settle(Order& taker, Order& maker, Price price, Quantity q, Sequence trade) {
  Order& buyer = taker.side == Side::kBuy ? taker : maker;
  Order& seller = taker.side == Side::kBuy ? maker : taker;
  const AssetId base_asset = spec_.base_asset, quote_asset = spec_.quote_asset;
  const std::int32_t buyer_ppm =
      &buyer == &taker ? RatesOf(buyer.account).taker_ppm : RatesOf(buyer.account).maker_ppm;
  const std::int32_t seller_ppm =
      &seller == &taker ? RatesOf(seller.account).taker_ppm : RatesOf(seller.account).maker_ppm;
  const __int128 notional = static_cast<__int128>(price) * q;
  // The buyer has paid ceil(N·s) in all, the seller received floor(N·s).
  const Amount base = q * spec_.base_multiplier;
  const auto pay = static_cast<Amount>(Up(buyer.notional + notional) - Up(buyer.notional));
  const auto receive =
      static_cast<Amount>(Down(seller.notional + notional) - Down(seller.notional));
  buyer.notional += notional;
  seller.notional += notional;
  const auto fee = [](Amount received, std::int32_t ppm) {
    return static_cast<Amount>(static_cast<__int128>(received) * (ppm < 0 ? -ppm : ppm) /
                               1'000'000);
  };
  const Amount buyer_fee = buyer_ppm > 0 ? fee(base, buyer_ppm) : 0;
  const Amount seller_fee = seller_ppm > 0 ? fee(receive, seller_ppm) : 0;

  // The buyer's hold: what its remaining leaves still need; anything above
  // that beyond this fill's payment goes back to available.
  if (buyer.by_quote) buyer.quote_budget -= pay;
  const Amount buyer_hold =
      buyer.by_quote
          ? buyer.quote_budget
          : static_cast<Amount>(Need(Side::kBuy, buyer.hold_price, buyer.leaves, buyer.notional));
  const Amount freed = buyer.held - pay - buyer_hold;
  buyer.held = buyer_hold;
  seller.held -= base;

  ModelBalance& buyer_quote = Bal(buyer.account, quote_asset);
  buyer_quote.held -= pay + freed;
  buyer_quote.available += freed;
  Bal(seller.account, base_asset).held -= base;
  Bal(buyer.account, base_asset).available += base - buyer_fee;
  Bal(seller.account, quote_asset).available += receive - seller_fee;
  Bal(kFeeAccount, base_asset).available += buyer_fee;
  Bal(kFeeAccount, quote_asset).available += seller_fee;
  Bal(kRoundingAccount, quote_asset).available += pay - receive;
  // Rebates: from the fee account's available, as far as it goes.
  const auto rebate = [&](std::int32_t ppm, Amount received, AccountId to, AssetId asset) {
    if (ppm >= 0) return Amount{0};
    const Amount paid = std::min(fee(received, ppm), Bal(kFeeAccount, asset).available);
    Bal(kFeeAccount, asset).available -= paid;
    Bal(to, asset).available += paid;
    return paid;
  };
  const Amount buyer_rebate = rebate(buyer_ppm, base, buyer.account, base_asset);
  const Amount seller_rebate = rebate(seller_ppm, receive, seller.account, quote_asset);

  const auto emit = [&](const Order& o, AssetId asset, Amount available_delta, Amount held_delta) {
    Event& e = EmitBalance(o.account, asset, BalanceReason::kTrade, available_delta, held_delta);
    e.symbol = 0;
    e.side = o.side;
    e.order_id = o.client_id;
    e.exchange_order_id = o.exchange_id;
    e.trade_sequence = trade;
  };
  emit(buyer, quote_asset, freed, -(pay + freed));
  emit(buyer, base_asset, base - buyer_fee + buyer_rebate, 0);
  emit(seller, base_asset, 0, -base);
  emit(seller, quote_asset, receive - seller_fee + seller_rebate, 0);
  const auto house = [&](AccountId account, AssetId asset, BalanceReason why, Amount delta) {
    if (delta == 0) return;
    Event& e = EmitBalance(account, asset, why, delta, 0);
    e.symbol = 0;
    e.trade_sequence = trade;
  };
  house(kFeeAccount, base_asset, BalanceReason::kFee, buyer_fee - buyer_rebate);
  house(kFeeAccount, quote_asset, BalanceReason::kFee, seller_fee - seller_rebate);
  house(kRoundingAccount, quote_asset, BalanceReason::kRounding, pay - receive);
}

// ---------------------------------------------------------------- checks and lookups

RejectReason ReferenceModel::CheckQuantity(Quantity q) const {
  if (q <= 0) return RejectReason::kQuantityOutOfRange;
  if (q % spec_.lot_size != 0) return RejectReason::kQuantityNotOnLot;
  if (q < spec_.min_quantity || q > spec_.max_quantity) return RejectReason::kQuantityOutOfRange;
  return RejectReason::kNone;
}

RejectReason ReferenceModel::CheckPrice(Price p) const {
  if (p <= 0) return RejectReason::kInvalidPrice;
  if (p % spec_.tick_size != 0) return RejectReason::kPriceNotOnTick;
  const Price ref = last_trade_ != 0 ? last_trade_ : spec_.reference_price;
  if (spec_.price_band_bps > 0 && ref > 0) {
    // Test prices are small: no overflow in plain int64.
    const std::int64_t distance = p > ref ? p - ref : ref - p;
    if (distance * 10000 > ref * spec_.price_band_bps) return RejectReason::kPriceOutsideBand;
  }
  return RejectReason::kNone;
}

RejectReason ReferenceModel::CheckStop(Side side, Price stop) const {
  if (stop <= 0 || stop % spec_.tick_size != 0) return RejectReason::kInvalidStopPrice;
  if (last_trade_ != 0) {
    const bool reached = side == Side::kBuy ? last_trade_ >= stop : last_trade_ <= stop;
    if (reached) return RejectReason::kInvalidStopPrice;
  }
  return RejectReason::kNone;
}

bool ReferenceModel::IsLive(AccountId account, ClientOrderId id) const {
  for (const auto* v : {&book_, &stops_}) {
    for (const Order& o : *v) {
      if (o.account == account && o.client_id == id) return true;
    }
  }
  return false;
}

ReferenceModel::Order* ReferenceModel::Find(AccountId account, ClientOrderId id,
                                            OrderId exchange_id, RejectReason* why) {
  Order* found = nullptr;
  for (auto* v : {&book_, &stops_}) {
    for (Order& o : *v) {
      const bool match = exchange_id != 0 ? o.exchange_id == exchange_id
                                          : (o.account == account && o.client_id == id);
      if (match) found = &o;
    }
  }
  if (found == nullptr) {
    *why = RejectReason::kUnknownOrder;
  } else if (found->account != account) {
    *why = RejectReason::kNotYourOrder;
    found = nullptr;
  }
  return found;
}

bool ReferenceModel::IsHeldStop(const Order* o) const {
  return !stops_.empty() && o >= stops_.data() && o < stops_.data() + stops_.size();
}

void ReferenceModel::Remove(const Order* o) {
  const OrderId id = o->exchange_id;
  for (auto* v : {&book_, &stops_}) {
    std::erase_if(*v, [id](const Order& x) { return x.exchange_id == id; });
  }
}

// ---------------------------------------------------------------- matching

int ReferenceModel::BestMaker(const std::vector<Order>& book, Side taker_side) {
  const Side maker_side = Opposite(taker_side);
  int best = -1;
  for (int i = 0; i < static_cast<int>(book.size()); ++i) {
    const Order& o = book[i];
    if (o.side != maker_side) continue;
    if (best < 0 || BetterPrice(maker_side, o.price, book[best].price) ||
        (o.price == book[best].price && o.time < book[best].time)) {
      best = i;
    }
  }
  return best;
}

bool ReferenceModel::Crosses(Side taker_side, Price limit, Price maker_price) {
  return taker_side == Side::kBuy ? maker_price <= limit : maker_price >= limit;
}

Price ReferenceModel::MarketLimit(Side taker_side) const {
  const Price best = book_[BestMaker(book_, taker_side)].price;
  const Price reach = spec_.market_protection_ticks * spec_.tick_size;
  if (taker_side == Side::kBuy) return best + reach;
  return std::max(best - reach, spec_.tick_size);
}

bool ReferenceModel::MatchOn(std::vector<Order>& book, Order& taker, Price limit, bool emit) {
  while (taker.leaves > 0) {
    const int i = BestMaker(book, taker.side);
    if (i < 0 || !Crosses(taker.side, limit, book[i].price)) break;
    Order& maker = book[i];
    if (maker.account == taker.account) {  // two orders of one account never trade
      const StpMode mode = taker.stp;
      if (mode == StpMode::kCancelResting || mode == StpMode::kCancelBoth) {
        if (emit) Cancel(maker, CancelReason::kSelfTrade);
        book.erase(book.begin() + i);
      }
      if (mode == StpMode::kCancelIncoming || mode == StpMode::kCancelBoth) return true;
      continue;
    }
    Quantity q = std::min(taker.leaves, maker.display);
    if (taker.by_quote) {
      q = std::min(q, BudgetLots(taker, maker.price, taker.leaves));
      if (q == 0) return false;  // the budget buys no further lot
    }
    maker.display -= q;
    maker.leaves -= q;
    maker.filled += q;
    taker.leaves -= q;
    taker.filled += q;
    if (emit) {
      last_trade_ = maker.price;
      Event& e = EmitFor(EventType::kTrade, taker);
      e.price = maker.price;
      e.quantity = q;
      e.maker_account = maker.account;
      e.maker_order_id = maker.client_id;
      e.maker_exchange_order_id = maker.exchange_id;
      e.maker_leaves = maker.leaves;
      e.maker_filled = maker.filled;
      if (cash()) Settle(taker, maker, maker.price, q, e.sequence);
    }
    if (maker.display == 0) {
      if (maker.leaves > 0) {  // iceberg: refill and go to the back of the level
        maker.display = std::min(maker.peak, maker.leaves);
        maker.time = ++clock_;
      } else {
        if (emit) ReleaseAll(maker);
        book.erase(book.begin() + i);
      }
    }
  }
  return false;
}

bool ReferenceModel::CanFillCompletely(const Order& taker, Price limit) {
  std::vector<Order> book = book_;
  Order probe = taker;
  MatchOn(book, probe, limit, /*emit=*/false);
  return probe.leaves == 0;
}

void ReferenceModel::Execute(Order o) {
  const bool market = o.type == OrderType::kMarket;
  if (market && OppositeEmpty(o.side)) {
    Cancel(o, CancelReason::kNoLiquidity);
    return;
  }
  if (!market && o.tif == TimeInForce::kFok && !CanFillCompletely(o, o.price)) {
    Cancel(o, CancelReason::kFokCannotFill);
    return;
  }
  Price limit = market ? MarketLimit(o.side) : o.price;
  // A cash buy never pays above the price its hold was counted at.
  if (market && o.hold_price > 0) limit = std::min(limit, o.hold_price);
  const bool stp_canceled = MatchOn(book_, o, limit, /*emit=*/true);
  if (o.leaves == 0) {
    ReleaseAll(o);  // a quote-budget order's unspent budget
    return;
  }
  if (stp_canceled) {
    Cancel(o, CancelReason::kSelfTrade);
  } else if (market) {
    Cancel(o, OppositeEmpty(o.side) || o.by_quote ? CancelReason::kIocRemainder
                                                  : CancelReason::kProtectionReached);
  } else if (o.tif != TimeInForce::kGtc) {
    Cancel(o, CancelReason::kIocRemainder);
  } else {
    o.display = o.type == OrderType::kIceberg ? std::min(o.peak, o.leaves) : o.leaves;
    o.time = ++clock_;
    book_.push_back(o);
  }
}

void ReferenceModel::TriggerStops() {
  if (last_trade_ == 0) return;
  while (true) {
    int pick = -1;
    // Buys first: lowest stop price, then earliest.
    for (int i = 0; i < static_cast<int>(stops_.size()); ++i) {
      const Order& s = stops_[i];
      if (s.side != Side::kBuy || last_trade_ < s.stop_price) continue;
      if (pick < 0 || s.stop_price < stops_[pick].stop_price ||
          (s.stop_price == stops_[pick].stop_price && s.time < stops_[pick].time)) {
        pick = i;
      }
    }
    if (pick < 0) {  // then sells: highest stop price, then earliest
      for (int i = 0; i < static_cast<int>(stops_.size()); ++i) {
        const Order& s = stops_[i];
        if (s.side != Side::kSell || last_trade_ > s.stop_price) continue;
        if (pick < 0 || s.stop_price > stops_[pick].stop_price ||
            (s.stop_price == stops_[pick].stop_price && s.time < stops_[pick].time)) {
          pick = i;
        }
      }
    }
    if (pick < 0) return;
    Order o = stops_[pick];
    stops_.erase(stops_.begin() + pick);
    o.type = o.type == OrderType::kStop ? OrderType::kMarket : OrderType::kLimit;
    EmitFor(EventType::kTriggered, o);
    Execute(o);
  }
}

// ---------------------------------------------------------------- commands

void ReferenceModel::OnAdd(const AddInstrument& c) {
  if (added_) throw std::logic_error("ReferenceModel supports one instrument");
  if (Validate(c.spec) != RejectReason::kNone) {
    EmitReject(0, 0, kUnknownSymbol, Side::kBuy, 0, 0, Validate(c.spec));
    return;
  }
  if (c.spec.risk == RiskMode::kCash &&
      (c.spec.base_asset >= assets_.size() || c.spec.quote_asset >= assets_.size())) {
    EmitReject(0, 0, kUnknownSymbol, Side::kBuy, 0, 0, RejectReason::kUnknownAsset);
    return;
  }
  added_ = true;
  spec_ = c.spec;
  Event& e = Emit(EventType::kInstrumentAdded);
  e.symbol = 0;
  e.price = spec_.tick_size;
  e.quantity = spec_.lot_size;
}

void ReferenceModel::OnNew(const NewOrder& c) {
  if (!added_ || c.symbol != 0) {
    EmitReject(c.account, c.order_id, c.symbol, c.side, c.price, c.quantity,
               RejectReason::kUnknownSymbol);
    return;
  }
  const bool enums_ok = static_cast<unsigned>(c.side) <= 1 && static_cast<unsigned>(c.type) <= 5 &&
                        static_cast<unsigned>(c.tif) <= 2 && static_cast<unsigned>(c.stp) <= 3;
  const StpMode stp = c.stp == StpMode::kInstrumentDefault ? spec_.default_stp : c.stp;
  RejectReason why = RejectReason::kNone;
  if (!enums_ok) {
    why = RejectReason::kInvalidOrder;
  } else if (halted_) {
    why = RejectReason::kHalted;
  } else if (c.quote_quantity != 0) {  // only a MARKET BUY by quote amount, without a quantity
    if (c.type != OrderType::kMarket || c.side != Side::kBuy || c.quote_quantity < 0 ||
        c.quantity != 0) {
      why = RejectReason::kInvalidOrder;
    }
  } else {
    why = CheckQuantity(c.quantity);
  }
  if (why == RejectReason::kNone && cash() && c.account >= kRoundingAccount) {
    why = RejectReason::kReservedAccount;
  }
  if (why == RejectReason::kNone && HasLimitPrice(c.type)) why = CheckPrice(c.price);
  if (why == RejectReason::kNone && IsStopType(c.type)) why = CheckStop(c.side, c.stop_price);
  if (why == RejectReason::kNone && c.type == OrderType::kIceberg) {
    const Quantity d = c.display_quantity;
    if (d <= 0 || d > c.quantity || d % spec_.lot_size != 0) {
      why = RejectReason::kInvalidDisplayQuantity;
    }
  }
  if (why == RejectReason::kNone && IsLive(c.account, c.order_id)) {
    why = RejectReason::kDuplicateClientOrderId;
  }

  Order o;
  o.client_id = c.order_id;
  o.account = c.account;
  o.side = c.side;
  o.type = c.type;
  o.tif = c.type == OrderType::kPostOnly ? TimeInForce::kGtc : c.tif;
  o.stp = stp;
  o.price = HasLimitPrice(c.type) ? c.price : 0;
  o.stop_price = IsStopType(c.type) ? c.stop_price : 0;
  o.quantity = c.quantity;
  o.leaves = c.quantity;
  o.peak = c.type == OrderType::kIceberg ? c.display_quantity : c.quantity;

  if (why == RejectReason::kNone) {  // checks against the book at arrival
    const int best = BestMaker(book_, c.side);
    if (c.type == OrderType::kPostOnly) {
      if (best >= 0 && Crosses(c.side, c.price, book_[best].price)) {
        why = RejectReason::kPostOnlyWouldTrade;
      }
    } else if (c.type == OrderType::kMarket) {
      if (best < 0) why = RejectReason::kNoLiquidity;
    } else if ((c.type == OrderType::kLimit || c.type == OrderType::kIceberg) &&
               c.tif == TimeInForce::kFok) {
      if (!CanFillCompletely(o, c.price)) why = RejectReason::kFokCannotFill;
    }
  }
  if (why == RejectReason::kNone && c.quote_quantity != 0) {
    // As many lots as the budget buys at the best ask.
    o.by_quote = true;
    o.quote_budget = c.quote_quantity;
    const Quantity q = BudgetLots(o, book_[BestMaker(book_, Side::kBuy)].price, spec_.max_quantity);
    if (q < spec_.min_quantity) why = RejectReason::kQuantityOutOfRange;
    o.quantity = o.leaves = o.peak = q;
  }
  if (why == RejectReason::kNone && cash()) {
    o.hold_price = o.by_quote ? 0 : HoldPriceFor(o.side, o.type, o.price, o.stop_price);
    const __int128 need =
        o.by_quote ? o.quote_budget : Need(o.side, o.hold_price, o.leaves, /*notional=*/0);
    if (need > Bal(o.account, HeldAsset(o.side)).available) {
      why = RejectReason::kInsufficientFunds;
    } else {
      o.held = static_cast<Amount>(need);
    }
  }
  if (why != RejectReason::kNone) {
    EmitReject(c.account, c.order_id, c.symbol, c.side, c.price, c.quantity, why);
    return;
  }

  o.exchange_id = next_exchange_id_++;
  const Sequence accepted = EmitFor(EventType::kAccepted, o).sequence;
  if (cash()) {
    ModelBalance& b = Bal(o.account, HeldAsset(o.side));
    b.available -= o.held;
    b.held += o.held;
    EmitOrderBalance(o, BalanceReason::kHold, -o.held, o.held);
  }
  if (IsStopType(o.type)) {
    o.time = accepted;
    stops_.push_back(o);
    return;
  }
  Execute(o);
  TriggerStops();
}

void ReferenceModel::OnCancel(const CancelOrder& c) {
  RejectReason why = RejectReason::kUnknownSymbol;
  Order* o =
      added_ && c.symbol == 0 ? Find(c.account, c.order_id, c.exchange_order_id, &why) : nullptr;
  if (o == nullptr) {
    EmitReject(c.account, c.order_id, c.symbol, Side::kBuy, 0, 0, why);
    return;
  }
  Cancel(*o, CancelReason::kUserRequest);
  Remove(o);
}

void ReferenceModel::OnReplace(const ReplaceOrder& c) {
  RejectReason why = RejectReason::kUnknownSymbol;
  Order* o =
      added_ && c.symbol == 0 ? Find(c.account, c.order_id, c.exchange_order_id, &why) : nullptr;
  if (o == nullptr) {
    EmitReject(c.account, c.order_id, c.symbol, Side::kBuy, c.price, c.quantity, why);
    return;
  }
  why = RejectReason::kNone;
  const bool held_stop = IsHeldStop(o);
  const Price new_price = c.price != 0 ? c.price : o->price;
  const Quantity new_qty = c.quantity != 0 ? c.quantity : o->quantity;
  const Price new_stop = c.stop_price != 0 ? c.stop_price : o->stop_price;
  const ClientOrderId new_id = c.new_order_id != 0 ? c.new_order_id : o->client_id;
  if (halted_) {
    why = RejectReason::kHalted;
  } else if (c.price != 0 && o->type == OrderType::kStop) {
    why = RejectReason::kInvalidPrice;
  } else if (c.stop_price != 0 && !held_stop) {
    why = RejectReason::kInvalidStopPrice;
  } else if (RejectReason q = CheckQuantity(new_qty); q != RejectReason::kNone) {
    why = q;
  } else if (c.price != 0 && c.price != o->price) {
    why = CheckPrice(new_price);
  }
  if (why == RejectReason::kNone && c.stop_price != 0 && c.stop_price != o->stop_price) {
    why = CheckStop(o->side, new_stop);
  }
  if (why == RejectReason::kNone && new_id != o->client_id && IsLive(c.account, new_id)) {
    why = RejectReason::kDuplicateClientOrderId;
  }
  if (why == RejectReason::kNone && o->type == OrderType::kPostOnly) {
    const int best = BestMaker(book_, o->side);
    if (best >= 0 && Crosses(o->side, new_price, book_[best].price)) {
      why = RejectReason::kPostOnlyWouldTrade;
    }
  }
  // Cash: the hold moves first; a larger one that is not available rejects
  // the replace.
  const Amount held_before = o->held;
  if (why == RejectReason::kNone && cash() && new_qty > o->filled) {
    const Price hold_price = HoldPriceFor(o->side, o->type, new_price, new_stop);
    const __int128 need = Need(o->side, hold_price, new_qty - o->filled, o->notional);
    ModelBalance& b = Bal(o->account, HeldAsset(o->side));
    if (need - o->held > b.available) {
      why = RejectReason::kInsufficientFunds;
    } else {
      b.available -= static_cast<Amount>(need) - o->held;
      b.held += static_cast<Amount>(need) - o->held;
      o->held = static_cast<Amount>(need);
      o->hold_price = hold_price;
    }
  }
  if (why != RejectReason::kNone) {
    EmitReject(c.account, c.order_id, c.symbol, o->side, c.price, c.quantity, why);
    return;
  }
  const auto emit_hold_change = [&](const Order& r) {
    const Amount delta = r.held - held_before;
    if (delta == 0) return;
    EmitOrderBalance(r, delta > 0 ? BalanceReason::kHold : BalanceReason::kRelease, -delta, delta);
  };

  const Quantity new_leaves = new_qty - o->filled;
  const bool keeps_priority =
      new_price == o->price && new_stop == o->stop_price && new_qty <= o->quantity;
  if (new_leaves <= 0) {  // done: leaves the book
    // The event carries what the replace asked for: new total and prices.
    Order r = *o;
    Remove(o);
    r.client_id = new_id;
    r.price = new_price;
    r.stop_price = new_stop;
    r.quantity = new_qty;
    r.leaves = 0;
    EmitFor(EventType::kReplaced, r);
    ReleaseAll(r);
    return;
  }
  if (keeps_priority) {
    o->client_id = new_id;
    o->quantity = new_qty;
    o->leaves = new_leaves;
    o->display = std::min(o->display, new_leaves);
    EmitFor(EventType::kReplaced, *o);
    emit_hold_change(*o);
    return;
  }
  Order r = *o;
  Remove(o);
  r.client_id = new_id;
  r.price = new_price;
  r.stop_price = new_stop;
  r.quantity = new_qty;
  r.leaves = new_leaves;
  const Sequence replaced = EmitFor(EventType::kReplaced, r).sequence;
  emit_hold_change(r);
  if (held_stop) {
    r.time = replaced;
    stops_.push_back(r);
    return;
  }
  Execute(r);
  TriggerStops();
}

void ReferenceModel::OnMassCancel(const MassCancel& c) {
  if (c.symbol != kAllSymbols && (!added_ || c.symbol != 0)) {
    EmitReject(c.account, 0, c.symbol, Side::kBuy, 0, 0, RejectReason::kUnknownSymbol);
    return;
  }
  // Bids best first, then asks best first (time order inside a level), then
  // buy stops and sell stops in trigger order.
  std::vector<Order> mine;
  for (const Order& o : book_) {
    if (o.account == c.account) mine.push_back(o);
  }
  std::sort(mine.begin(), mine.end(), [](const Order& a, const Order& b) {
    if (a.side != b.side) return a.side == Side::kBuy;
    if (a.price != b.price) return BetterPrice(a.side, a.price, b.price);
    return a.time < b.time;
  });
  std::vector<Order> stops;
  for (const Order& o : stops_) {
    if (o.account == c.account) stops.push_back(o);
  }
  std::sort(stops.begin(), stops.end(), [](const Order& a, const Order& b) {
    if (a.side != b.side) return a.side == Side::kBuy;
    if (a.stop_price != b.stop_price) {
      return a.side == Side::kBuy ? a.stop_price < b.stop_price : a.stop_price > b.stop_price;
    }
    return a.time < b.time;
  });
  mine.insert(mine.end(), stops.begin(), stops.end());
  for (Order& o : mine)
    Cancel(o, CancelReason::kMassCancel);
  for (auto* v : {&book_, &stops_}) {
    std::erase_if(*v, [&](const Order& x) { return x.account == c.account; });
  }
}

}  // namespace exchange::testing

namespace exchange::testing {

void ReferenceModel::OnAddAsset(const AddAsset& c) {
  RejectReason why = RejectReason::kNone;
  if (c.spec.name.view().empty() || c.spec.decimals < 0 || c.spec.decimals > 18) {
    why = RejectReason::kInvalidAmount;
  }
  for (const AssetSpec& a : assets_) {
    if (why == RejectReason::kNone && a.name == c.spec.name) why = RejectReason::kDuplicateAsset;
  }
  if (why != RejectReason::kNone) {
    EmitReject(0, 0, kUnknownSymbol, Side::kBuy, 0, 0, why);
    return;
  }
  assets_.push_back(c.spec);
  Event& e = Emit(EventType::kAssetAdded);
  e.asset = static_cast<AssetId>(assets_.size() - 1);
  e.quantity = c.spec.decimals;
}

void ReferenceModel::OnTransfer(AccountId account, AssetId asset, Amount amount,
                                TransferId transfer, bool deposit) {
  RejectReason why = RejectReason::kNone;
  if (asset >= assets_.size()) {
    why = RejectReason::kUnknownAsset;
  } else if (!deposit && account == kRoundingAccount) {
    why = RejectReason::kReservedAccount;  // its balance backs negative residues
  } else if (amount <= 0) {
    why = RejectReason::kInvalidAmount;
  } else if (transfers_.contains(transfer)) {
    why = RejectReason::kDuplicateTransfer;
  } else if (!deposit && Bal(account, asset).available < amount) {
    why = RejectReason::kInsufficientFunds;
  } else if (deposit && (static_cast<__int128>(Bal(account, asset).available) + amount +
                                 Bal(account, asset).held >
                             INT64_MAX ||
                         deposited_[asset] + amount > INT64_MAX)) {
    why = RejectReason::kInvalidAmount;
  }
  if (why != RejectReason::kNone) {
    Event& e = Emit(EventType::kRejected);
    e.account = account;
    e.order_id = transfer;
    e.asset = asset;
    e.quantity = amount;
    e.reject_reason = why;
    return;
  }
  transfers_.insert(transfer);
  if (deposit) deposited_[asset] += amount;
  Bal(account, asset).available += deposit ? amount : -amount;
  Event& e =
      EmitBalance(account, asset, deposit ? BalanceReason::kDeposit : BalanceReason::kWithdraw,
                  deposit ? amount : -amount, 0);
  e.order_id = transfer;
}

void ReferenceModel::OnSetFees(const SetFees& c) {
  RejectReason why = RejectReason::kNone;
  if (!added_ || c.symbol != 0) {
    why = RejectReason::kUnknownSymbol;
  } else if (c.rates.taker_ppm < 0 || c.rates.taker_ppm > 100'000 || c.rates.maker_ppm < -100'000 ||
             c.rates.maker_ppm > 100'000 || (c.clear && !c.for_account)) {
    why = RejectReason::kInvalidFeeSchedule;
  }
  if (why != RejectReason::kNone) {
    EmitReject(c.account, 0, c.symbol, Side::kBuy, 0, 0, why);
    return;
  }
  if (!c.for_account) {
    spec_.fees = c.rates;
  } else if (c.clear) {
    overrides_.erase(c.account);
  } else {
    overrides_[c.account] = c.rates;
  }
  Event& e = Emit(EventType::kFeesSet);
  e.symbol = 0;
  e.account = c.for_account ? c.account : 0;
  e.price = !c.for_account ? 0 : (c.clear ? 2 : 1);
  e.maker_ppm = c.clear ? 0 : c.rates.maker_ppm;
  e.taker_ppm = c.clear ? 0 : c.rates.taker_ppm;
}

}  // namespace exchange::testing
