// Engine: cash risk. Assets, deposits and withdrawals, fee schedules, the
// hold every order of a cash instrument takes on entry, the settlement of
// every trade and the release of what an order still holds when it leaves.
// The rules are summed up in README.md ("Cash risk"); the arithmetic is here.
//
// Amounts (exact integers until the last step): a trade of q at price p has
// the notional p × q, worth p × q × 10^quote_exponent quote units. Each order
// keeps the notional it has traded so far, N. A buyer has paid, in all,
// ceil(N × 10^e) and a seller received floor(N × 10^e): one fill pays the
// growth of that figure, so rounding never accumulates per fill. The
// rounding account takes what buyers paid beyond what sellers received (the
// sum over buyers of ceil(N·s) is at least the sum over sellers of floor(N·s),
// both N summing to the same total, so its balance is never negative even
// when one fill's residue is).
//
// A sell holds leaves × base_multiplier of the base asset. A buy holds
// ceil((N + hold_price × leaves) × 10^e) − ceil(N × 10^e) of the quote
// asset: what it has yet to pay if every remaining lot traded at its hold
// price. A fill at or below the hold price lowers (N + hold_price × leaves),
// so what the fill pays plus the new hold never exceeds the old hold, and
// the difference (an over-reservation) is released at once.
#include <array>

#include "engine/engine.h"

namespace exchange {

namespace {

constexpr __int128 kMaxAmount = INT64_MAX;

// 10^0 .. 10^36 (quote exponents are -18..18; a product is scaled once).
constexpr auto kPow10 = [] {
  std::array<__int128, 37> p{};
  p[0] = 1;
  for (std::size_t i = 1; i < p.size(); ++i)
    p[i] = p[i - 1] * 10;
  return p;
}();

constexpr auto kPow10Int64 = [] {  // 10^0 .. 10^18
  std::array<Amount, 19> p{};
  p[0] = 1;
  for (std::size_t i = 1; i < p.size(); ++i)
    p[i] = p[i - 1] * 10;
  return p;
}();

__int128 Pow10(int e) {
  return kPow10[static_cast<std::size_t>(e)];
}

// v × 10^e (v >= 0), rounded up or down; anything past int64 comes back as
// kMaxAmount + 1 (v is below 2^126: prices and quantities are below 2^62).
__int128 Scale(__int128 v, int e, bool up) {
  if (e >= 0) return v > kMaxAmount ? kMaxAmount + 1 : v * Pow10(e);
  const __int128 d = Pow10(-e);
  if (v <= INT64_MAX && d <= INT64_MAX) {  // 64-bit division: the common case, and far cheaper
    const auto v64 = static_cast<std::int64_t>(v), d64 = static_cast<std::int64_t>(d);
    return up ? v64 / d64 + (v64 % d64 != 0) : v64 / d64;
  }
  return up ? (v + d - 1) / d : v / d;
}

// The fee (or rebate) at `ppm` parts per million of `received`, rounded
// down: the account keeps the fraction.
Amount FeeOf(Amount received, std::int32_t ppm) {
  const __int128 magnitude = ppm < 0 ? -static_cast<__int128>(ppm) : ppm;
  return static_cast<Amount>(static_cast<__int128>(received) * magnitude / 1'000'000);
}

RejectReason ToReject(LedgerResult r) {
  switch (r) {
    case LedgerResult::kDone: return RejectReason::kNone;
    case LedgerResult::kInsufficientFunds: return RejectReason::kInsufficientFunds;
    case LedgerResult::kDuplicateTransfer: return RejectReason::kDuplicateTransfer;
    case LedgerResult::kInvalidAmount:
    case LedgerResult::kOverflow: return RejectReason::kInvalidAmount;
  }
  return RejectReason::kInvalidAmount;
}

std::uint64_t FeeKey(SymbolId symbol, AccountId account) {
  return (std::uint64_t{symbol} << 32) | account;
}

}  // namespace

// ---------------------------------------------------------------- amounts

Amount Engine::HoldAmount(const InstrumentSpec& spec, Side side, Price hold_price, Quantity leaves,
                          __int128 traded_notional) const {
  if (leaves <= 0) return 0;
  if (side == Side::kSell) {
    Amount base = 0;
    if (__builtin_mul_overflow(leaves, spec.base_multiplier, &base)) return kHoldOverflow;
    return base;
  }
  const int e = spec.quote_exponent;
  Amount notional = 0;
  if (traded_notional == 0 && !__builtin_mul_overflow(hold_price, leaves, &notional)) {
    // Nothing traded yet and 64 bits suffice: the common case, without 128-bit arithmetic.
    const Amount scale = kPow10Int64[static_cast<std::size_t>(e < 0 ? -e : e)];
    Amount total = 0;
    if (e < 0) return notional / scale + (notional % scale != 0);
    if (__builtin_mul_overflow(notional, scale, &total)) return kHoldOverflow;
    return total;
  }
  const __int128 total =
      Scale(traded_notional + static_cast<__int128>(hold_price) * leaves, e, /*up=*/true) -
      Scale(traded_notional, e, /*up=*/true);
  if (total > kMaxAmount) return kHoldOverflow;
  return static_cast<Amount>(total);
}

Price Engine::HoldPrice(const OrderBook& book, Side side, OrderType type, Price price,
                        Price stop_price) const {
  if (side == Side::kSell) return 0;
  const InstrumentSpec& spec = book.instrument;
  const Price reach = spec.market_protection_ticks * spec.tick_size;
  switch (type) {
    case OrderType::kMarket: return MarketLimit(book, side);
    case OrderType::kStop: return stop_price + reach;
    default: return price;
  }
}

Amount Engine::QuoteCost(const InstrumentSpec& spec, const Order& buyer, Price price, Quantity q) {
  const int e = spec.quote_exponent;
  const __int128 before = buyer.traded_notional;
  return static_cast<Amount>(Scale(before + static_cast<__int128>(price) * q, e, true) -
                             Scale(before, e, true));
}

Quantity Engine::QuoteBudgetCap(const InstrumentSpec& spec, const Order& o, Price price) const {
  // The most q (whole lots) whose QuoteCost fits the budget B:
  // ceil((N + p·q)·s) <= B + ceil(N·s)  <=>  N + p·q <= (B + ceil(N·s)) / s.
  const int e = spec.quote_exponent;
  const __int128 n = o.traded_notional;
  const __int128 allowance = o.quote_budget + Scale(n, e, true);
  const __int128 reach = e >= 0 ? allowance / Pow10(e) : allowance * Pow10(-e);
  if (reach <= n) return 0;
  const __int128 q = (reach - n) / price;
  return static_cast<Quantity>(std::min<__int128>(q, o.leaves) / spec.lot_size * spec.lot_size);
}

FeeRates Engine::FeesFor(SymbolId symbol, AccountId account) const {
  if (!fee_overrides_.empty()) {
    const auto it = fee_overrides_.find(FeeKey(symbol, account));
    if (it != fee_overrides_.end()) return it->second;
  }
  return books_[symbol]->instrument.fees;
}

// ---------------------------------------------------------------- events

Event& Engine::EmitBalance(AccountId account, AssetId asset, BalanceReason why,
                           Amount available_delta, Amount held_delta) {
  return EmitBalance(account, asset, why, available_delta, held_delta, ledger_.Get(account, asset));
}

Event& Engine::EmitBalance(AccountId account, AssetId asset, BalanceReason why,
                           Amount available_delta, Amount held_delta, const Balance& now) {
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

Event& Engine::EmitOrderBalance(const Order& o, AssetId asset, BalanceReason why,
                                Amount available_delta, Amount held_delta) {
  return EmitOrderBalance(o, asset, why, available_delta, held_delta,
                          ledger_.Get(o.account, asset));
}

Event& Engine::EmitOrderBalance(const Order& o, AssetId asset, BalanceReason why,
                                Amount available_delta, Amount held_delta, const Balance& now) {
  Event& e = EmitBalance(o.account, asset, why, available_delta, held_delta, now);
  e.symbol = o.symbol;
  e.side = o.side;
  e.order_id = o.client_id;
  e.exchange_order_id = o.exchange_id;
  return e;
}

// ---------------------------------------------------------------- holds

bool Engine::ReserveForNew(const InstrumentSpec& spec, Order& o, Balance* after) {
  const AssetId asset = o.side == Side::kBuy ? spec.quote_asset : spec.base_asset;
  const Amount need =
      o.by_quote ? o.quote_budget : HoldAmount(spec, o.side, o.hold_price, o.leaves, 0);
  if (need == kHoldOverflow || ledger_.Hold(o.account, asset, need, after) != LedgerResult::kDone) {
    return false;
  }
  o.held = need;
  return true;
}

bool Engine::AdjustHold(const InstrumentSpec& spec, Order& o, Amount needed, Balance* after) {
  const AssetId asset = o.side == Side::kBuy ? spec.quote_asset : spec.base_asset;
  if (needed > o.held) {
    if (ledger_.Hold(o.account, asset, needed - o.held, after) != LedgerResult::kDone) {
      return false;
    }
  } else if (needed < o.held) {
    ledger_.Release(o.account, asset, o.held - needed, after);
  }
  o.held = needed;
  return true;
}

void Engine::ReleaseHold(Order& o) {
  if (o.held == 0) return;
  const InstrumentSpec& spec = books_[o.symbol]->instrument;
  const AssetId asset = o.side == Side::kBuy ? spec.quote_asset : spec.base_asset;
  const Amount amount = o.held;
  Balance after;
  if (ledger_.Release(o.account, asset, amount, &after) != LedgerResult::kDone) {
    ++settlement_faults_;
    after = ledger_.Get(o.account, asset);
  }
  o.held = 0;
  EmitOrderBalance(o, asset, BalanceReason::kRelease, amount, -amount, after);
}

// ---------------------------------------------------------------- settlement

void Engine::SettleTrade(const OrderBook& book, Order& taker, Order& maker, Price price, Quantity q,
                         Sequence trade_sequence) {
  const InstrumentSpec& spec = book.instrument;
  Order& buyer = taker.side == Side::kBuy ? taker : maker;
  Order& seller = taker.side == Side::kBuy ? maker : taker;
  const AssetId base_asset = spec.base_asset, quote_asset = spec.quote_asset;
  const FeeRates buyer_rates = FeesFor(buyer.symbol, buyer.account);
  const FeeRates seller_rates = FeesFor(seller.symbol, seller.account);
  const std::int32_t buyer_ppm = &buyer == &taker ? buyer_rates.taker_ppm : buyer_rates.maker_ppm;
  const std::int32_t seller_ppm =
      &seller == &taker ? seller_rates.taker_ppm : seller_rates.maker_ppm;

  // What changes hands. Holds guarantee that every amount below fits int64
  // and is covered; deposits' int64 limit keeps every receiver in range.
  const int e = spec.quote_exponent;
  const __int128 notional = static_cast<__int128>(price) * q;
  const Amount base = q * spec.base_multiplier;
  const Amount pay = QuoteCost(spec, buyer, price, q);
  const Amount receive =
      static_cast<Amount>(Scale(seller.traded_notional + notional, e, /*up=*/false) -
                          Scale(seller.traded_notional, e, /*up=*/false));
  const Amount buyer_fee = buyer_ppm > 0 ? FeeOf(base, buyer_ppm) : 0;
  const Amount seller_fee = seller_ppm > 0 ? FeeOf(receive, seller_ppm) : 0;
  buyer.traded_notional += notional;
  seller.traded_notional += notional;
  // A buyer's hold counted this fill at its hold price: free the difference.
  const Amount held_after = buyer.by_quote ? buyer.held - pay
                                           : HoldAmount(spec, Side::kBuy, buyer.hold_price,
                                                        buyer.leaves, buyer.traded_notional);
  const Amount over = buyer.held - pay - held_after;

  TradeSettlement settlement;
  settlement.buyer = buyer.account;
  settlement.seller = seller.account;
  settlement.base = base_asset;
  settlement.quote = quote_asset;
  settlement.base_amount = base;
  settlement.buyer_fee = buyer_fee;
  settlement.pay = pay;
  settlement.receive = receive;
  settlement.seller_fee = seller_fee;
  settlement.over = over;
  // Rebates come out of the fee account's collected fees, as far as they go.
  settlement.buyer_rebate = buyer_ppm < 0 ? FeeOf(base, buyer_ppm) : 0;
  settlement.seller_rebate = seller_ppm < 0 ? FeeOf(receive, seller_ppm) : 0;
  SettledBalances now;
  if (ledger_.SettleTrade(settlement, &now) != LedgerResult::kDone) {
    // Holds make this impossible; counted (settlement_faults()), never hidden.
    ++settlement_faults_;
    return;
  }
  buyer.held -= pay + over;
  seller.held -= base;

  const auto emit = [&](const Order& o, AssetId asset, Amount available_delta, Amount held_delta,
                        const Balance& balance) {
    EmitOrderBalance(o, asset, BalanceReason::kTrade, available_delta, held_delta, balance)
        .trade_sequence = trade_sequence;
  };
  emit(buyer, quote_asset, over, -(pay + over), now.buyer_quote);
  emit(buyer, base_asset, base - buyer_fee + now.buyer_rebate, 0, now.buyer_base);
  emit(seller, base_asset, 0, -base, now.seller_base);
  emit(seller, quote_asset, receive - seller_fee + now.seller_rebate, 0, now.seller_quote);
  const auto emit_house = [&](AccountId account, AssetId asset, BalanceReason why, Amount delta,
                              const Balance& balance) {
    if (delta == 0) return;
    Event& e = EmitBalance(account, asset, why, delta, 0, balance);
    e.symbol = taker.symbol;
    e.trade_sequence = trade_sequence;
  };
  emit_house(kFeeAccount, base_asset, BalanceReason::kFee, buyer_fee - now.buyer_rebate,
             now.fee_base);
  emit_house(kFeeAccount, quote_asset, BalanceReason::kFee, seller_fee - now.seller_rebate,
             now.fee_quote);
  emit_house(kRoundingAccount, quote_asset, BalanceReason::kRounding, pay - receive, now.rounding);
}

// ---------------------------------------------------------------- commands

std::optional<AssetId> Engine::FindAsset(std::string_view name) const {
  const auto it = asset_names_.find(std::string(name));
  if (it == asset_names_.end()) return std::nullopt;
  return it->second;
}

void Engine::Handle(const AddAsset& c) {
  RejectReason why = ValidAsset(c.spec) ? RejectReason::kNone : RejectReason::kInvalidAmount;
  if (why == RejectReason::kNone && asset_names_.contains(c.spec.name.str())) {
    why = RejectReason::kDuplicateAsset;
  }
  if (why == RejectReason::kNone && assets_.size() >= kUnknownAsset) {
    why = RejectReason::kInvalidAmount;  // 65,535 assets
  }
  if (why != RejectReason::kNone) {
    EmitRejected(0, 0, kUnknownSymbol, Side::kBuy, 0, 0, why);
    return;
  }
  const auto id = static_cast<AssetId>(assets_.size());
  assets_.push_back(c.spec);
  asset_names_.emplace(c.spec.name.str(), id);
  Event& e = Emit(EventType::kAssetAdded);
  e.asset = id;
  e.quantity = c.spec.decimals;
}

template <typename Transfer>
void Engine::ApplyTransfer(const Transfer& c, bool deposit) {
  RejectReason why = c.asset < assets_.size() ? RejectReason::kNone : RejectReason::kUnknownAsset;
  // The rounding account's balance backs the negative residues live orders
  // may still have (top of this file): it is never withdrawn.
  if (why == RejectReason::kNone && !deposit && c.account == kRoundingAccount) {
    why = RejectReason::kReservedAccount;
  }
  if (why == RejectReason::kNone) {
    why = ToReject(deposit ? ledger_.Deposit(c.account, c.asset, c.amount, c.transfer)
                           : ledger_.Withdraw(c.account, c.asset, c.amount, c.transfer));
  }
  if (why != RejectReason::kNone) {
    Event& e = Emit(EventType::kRejected);
    e.account = c.account;
    e.order_id = c.transfer;
    e.asset = c.asset;
    e.quantity = c.amount;
    e.reject_reason = why;
    return;
  }
  Event& e =
      EmitBalance(c.account, c.asset, deposit ? BalanceReason::kDeposit : BalanceReason::kWithdraw,
                  deposit ? c.amount : -c.amount, 0);
  e.order_id = c.transfer;
}

void Engine::Handle(const Deposit& c) {
  ApplyTransfer(c, /*deposit=*/true);
}

void Engine::Handle(const Withdraw& c) {
  ApplyTransfer(c, /*deposit=*/false);
}

void Engine::Handle(const SetFees& c) {
  OrderBook* book = BookFor(c.symbol);
  RejectReason why = book ? RejectReason::kNone : RejectReason::kUnknownSymbol;
  if (why == RejectReason::kNone && (!ValidFees(c.rates) || (c.clear && !c.for_account))) {
    why = RejectReason::kInvalidFeeSchedule;
  }
  if (why != RejectReason::kNone) {
    EmitRejected(c.account, 0, c.symbol, Side::kBuy, 0, 0, why);
    return;
  }
  if (!c.for_account) {
    book->instrument.fees = c.rates;
  } else if (c.clear) {
    fee_overrides_.erase(FeeKey(c.symbol, c.account));
  } else {
    fee_overrides_[FeeKey(c.symbol, c.account)] = c.rates;
  }
  Event& e = Emit(EventType::kFeesSet);
  e.symbol = c.symbol;
  e.account = c.for_account ? c.account : 0;
  e.price = !c.for_account ? 0 : (c.clear ? 2 : 1);
  e.maker_ppm = c.clear ? 0 : c.rates.maker_ppm;
  e.taker_ppm = c.clear ? 0 : c.rates.taker_ppm;
}

}  // namespace exchange
