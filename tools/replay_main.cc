// exchange-replay: replays an order-flow CSV (or a LOBSTER message file)
// through the matching engine and writes every event (or the book after
// every LOBSTER event). Prints a one-screen summary.
#include <CLI/CLI.hpp>
#include <chrono>
#include <fstream>
#include <iostream>
#include <map>
#include <string>

#include "config/instruments_file.h"
#include "engine/engine.h"
#include "orderflow/events_csv.h"
#include "orderflow/lobster.h"
#include "orderflow/order_flow_csv.h"

namespace exchange {
namespace {

struct Options {
  std::string orders_file;
  std::string events_file;
  std::string instruments_file = "config/instruments.toml";
  std::string risk;  // "cash" or "none" for every instrument; "": as the file says
  bool skip_bad_lines = false;
  std::string lobster_file;
  std::string lobster_book_file;
  std::string lobster_orderbook_input;
  std::size_t levels = 0;
};

// Opens `path` for writing, or standard output for "-".
std::ostream& OpenOutput(const std::string& path, std::ofstream& file) {
  if (path == "-") return std::cout;
  file.open(path);
  if (!file) throw std::runtime_error(path + ": cannot open for writing");
  return file;
}

// Cash risk: per asset, what came in and out and what the accounts hold.
void PrintAssetTotals(const Engine& engine, std::ostream& out) {
  const Ledger& ledger = engine.ledger();
  for (AssetId a = 0; a < engine.asset_count(); ++a) {
    if (ledger.deposited(a) == 0 && ledger.Total(a) == 0) continue;
    const Balance fees = ledger.Get(kFeeAccount, a);
    const Balance rounding = ledger.Get(kRoundingAccount, a);
    const bool ok = ledger.Total(a) == ledger.deposited(a) - ledger.withdrawn(a);
    out << engine.asset(a).name.view() << ": deposited " << ledger.deposited(a) << ", withdrawn "
        << ledger.withdrawn(a) << ", balances " << ledger.Total(a) << " (fees "
        << fees.available + fees.held << ", rounding " << rounding.available + rounding.held << ") "
        << (ok ? "balanced" : "NOT BALANCED") << "\n";
  }
}

int ReplayOrders(const Options& o) {
  InstrumentsFile file = LoadInstrumentsFile(o.instruments_file);
  if (!o.risk.empty()) OverrideRisk(file, *ParseRiskMode(o.risk));
  Engine engine;
  AddToEngine(file, engine);
  auto resolve = [&](std::string_view name) {
    return engine.FindSymbol(name).value_or(kUnknownSymbol);
  };
  auto resolve_asset = [&](std::string_view name) {
    return engine.FindAsset(name).value_or(kUnknownAsset);
  };
  auto symbol_name = [&](SymbolId id) -> std::string_view {
    return id < engine.symbol_count() ? engine.book(id).instrument.symbol.view()
                                      : std::string_view();
  };

  auto asset_name = [&](AssetId id) -> std::string_view {
    return id < engine.asset_count() ? engine.asset(id).name.view() : std::string_view();
  };
  std::ifstream in(o.orders_file);
  if (!in) throw std::runtime_error(o.orders_file + ": cannot open");
  std::ofstream events_file;
  std::ostream* events = o.events_file.empty() ? nullptr : &OpenOutput(o.events_file, events_file);
  if (events) *events << kEventsHeader << '\n';

  std::map<std::string_view, std::size_t> counts;
  std::size_t commands = 0, bad_lines = 0, number = 0;
  std::string line, out;
  bool header = false;
  const auto start = std::chrono::steady_clock::now();
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line.front() == '#') continue;
    if (!header) {
      if (line != kOrderFlowHeader) {
        std::cerr << o.orders_file << ":" << number << ": expected the header '" << kOrderFlowHeader
                  << "'\n";
        return 2;
      }
      header = true;
      continue;
    }
    Command command;
    try {
      command = ParseOrderFlowLine(line, number, resolve, resolve_asset);
    } catch (const OrderFlowError& e) {
      std::cerr << o.orders_file << ":" << e.what() << "\n";
      ++bad_lines;
      if (!o.skip_bad_lines) return 2;
      continue;
    }
    ++commands;
    out.clear();
    for (const Event& e : engine.Process(command)) {
      ++counts[ToString(e.type)];
      if (events) AppendEventCsv(e, symbol_name, asset_name, out);
    }
    if (events) *events << out;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << "replayed " << commands << " commands from " << o.orders_file << " in " << seconds
            << " s";
  if (bad_lines) std::cout << " (" << bad_lines << " bad lines skipped)";
  std::cout << "\nevents:";
  for (const auto& [name, n] : counts)
    std::cout << " " << name << "=" << n;
  std::cout << "\nlive_orders=" << engine.live_orders()
            << " last_sequence=" << engine.last_sequence() << " state_hash=" << std::hex
            << engine.StateHash() << std::dec << "\n";
  for (SymbolId s = 0; s < engine.symbol_count(); ++s) {
    const OrderBook& b = engine.book(s);
    const PriceLevel* bid = b.bids.Best();
    const PriceLevel* ask = b.asks.Best();
    if (!bid && !ask && b.last_trade_price == 0) continue;
    std::cout << b.instrument.symbol.view() << ": bid " << (bid ? bid->displayed : 0) << " @ "
              << (bid ? bid->price : 0) << ", ask " << (ask ? ask->displayed : 0) << " @ "
              << (ask ? ask->price : 0) << ", last " << b.last_trade_price << "\n";
  }
  PrintAssetTotals(engine, std::cout);
  if (events && !o.events_file.empty() && o.events_file != "-") {
    std::cout << "events written to " << o.events_file << "\n";
  }
  return 0;
}

int RunLobster(const Options& o) {
  LobsterReplayOptions options;
  options.message_file = o.lobster_file;
  options.orderbook_file = o.lobster_orderbook_input;
  options.levels = o.levels;
  options.book_output = o.lobster_book_file;
  return RunLobsterReplay(options, std::cout);
}

}  // namespace
}  // namespace exchange

int main(int argc, char** argv) {
  exchange::Options o;
  CLI::App app{"exchange-replay: replay an order flow through the matching engine"};
  auto* orders = app.add_option("--orders", o.orders_file, "Order-flow CSV to replay");
  app.add_option("--events", o.events_file, "Write every event as CSV here ('-' for stdout)");
  app.add_option("--instruments", o.instruments_file, "Instruments TOML")->capture_default_str();
  app.add_option("--risk", o.risk,
                 "cash or none for every instrument (default: each instrument's own 'risk')")
      ->check(CLI::IsMember({"cash", "none"}));
  app.add_flag("--skip-bad-lines", o.skip_bad_lines,
               "Report malformed lines and go on (default: stop at the first)");
  auto* lobster = app.add_option("--lobster", o.lobster_file, "LOBSTER message file to replay");
  app.add_option("--orderbook", o.lobster_orderbook_input,
                 "LOBSTER order-book file (default: derived from the message file name)");
  app.add_option("--levels", o.levels,
                 "Book levels to write and compare (LOBSTER; default: the file's)")
      ->capture_default_str();
  app.add_option("--book", o.lobster_book_file, "Write the top levels after every LOBSTER event");
  orders->excludes(lobster);
  app.require_option(1, 0);
  CLI11_PARSE(app, argc, argv);
  if (o.orders_file.empty() && o.lobster_file.empty()) {
    std::cerr << "exchange-replay: give --orders FILE.csv or --lobster MESSAGE.csv\n";
    return 2;
  }
  try {
    return o.lobster_file.empty() ? exchange::ReplayOrders(o) : exchange::RunLobster(o);
  } catch (const std::exception& e) {
    std::cerr << "exchange-replay: " << e.what() << "\n";
    return 2;
  }
}
