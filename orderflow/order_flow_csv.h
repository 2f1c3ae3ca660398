// Order-flow CSV: one command per line, the input of exchange-replay and
// exchange-bench. Header and field rules are documented in README.md
// ("Order-flow CSV"). Actions N C R M H U (orders and symbols), D and W
// (deposit and withdrawal: order_id = transfer id, symbol = the asset's
// name, qty = the amount in the asset's units).
//
// A reader belongs to one thread.
#pragma once

#include <functional>
#include <istream>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "engine/command.h"

namespace exchange {

inline constexpr std::string_view kOrderFlowHeader =
    "action,ts_ns,account,order_id,symbol,side,type,tif,price,qty,stop_price,display_qty,stp";

// Maps a symbol name to its id; kUnknownSymbol when the engine has none
// (the engine then rejects the command with UNKNOWN_SYMBOL).
using SymbolResolver = std::function<SymbolId(std::string_view)>;

// Maps an asset name to its id; kUnknownAsset when the engine has none (the
// engine then rejects the deposit or withdrawal with UNKNOWN_ASSET). An empty
// resolver resolves every name to kUnknownAsset.
using AssetResolver = std::function<AssetId(std::string_view)>;

class OrderFlowError : public std::runtime_error {
 public:
  OrderFlowError(std::size_t line, const std::string& what)
      : std::runtime_error("line " + std::to_string(line) + ": " + what), line_(line) {}
  std::size_t line() const { return line_; }

 private:
  std::size_t line_;
};

// Parses one data line (no header). Throws OrderFlowError for a malformed line.
Command ParseOrderFlowLine(std::string_view line, std::size_t line_number,
                           const SymbolResolver& symbols, const AssetResolver& assets = {});

// Formats a command as one CSV line (without newline), the inverse of the
// parser. AddInstrument, AddAsset and SetFees have no row: they become
// comment lines ("#add-instrument BTC-USD", "#add-asset USD decimals=2",
// "#set-fees BTC-USD default maker_ppm=0 taker_ppm=0"). `asset_name` names
// the asset of a D or W row; without it the symbol column is left empty.
// NewOrder::quote_quantity has no column and is not written.
std::string FormatOrderFlowLine(const Command& command,
                                const std::function<std::string(SymbolId)>& symbol_name,
                                const std::function<std::string(AssetId)>& asset_name = {});

// Calls f(line, line_number) for each data line of an order-flow CSV: checks
// the header, skips blank lines and lines starting with '#', drops a trailing
// '\r'. Throws OrderFlowError for a missing or wrong header or a read error.
void ForEachOrderFlowLine(std::istream& in,
                          const std::function<void(std::string_view, std::size_t)>& f);

// Reads a whole file: checks the header, skips blank lines and lines starting
// with '#'. Throws OrderFlowError on the first malformed line.
std::vector<Command> ReadOrderFlow(std::istream& in, const SymbolResolver& symbols,
                                   const AssetResolver& assets = {});

}  // namespace exchange
