#include "engine/depth_collector.h"

#include <algorithm>
#include <variant>

namespace exchange {

void DepthCollector::BeforeCommand(const Engine& engine, const Command& command) {
  const auto* replace = std::get_if<ReplaceOrder>(&command.body);
  if (replace == nullptr) return;
  const Order* o = replace->exchange_order_id != 0
                       ? engine.FindOrderByExchangeId(replace->exchange_order_id)
                       : engine.FindOrder(replace->account, replace->order_id);
  if (o != nullptr && o->level != nullptr) Note(o->symbol, o->side, o->price);
}

void DepthCollector::AfterEvents(std::span<const Event> events) {
  for (const Event& e : events) {
    switch (e.type) {
      case EventType::kAccepted:
      case EventType::kCanceled:
      case EventType::kReplaced:
      case EventType::kTriggered: Note(e.symbol, e.side, e.price); break;
      case EventType::kTrade:  // the maker's level
        Note(e.symbol, Opposite(e.side), e.price);
        break;
      default: break;
    }
  }
}

void DepthCollector::Finish(const Engine& engine, std::vector<DepthChange>* out) {
  std::sort(touched_.begin(), touched_.end());
  touched_.erase(std::unique(touched_.begin(), touched_.end()), touched_.end());
  for (const Touched& t : touched_) {
    if (t.symbol >= engine.symbol_count()) continue;
    const OrderBook& book = engine.book(t.symbol);
    DepthChange change;
    change.symbol = book.instrument.symbol;
    change.symbol_id = t.symbol;
    change.side = t.side;
    change.price = t.price;
    if (const PriceLevel* level = book.side(t.side).Find(t.price)) {
      change.quantity = level->displayed;
      change.orders = level->order_count;
    }
    out->push_back(change);
  }
  touched_.clear();
}

}  // namespace exchange
