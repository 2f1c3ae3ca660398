// Candle: the OHLCV summary of the trades of one symbol inside one bucket of
// one interval, and CandleTrade, the part of a trade a candle needs.
//
// Candles built from disjoint sets of trades of the same (symbol, interval,
// open_time) form a commutative monoid under Merge: merging partial candles
// in any order and grouping gives the candle of all their trades. Open and
// close are decided by trade id (the engine sequence), never by arrival
// order or trade time. That is what lets deltas be merged into storage.
//
// Plain values and pure functions: any thread.
#pragma once

#include <cstdint>
#include <string>

#include "candles/candle_interval.h"
#include "engine/instrument.h"
#include "engine/types.h"

namespace exchange::candles {

// One trade as the candles see it. trade_id is the engine sequence of the
// TRADE event (unique, starts at 1); time is stamped by the producer and may
// go backwards relative to trade_id.
struct CandleTrade {
  SymbolName symbol;
  Sequence trade_id = 0;
  Timestamp time = 0;  // ns since the Unix epoch, UTC
  Price price = 0;
  Quantity quantity = 0;
};

struct Candle {
  SymbolName symbol;
  CandleInterval interval = CandleInterval::k1m;
  Timestamp open_time = 0;   // bucket start, inclusive
  Timestamp close_time = 0;  // bucket end, exclusive: the next bucket's start
  Price open = 0;            // price of the trade with the smallest trade id
  Price high = 0;
  Price low = 0;
  Price close = 0;                // price of the trade with the largest trade id
  Quantity volume = 0;            // sum of quantities
  __int128 quote_volume = 0;      // sum of price × quantity, exact
  std::uint64_t trade_count = 0;  // 0 only for an empty (identity) candle
  Sequence first_trade_id = 0;
  Sequence last_trade_id = 0;

  bool operator==(const Candle&) const = default;
};

// The candle of the single trade `trade` in its bucket of `interval`.
Candle CandleOf(const CandleTrade& trade, CandleInterval interval);

// Folds `other` into `into`. Both must summarise disjoint sets of trades of
// the same (symbol, interval, open_time); a candle with trade_count 0 is the
// identity. Throws std::invalid_argument when the keys differ.
void Merge(Candle& into, const Candle& other);

// `value` in decimal ("-" for negatives), as PostgreSQL numeric and JSON take it.
std::string QuoteVolumeString(__int128 value);

}  // namespace exchange::candles
