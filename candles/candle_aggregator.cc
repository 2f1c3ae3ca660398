#include "candles/candle_aggregator.h"

#include <algorithm>
#include <tuple>

namespace exchange::candles {

CandleAggregator::CandleAggregator(std::span<const CandleInterval> intervals) {
  for (CandleInterval interval : intervals)
    kept_[IndexOf(interval)] = true;
  for (CandleInterval interval : AllIntervals()) {
    if (IsKept(interval)) intervals_.push_back(interval);
  }
}

CandleAggregator::SymbolState& CandleAggregator::StateOf(const SymbolName& symbol) {
  auto it = symbols_.find(symbol.view());
  if (it == symbols_.end()) it = symbols_.emplace(symbol.str(), SymbolState{}).first;
  return it->second;
}

const CandleAggregator::SymbolState* CandleAggregator::FindState(std::string_view symbol) const {
  auto it = symbols_.find(symbol);
  return it == symbols_.end() ? nullptr : &it->second;
}

void CandleAggregator::ApplyToLive(std::optional<Candle>& live, const Candle& trade_candle) {
  if (!live || trade_candle.open_time > live->open_time) {
    live = trade_candle;
  } else if (trade_candle.open_time == live->open_time) {
    Merge(*live, trade_candle);
  }
  // An older bucket: only the changes see it.
}

bool CandleAggregator::Add(const CandleTrade& trade) {
  SymbolState& state = StateOf(trade.symbol);
  if (trade.trade_id <= state.watermark) return false;
  state.watermark = trade.trade_id;
  for (CandleInterval interval : intervals_) {
    const Candle trade_candle = CandleOf(trade, interval);
    Merge(state.changes[IndexOf(interval)][trade_candle.open_time], trade_candle);
    ApplyToLive(state.live[IndexOf(interval)], trade_candle);
  }
  return true;
}

std::vector<Candle> CandleAggregator::TakeChanges() {
  std::vector<Candle> out;
  for (auto& [name, state] : symbols_) {
    for (CandleInterval interval : intervals_) {
      auto& changes = state.changes[IndexOf(interval)];
      for (auto& [open_time, candle] : changes)
        out.push_back(candle);
      changes.clear();
    }
  }
  return out;
}

std::optional<Candle> CandleAggregator::Live(std::string_view symbol,
                                             CandleInterval interval) const {
  const SymbolState* state = FindState(symbol);
  if (state == nullptr) return std::nullopt;
  return state->live[IndexOf(interval)];
}

void CandleAggregator::Restore(const Candle& live_full, Sequence watermark) {
  SymbolState& state = StateOf(live_full.symbol);
  state.watermark = std::max({state.watermark, watermark, live_full.last_trade_id});
  if (live_full.trade_count == 0 || !IsKept(live_full.interval)) return;
  state.live[IndexOf(live_full.interval)] = live_full;
}

Sequence CandleAggregator::Watermark(std::string_view symbol) const {
  const SymbolState* state = FindState(symbol);
  return state == nullptr ? 0 : state->watermark;
}

namespace {

struct BucketedTrade {
  std::string_view symbol;
  Timestamp open_time;
  const CandleTrade* trade;
};

bool InGroupOrder(const BucketedTrade& a, const BucketedTrade& b) {
  return std::tie(a.symbol, a.open_time, a.trade->trade_id) <
         std::tie(b.symbol, b.open_time, b.trade->trade_id);
}

bool SameGroup(const BucketedTrade& a, const BucketedTrade& b) {
  return a.symbol == b.symbol && a.open_time == b.open_time;
}

// The candle of `group`: trades of one bucket, sorted by trade id.
Candle CandleOfGroup(std::span<const BucketedTrade> group, CandleInterval interval) {
  const CandleTrade& first = *group.front().trade;
  const CandleTrade& last = *group.back().trade;
  Candle candle;
  candle.symbol = first.symbol;
  candle.interval = interval;
  candle.open_time = group.front().open_time;
  candle.close_time = BucketEnd(candle.open_time, interval);
  candle.open = first.price;
  candle.close = last.price;
  candle.first_trade_id = first.trade_id;
  candle.last_trade_id = last.trade_id;
  candle.high = first.price;
  candle.low = first.price;
  for (const BucketedTrade& entry : group) {
    const CandleTrade& trade = *entry.trade;
    candle.high = std::max(candle.high, trade.price);
    candle.low = std::min(candle.low, trade.price);
    candle.volume += trade.quantity;
    candle.quote_volume += static_cast<__int128>(trade.price) * trade.quantity;
    candle.trade_count += 1;
  }
  return candle;
}

}  // namespace

std::vector<Candle> ComputeCandles(std::span<const CandleTrade> trades, CandleInterval interval) {
  std::vector<BucketedTrade> sorted;
  sorted.reserve(trades.size());
  for (const CandleTrade& trade : trades) {
    sorted.push_back({trade.symbol.view(), BucketStart(trade.time, interval), &trade});
  }
  std::stable_sort(sorted.begin(), sorted.end(), InGroupOrder);

  std::vector<Candle> candles;
  std::size_t begin = 0;
  while (begin < sorted.size()) {
    std::size_t end = begin + 1;
    while (end < sorted.size() && SameGroup(sorted[begin], sorted[end]))
      ++end;
    candles.push_back(CandleOfGroup(std::span(sorted).subspan(begin, end - begin), interval));
    begin = end;
  }
  return candles;
}

}  // namespace exchange::candles
