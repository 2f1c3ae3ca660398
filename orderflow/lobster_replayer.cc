// Replayer: the book the LOBSTER messages build on a private Engine (the
// mapping of lobster.h), with synthetic liquidity for the orders the file
// does not show. The reconciliation with the rows is lobster_reconcile.cc.
#include <algorithm>
#include <utility>

#include "orderflow/lobster_replayer.h"

namespace exchange::lobster {
namespace {

InstrumentSpec LobsterInstrument(const LobsterReplayConfig& config) {
  if (!SymbolName::Fits(config.symbol)) {
    throw std::invalid_argument("symbol '" + config.symbol + "' must have 1 to " +
                                std::to_string(SymbolName::kMaxLength) + " characters");
  }
  InstrumentSpec spec;
  spec.symbol = SymbolName(config.symbol);
  spec.tick_size = config.tick_size;
  spec.lot_size = kLot;
  spec.price_band_bps = 0;
  spec.market_protection_ticks = kMarketProtectionTicks;
  if (Validate(spec) != RejectReason::kNone) {
    throw std::invalid_argument("tick size " + std::to_string(config.tick_size) +
                                " is not positive");
  }
  return spec;
}

}  // namespace

Replayer::Replayer(const LobsterReplayConfig& config)
    : instrument_(LobsterInstrument(config)), time_offset_(config.time_offset) {
  Send(AddInstrument{instrument_});
  symbol_ = *engine_.FindSymbol(config.symbol);
}

std::span<const Event> Replayer::Send(CommandBody body, bool trades_expected) {
  commands_.push_back(Command{now_, std::move(body)});
  const std::span<const Event> events = engine_.Process(commands_.back());
  for (const Event& e : events) {
    if (e.type == EventType::kRejected) ++stats_.rejects;
    if (e.type == EventType::kTrade && !trades_expected) ++stats_.unexpected_trades;
  }
  return events;
}

namespace {

// What undoing a message adds to the visible quantity at its price.
Quantity UndoneQuantity(const LobsterMessage& m) {
  switch (m.type) {
    case LobsterEventType::kSubmit: return -m.size;
    case LobsterEventType::kPartialCancel:
    case LobsterEventType::kDelete:
    case LobsterEventType::kVisibleExecution: return m.size;
    default: return 0;  // hidden executions, crosses and halts leave the visible book alone
  }
}

}  // namespace

void Replayer::Seed(const LobsterMessage& first, const LobsterBookRow& row) {
  now_ = first.time + time_offset_;
  std::map<Price, Quantity> asks;                  // best (lowest) first
  std::map<Price, Quantity, std::greater<>> bids;  // best (highest) first
  for (const LobsterLevel& l : row) {
    if (l.ask_price != kLobsterEmptyAsk && l.ask_size > 0) asks[l.ask_price] += l.ask_size;
    if (l.bid_price != kLobsterEmptyBid && l.bid_size > 0) bids[l.bid_price] += l.bid_size;
  }
  // The row is the book after the first message: undo that message's effect.
  if (const Quantity undo = UndoneQuantity(first); undo != 0) {
    Quantity& q = first.side == Side::kSell ? asks[first.price] : bids[first.price];
    q = std::max<Quantity>(q + undo, 0);
  }
  // Sent before any message, so each synthetic order is at the front of its level.
  for (const auto& [price, qty] : asks) {
    if (qty > 0) AddSynthetic(Side::kSell, price, qty);
  }
  for (const auto& [price, qty] : bids) {
    if (qty > 0) AddSynthetic(Side::kBuy, price, qty);
  }
}

void Replayer::Apply(const LobsterMessage& m, std::size_t number) {
  now_ = m.time + time_offset_;
  stamp_ = number;  // the row after message `number`
  ++stats_.messages;
  switch (m.type) {
    case LobsterEventType::kSubmit: Submit(m); break;
    case LobsterEventType::kPartialCancel: PartialCancel(m); break;
    case LobsterEventType::kDelete: Delete(m); break;
    case LobsterEventType::kVisibleExecution: Execute(m, number); break;
    case LobsterEventType::kHiddenExecution:
    case LobsterEventType::kCross: break;  // no change to the visible book
    case LobsterEventType::kHalt: Halt(m); break;
  }
}

void Replayer::Submit(const LobsterMessage& m) {
  // A reused id (Nasdaq never reuses one in a day) gets a fresh account, so
  // the engine never sees a duplicate client order id.
  const AccountId account = next_account_++;
  accounts_[m.order_id] = account;
  known_stamps_.push_back(OrderStamps{stamp_, stamp_});
  NewOrder o;
  o.account = account;
  o.symbol = symbol_;
  o.order_id = m.order_id;
  o.side = m.side;
  o.type = OrderType::kLimit;
  o.tif = TimeInForce::kGtc;
  o.price = m.price;
  o.quantity = m.size;
  Send(o);
}

void Replayer::PartialCancel(const LobsterMessage& m) {
  if (const Order* o = LiveOrder(m.order_id)) {
    StampsOf(RefOf(*o)).seen = stamp_;
    Reduce(RefOf(*o), m.size);
  } else if (!Known(m.order_id)) {
    stats_.reconciled_qty += m.size - RemoveSynthetic(m.side, m.price, m.size);
  } else {
    ++stats_.orphan_messages;
  }
}

void Replayer::Delete(const LobsterMessage& m) {
  if (const Order* o = LiveOrder(m.order_id)) {
    Send(CancelOrder{o->account, symbol_, o->client_id, 0});
  } else if (!Known(m.order_id)) {
    stats_.reconciled_qty += m.size - RemoveSynthetic(m.side, m.price, m.size);
  } else {
    ++stats_.orphan_messages;
  }
}

namespace {

// True when the IOC's trades are exactly one fill of `size` against the order.
bool FilledExactly(std::span<const Event> events, AccountId account, ClientOrderId id,
                   Quantity size) {
  std::size_t trades = 0;
  bool named = false;
  for (const Event& e : events) {
    if (e.type != EventType::kTrade) continue;
    ++trades;
    named = e.maker_account == account && e.maker_order_id == id && e.quantity == size;
  }
  return trades == 1 && named;
}

}  // namespace

void Replayer::Execute(const LobsterMessage& m, std::size_t number) {
  const bool known = Known(m.order_id);
  if (known) ++stats_.executions_known;
  const Order* named = LiveOrder(m.order_id);
  const AccountId named_account = named ? named->account : 0;
  if (named) StampsOf(RefOf(*named)).seen = stamp_;
  // The order predates the file (or the replay lost it): the execution takes
  // synthetic liquidity, topped up ahead of the known orders when short.
  if (named == nullptr) {
    const Quantity have = SyntheticAt(m.side, m.price);
    if (have < m.size) AddSyntheticAhead(m.side, m.price, m.size - have);
  }
  NewOrder ioc;
  ioc.account = kAggressorAccount;
  ioc.symbol = symbol_;
  ioc.order_id = number;
  ioc.side = Opposite(m.side);
  ioc.type = OrderType::kLimit;
  ioc.tif = TimeInForce::kIoc;
  ioc.price = m.price;
  ioc.quantity = m.size;
  const std::span<const Event> events = Send(ioc, /*trades_expected=*/true);
  if (named_account != 0 && FilledExactly(events, named_account, m.order_id, m.size)) {
    ++stats_.executions_matched;
  }
}

void Replayer::Halt(const LobsterMessage& m) {
  // Quoting (0) reopens order entry; the replay never trades on its own, so
  // quoting and resuming are the same to the engine.
  const bool halt = m.price == kLobsterHaltPrice;
  if (halt == halted_) return;
  halted_ = halt;
  if (halt) {
    Send(HaltSymbol{symbol_});
  } else {
    Send(ResumeSymbol{symbol_});
  }
}

const Order* Replayer::LiveOrder(std::uint64_t lobster_id) const {
  const auto it = accounts_.find(lobster_id);
  return it == accounts_.end() ? nullptr : engine_.FindOrder(it->second, lobster_id);
}

std::vector<RestingRef> Replayer::OrdersAt(Side side, Price price, bool synthetic) const {
  std::vector<RestingRef> out;
  const PriceLevel* level = engine_.book(symbol_).side(side).Find(price);
  for (const Order* o = level ? level->head : nullptr; o; o = o->next) {
    if ((o->account == kSyntheticAccount) == synthetic) out.push_back(RefOf(*o));
  }
  return out;
}

Quantity Replayer::SyntheticAt(Side side, Price price) const {
  Quantity total = 0;
  for (const RestingRef& r : OrdersAt(side, price, /*synthetic=*/true)) {
    total += r.leaves;
  }
  return total;
}

void Replayer::AddSynthetic(Side side, Price price, Quantity qty) {
  synthetic_stamps_.push_back(OrderStamps{stamp_, stamp_});
  NewOrder o;
  o.account = kSyntheticAccount;
  o.symbol = symbol_;
  o.order_id = next_synthetic_id_++;
  o.side = side;
  o.type = OrderType::kLimit;
  o.tif = TimeInForce::kGtc;
  o.price = price;
  o.quantity = qty;
  Send(o);
}

// Adds synthetic liquidity ahead of the known orders at its price that
// entered after row `since` (by default all of them: liquidity older than
// the file, or an unknown order that an execution shows was first in line).
// The engine only appends to a level; those known orders are sent to the
// back behind it, in their own order: a quantity increase loses time
// priority, the decrease back to the old total keeps it.
void Replayer::AddSyntheticAhead(Side side, Price price, Quantity qty, std::size_t since) {
  std::vector<RestingRef> known = OrdersAt(side, price, /*synthetic=*/false);
  std::erase_if(known, [&](const RestingRef& k) { return StampsOf(k).entered <= since; });
  AddSynthetic(side, price, qty);
  stats_.reconciled_qty += qty;
  for (const RestingRef& k : known) {
    Send(ReplaceOrder{k.account, symbol_, k.id, 0, 0, 0, k.quantity + kLot, 0});
    Send(ReplaceOrder{k.account, symbol_, k.id, 0, 0, 0, k.quantity, 0});
  }
}

// Takes up to `qty` off the synthetic orders at a price, oldest first;
// returns how much it took.
Quantity Replayer::RemoveSynthetic(Side side, Price price, Quantity qty) {
  Quantity removed = 0;
  for (const RestingRef& r : OrdersAt(side, price, /*synthetic=*/true)) {
    if (removed == qty) break;
    const Quantity take = std::min(r.leaves, qty - removed);
    Reduce(r, take);
    removed += take;
  }
  return removed;
}

// Partial cancel: FIX replace to the new total, which keeps time priority; a
// cancel when nothing would remain (a replace to total 0 means "unchanged").
void Replayer::Reduce(const RestingRef& order, Quantity by) {
  const Quantity new_total = order.quantity - by;
  if (by >= order.leaves || new_total <= 0) {
    Send(CancelOrder{order.account, symbol_, order.id, 0});
  } else {
    Send(ReplaceOrder{order.account, symbol_, order.id, 0, 0, 0, new_total, 0});
  }
}

}  // namespace exchange::lobster
