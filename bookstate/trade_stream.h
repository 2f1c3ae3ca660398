// The trade stream of a symbol (book:{S}:trades): one entry per book-state
// write that saw trades, with the fields
//   first  last   the sequences of its first and last trade
//   trades        "sequence:price:quantity:time:B|S,..." (taker side B or S)
// so that a follower (exchange-md's WebSocket feed) gets every trade in
// order with its engine sequence, price, size, engine time and aggressor.
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
