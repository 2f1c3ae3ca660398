// Events CSV: the engine's events as text, one per line; the output of
// exchange-replay. Columns are documented in README.md ("Events CSV" in
// "Order-flow CSV"). A BALANCE row puts the asset's name in `symbol`,
// available in `qty`, held in `leaves` and the BalanceReason in `reason`;
// an ASSET_ADDED row the asset's name in `symbol` and its decimals in `qty`.
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

// Appends one line (with '\n') for `e` to `out`. `asset_name` names the
// asset of BALANCE, ASSET_ADDED and a rejected deposit or withdrawal;
// without it their symbol column is empty.
void AppendEventCsv(const Event& e, const std::function<std::string_view(SymbolId)>& symbol_name,
                    const std::function<std::string_view(AssetId)>& asset_name, std::string& out);
void AppendEventCsv(const Event& e, const std::function<std::string_view(SymbolId)>& symbol_name,
                    std::string& out);

}  // namespace exchange
