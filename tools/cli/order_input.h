// Order input of `exchange-cli send`: the commands of an order-flow CSV with
// their symbols' names (the wire carries names; no SymbolId is resolved
// here), and the one command described by the single-order flags.
//
// Plain functions: any thread, each call touching only its arguments.
#pragma once

#include <cstdint>
#include <functional>
#include <istream>
#include <optional>
#include <string>

#include "engine/command.h"

namespace exchange::cli {

// A command and the name of its symbol; empty for a MassCancel of all symbols.
struct NamedCommand {
  std::string symbol;
  Command command;
};

using NamedCommandSink = std::function<void(NamedCommand&&)>;

// Reads an order-flow CSV (README "Order-flow CSV": the header, then one
// command per line; blank and '#' lines skipped) and calls `each` for every
// command in file order. Timestamps are kept as written (0: the engine stamps
// its receive time). Throws CliError "SOURCE:LINE: what" on the first
// malformed line; `source` names the input in messages.
void ReadNamedOrderFlow(std::istream& in, const std::string& source, const NamedCommandSink& each);

// The same for a file. Throws CliError when it cannot be opened.
void ReadNamedOrderFlowFile(const std::string& path, const NamedCommandSink& each);

// The single-order flags of `send`. Exactly one of: a new order (the
// default), a cancel (cancel_order_id set) or a mass cancel (mass_cancel).
struct SingleOrderFlags {
  std::string symbol;  // required, except for a mass cancel (empty: every symbol)
  std::string side;    // B, S, BUY, SELL; required for a new order
  std::string type = "LIMIT";
  std::string tif = "GTC";
  std::string stp;  // empty: the instrument's default
  std::int64_t price = 0;
  std::int64_t quantity = 0;
  std::int64_t stop_price = 0;
  std::int64_t display_quantity = 0;
  std::int64_t timestamp = 0;  // 0: the engine stamps its receive time
  std::optional<std::uint32_t> account;
  std::optional<std::uint64_t> order_id;
  std::optional<std::uint64_t> cancel_order_id;
  bool mass_cancel = false;
};

// Builds the command the flags describe. Throws CliError naming the flag
// that is missing or wrong.
NamedCommand BuildSingleCommand(const SingleOrderFlags& flags);

}  // namespace exchange::cli
