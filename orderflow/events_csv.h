// Events CSV: the engine's events as text, one per line; the output of
// exchange-replay. Columns are documented in README.md ("Events CSV").
//
// A plain formatter; any thread.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "engine/event.h"

namespace exchange {

inline constexpr std::string_view kEventsHeader =
    "seq,event,account,order_id,symbol,side,price,qty,leaves,maker_account,maker_order_id,reason";

// Appends one line (with '\n') for `e` to `out`.
void AppendEventCsv(const Event& e, const std::function<std::string_view(SymbolId)>& symbol_name,
                    std::string& out);

}  // namespace exchange
