#include "tools/cli/order_input.h"

#include <fstream>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "orderflow/csv_fields.h"
#include "orderflow/order_flow_csv.h"
#include "tools/cli/cli_error.h"
#include "tools/cli/command_batcher.h"

namespace exchange::cli {

namespace {

constexpr std::size_t kSymbolColumn = 4;  // in kOrderFlowHeader

SymbolId NoResolution(std::string_view) {
  return kUnknownSymbol;
}

// The symbol column of a line ParseOrderFlowLine accepted (so it has every column).
std::string SymbolColumn(std::string_view line) {
  const std::vector<std::string_view> fields = SplitCsv(line);
  return std::string(fields[kSymbolColumn]);
}

[[noreturn]] void FailAt(const std::string& source, std::size_t line, const std::string& what) {
  throw CliError(kExitBadInput, source + ":" + std::to_string(line) + ": " + what);
}

NamedCommand ParseLine(std::string_view line, std::size_t number, const std::string& source) {
  NamedCommand named;
  try {
    named.command = ParseOrderFlowLine(line, number, NoResolution);
  } catch (const OrderFlowError& e) {
    // e.what() is "line N: what"; say it as SOURCE:N: what.
    std::string what = e.what();
    const std::size_t colon = what.find(": ");
    FailAt(source, number, colon == std::string::npos ? what : what.substr(colon + 2));
  }
  named.symbol = SymbolColumn(line);
  const bool all_symbols =
      named.symbol.empty() && std::holds_alternative<MassCancel>(named.command.body);
  if (!all_symbols) {
    if (const std::string problem = WireSymbolProblem(named.symbol); !problem.empty()) {
      FailAt(source, number, problem);
    }
  }
  return named;
}

template <typename T>
T ParseEnumFlag(const std::string& flag, const std::string& text,
                std::optional<T> (*parse)(std::string_view), const char* allowed) {
  const std::optional<T> value = parse(text);
  if (!value) {
    throw CliError(kExitBadInput,
                   "unknown " + flag + " '" + text + "' (expected one of " + allowed + ")");
  }
  return *value;
}

void Require(bool present, const char* flag, const char* what) {
  if (!present) throw CliError(kExitBadInput, std::string(flag) + " is required " + what);
}

NewOrder BuildNewOrder(const SingleOrderFlags& f) {
  Require(!f.symbol.empty(), "--symbol", "for a new order");
  Require(!f.side.empty(), "--side", "for a new order (B or S)");
  Require(f.account.has_value(), "--account", "for a new order");
  Require(f.order_id.has_value(), "--order-id", "for a new order");
  Require(f.quantity != 0, "--qty", "for a new order");
  NewOrder o;
  o.account = *f.account;
  o.order_id = *f.order_id;
  o.side = ParseEnumFlag<Side>("--side", f.side, ParseSide, "B, S, BUY, SELL");
  o.type = ParseEnumFlag<OrderType>("--type", f.type, ParseOrderType,
                                    "LIMIT, MARKET, POST_ONLY, STOP, STOP_LIMIT, ICEBERG");
  o.tif = ParseEnumFlag<TimeInForce>("--tif", f.tif, ParseTimeInForce, "GTC, IOC, FOK");
  if (!f.stp.empty()) {
    o.stp = ParseEnumFlag<StpMode>("--stp", f.stp, ParseStpMode,
                                   "DEFAULT, CANCEL_RESTING, CANCEL_INCOMING, CANCEL_BOTH");
  }
  o.price = f.price;
  o.quantity = f.quantity;
  o.stop_price = f.stop_price;
  o.display_quantity = f.display_quantity;
  return o;
}

}  // namespace

void ReadNamedOrderFlow(std::istream& in, const std::string& source, const NamedCommandSink& each) {
  try {
    ForEachOrderFlowLine(in, [&](std::string_view line, std::size_t number) {
      each(ParseLine(line, number, source));
    });
  } catch (const OrderFlowError& e) {
    const std::string what = e.what();  // "line N: why"
    const auto colon = what.find(": ");
    FailAt(source, e.line(), colon == std::string::npos ? what : what.substr(colon + 2));
  }
}

void ReadNamedOrderFlowFile(const std::string& path, const NamedCommandSink& each) {
  std::ifstream in(path);
  if (!in) throw CliError(kExitBadInput, path + ": cannot open the order-flow CSV");
  ReadNamedOrderFlow(in, path, each);
}

NamedCommand BuildSingleCommand(const SingleOrderFlags& f) {
  if (f.cancel_order_id && f.mass_cancel) {
    throw CliError(kExitBadInput, "--cancel and --mass-cancel exclude each other");
  }
  NamedCommand named;
  named.symbol = f.symbol;
  named.command.timestamp = f.timestamp;
  if (f.cancel_order_id) {
    Require(!f.symbol.empty(), "--symbol", "for --cancel");
    Require(f.account.has_value(), "--account", "for --cancel");
    CancelOrder c;
    c.account = *f.account;
    c.order_id = *f.cancel_order_id;
    named.command.body = c;
  } else if (f.mass_cancel) {
    Require(f.account.has_value(), "--account", "for --mass-cancel");
    MassCancel m;
    m.account = *f.account;
    named.command.body = m;
  } else {
    named.command.body = BuildNewOrder(f);
  }
  if (!named.symbol.empty()) {
    if (const std::string problem = WireSymbolProblem(named.symbol); !problem.empty()) {
      throw CliError(kExitBadInput, "--symbol: " + problem);
    }
  }
  return named;
}

}  // namespace exchange::cli
