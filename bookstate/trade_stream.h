// The trade stream of a symbol (book:{S}:trades): one entry per book-state
// write that saw trades, with the fields
//   first  last   the sequences of its first and last trade
//   trades        "sequence:price:quantity:time:B|S:taker,..." (taker side B
//                 or S; taker the taker's exchange order id)
// so that a follower (exchange-md's WebSocket feed) gets every trade in
// order with its engine sequence, price, size, engine time, aggressor and
// taker order (for Binance's aggregate trades: one taker order's fills at
// one price). An entry written before the taker was added lacks
// ":taker"; it parses with taker_order 0 (unknown).
// The book-state writer appends it in the same MULTI/EXEC as the depth.
//
// Plain functions; any thread.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bookstate/book_view.h"

namespace exchange::bookstate {

void AppendTradeList(std::string& out, std::span<const TradePrint> trades);

// A stream entry's field/value pairs → its trades; nullopt when malformed.
std::optional<std::vector<TradePrint>> ParseTradeEntry(
    const std::vector<std::pair<std::string_view, std::string_view>>& fields);

}  // namespace exchange::bookstate
