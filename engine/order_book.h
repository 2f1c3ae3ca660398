// OrderBook: everything the engine knows about one symbol: its instrument,
// the bid and ask sides, the held stop orders, the last trade and whether
// trading is halted. Passive data; the Matcher moves orders in and out.
//
// Owned by the Engine; engine thread only.
#pragma once

#include "engine/book_side.h"
#include "engine/instrument.h"
#include "engine/stop_book.h"

namespace exchange {

struct OrderBook {
  explicit OrderBook(const InstrumentSpec& spec) : instrument(spec) {}

  InstrumentSpec instrument;
  BookSide bids{Side::kBuy, instrument.tick_size};
  BookSide asks{Side::kSell, instrument.tick_size};
  StopBook stops;
  Price last_trade_price = 0;  // 0 until the first trade
  bool halted = false;

  BookSide& side(Side s) { return s == Side::kBuy ? bids : asks; }
  const BookSide& side(Side s) const { return s == Side::kBuy ? bids : asks; }
  BookSide& opposite(Side s) { return s == Side::kBuy ? asks : bids; }

  // The price the band is measured from: last trade, else the reference price.
  Price band_reference() const {
    return last_trade_price != 0 ? last_trade_price : instrument.reference_price;
  }
};

}  // namespace exchange
