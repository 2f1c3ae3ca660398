// Engine: matching. Price-time priority; the trade price is always the
// resting (maker) order's price.
#include <algorithm>

#include "engine/engine.h"

namespace exchange {

namespace {

// True when a taker on `side` with limit `limit` may trade at `maker_price`.
inline bool Crosses(Side side, Price limit, Price maker_price) {
  return side == Side::kBuy ? maker_price <= limit : maker_price >= limit;
}

}  // namespace

Price Engine::MarketLimit(const OrderBook& book, Side side) const {
  const PriceLevel* best = (side == Side::kBuy ? book.asks : book.bids).Best();
  const Price reach = book.instrument.market_protection_ticks * book.instrument.tick_size;
  if (side == Side::kBuy) return best->price + reach;
  return std::max(best->price - reach, book.instrument.tick_size);
}

void Engine::Execute(OrderBook& book, Order* o, bool indexed) {
  const bool market = o->type == OrderType::kMarket;
  if (market && book.opposite(o->side).Best() == nullptr) {
    // Only a triggered STOP gets here: a new MARKET order was rejected at arrival.
    CancelLive(book, o, CancelReason::kNoLiquidity, indexed);
    return;
  }
  if (o->tif == TimeInForce::kFok && !market && FillableQuantity(book, *o, o->price) < o->leaves) {
    // Only a triggered STOP_LIMIT gets here: a new FOK order was rejected at arrival.
    CancelLive(book, o, CancelReason::kFokCannotFill, indexed);
    return;
  }
  Price limit = market ? MarketLimit(book, o->side) : o->price;
  // A cash buy never pays above the price its hold was counted at.
  if (market && o->hold_price > 0) limit = std::min(limit, o->hold_price);
  const MatchOutcome outcome = Match(book, *o, limit);

  if (o->leaves == 0) {
    Release(o, indexed);
  } else if (outcome.taker_self_trade_canceled) {
    CancelLive(book, o, CancelReason::kSelfTrade, indexed);
  } else if (market) {
    const bool more = book.opposite(o->side).Best() != nullptr && !o->by_quote;
    CancelLive(book, o, more ? CancelReason::kProtectionReached : CancelReason::kIocRemainder,
               indexed);
  } else if (o->tif != TimeInForce::kGtc) {
    CancelLive(book, o, CancelReason::kIocRemainder, indexed);
  } else {
    Rest(book, o);
    if (!indexed) index_.Insert(o);
  }
}

Engine::MatchOutcome Engine::Match(OrderBook& book, Order& taker, Price limit) {
  MatchOutcome outcome;
  BookSide& makers = book.opposite(taker.side);
  while (taker.leaves > 0) {
    PriceLevel* level = makers.Best();
    if (level == nullptr || !Crosses(taker.side, limit, level->price)) break;

    while (taker.leaves > 0 && !level->empty()) {
      Order* maker = level->head;
      if (maker->account == taker.account) {  // self-trade prevention
        const StpMode mode = taker.stp;
        if (mode == StpMode::kCancelResting || mode == StpMode::kCancelBoth) {
          // Not CancelLive: the level must outlive this loop even when it empties.
          level->Remove(maker);
          EmitCanceled(*maker, CancelReason::kSelfTrade);
          Release(maker, /*indexed=*/true);
        }
        if (mode == StpMode::kCancelIncoming || mode == StpMode::kCancelBoth) {
          outcome.taker_self_trade_canceled = true;
          break;
        }
        continue;
      }

      Quantity q = std::min(taker.leaves, maker->display);
      if (taker.by_quote) {
        q = std::min(q, QuoteBudgetCap(book.instrument, taker, level->price));
        if (q == 0) return outcome;  // the budget buys no further lot
      }
      maker->display -= q;
      maker->leaves -= q;
      maker->filled += q;
      level->displayed -= q;
      taker.leaves -= q;
      taker.filled += q;
      book.last_trade_price = level->price;

      Event& e = EmitForOrder(EventType::kTrade, taker);
      e.price = level->price;
      e.quantity = q;
      e.maker_account = maker->account;
      e.maker_order_id = maker->client_id;
      e.maker_exchange_order_id = maker->exchange_id;
      e.maker_leaves = maker->leaves;
      e.maker_filled = maker->filled;
      if (taker.by_quote) {  // before SettleTrade moves traded_notional on
        taker.quote_budget -= QuoteCost(book.instrument, taker, level->price, q);
      }
      if (book.instrument.risk == RiskMode::kCash) {
        SettleTrade(book, taker, *maker, level->price, q, e.sequence);
      }

      if (maker->display == 0) {
        level->Remove(maker);
        if (maker->leaves > 0) {  // iceberg: refill and go to the back
          maker->display = std::min(maker->peak, maker->leaves);
          maker->timestamp = now_;
          level->PushBack(maker);
        } else {
          Release(maker, /*indexed=*/true);
        }
      }
    }
    if (level->empty()) makers.Erase(level, level_pool_);
    if (outcome.taker_self_trade_canceled) break;
  }
  return outcome;
}

// How much of `taker` could trade now up to `limit`, counting only what it
// could really trade: other accounts' orders, and under CANCEL_INCOMING or
// CANCEL_BOTH only up to the first order of its own account it would meet.
// Stops counting once the taker's leaves are covered.
Quantity Engine::FillableQuantity(const OrderBook& book, const Order& taker, Price limit) const {
  const BookSide& makers = book.side(Opposite(taker.side));
  const bool stop_at_self = taker.stp != StpMode::kCancelResting;
  const Quantity needed = taker.leaves > 0 ? taker.leaves : INT64_MAX;
  Quantity total = 0;
  makers.ForEachLevel([&](const PriceLevel& level) {
    if (total >= needed || !Crosses(taker.side, limit, level.price)) return false;
    Quantity shown_before_self = 0;  // what trades before meeting a self order
    Quantity all_other = 0;          // everything at the level, refills included
    for (const Order* o = level.head; o; o = o->next) {
      if (o->account == taker.account) {
        if (stop_at_self) {
          // Before a self order, an iceberg trades only its shown part: its
          // refill goes behind the self order, which ends the match.
          total += shown_before_self;
          return false;
        }
        continue;
      }
      shown_before_self += o->display;
      all_other += o->leaves;
    }
    total += all_other;
    return true;
  });
  return total;
}

void Engine::Rest(OrderBook& book, Order* o) {
  o->display = o->is_iceberg() ? std::min(o->peak, o->leaves) : o->leaves;
  PriceLevel* level = book.side(o->side).FindOrInsert(o->price, level_pool_);
  level->PushBack(o);
}

void Engine::Unlink(OrderBook& book, Order* o) {
  if (PriceLevel* level = o->level) {
    level->Remove(o);
    if (level->empty()) book.side(o->side).Erase(level, level_pool_);
  } else if (o->is_stop()) {
    book.stops.Remove(o);
  }
}

void Engine::CancelLive(OrderBook& book, Order* o, CancelReason why, bool indexed) {
  Unlink(book, o);
  EmitCanceled(*o, why);
  Release(o, indexed);
}

void Engine::EmitCanceled(const Order& o, CancelReason why) {
  Event& e = EmitForOrder(EventType::kCanceled, o);
  e.quantity = o.leaves;
  e.leaves = 0;
  e.cancel_reason = why;
}

void Engine::Release(Order* o, bool indexed) {
  if (o->held != 0) ReleaseHold(*o);
  if (indexed) index_.Erase(o);
  order_pool_.Destroy(o);
}

void Engine::TriggerStops(OrderBook& book) {
  if (book.stops.size() == 0 || book.last_trade_price == 0) return;
  while (Order* o = book.stops.PopTriggered(book.last_trade_price)) {
    o->type = o->type == OrderType::kStop ? OrderType::kMarket : OrderType::kLimit;
    o->timestamp = now_;
    EmitForOrder(EventType::kTriggered, *o);
    Execute(book, o, /*indexed=*/true);
  }
}

}  // namespace exchange
