// exchange-bench: the project's benchmarks. Each subcommand prints a human
// summary followed by one line of JSON.
#include <CLI/CLI.hpp>
#include <exception>
#include <iostream>

#include "bench/binance_bench.h"
#include "bench/bookstate_bench.h"
#include "bench/broker_bench.h"
#include "bench/e2e_bench.h"
#include "bench/engine_bench.h"
#include "bench/fix_bench.h"
#include "bench/history_bench.h"
#include "bench/md_bench.h"
#include "bench/md_ws_bench.h"

int main(int argc, char** argv) {
  CLI::App app{"exchange-bench: benchmarks of the exchange core"};
  app.require_subcommand(1);
  exchange::bench::AddEngineBenchCommand(app);
  exchange::bench::AddE2eBenchCommand(app);
  exchange::bench::AddBookStateBenchCommand(app);
  exchange::bench::AddHistoryBenchCommand(app);
  exchange::bench::AddFixBenchCommand(app);
  exchange::bench::AddMdBenchCommand(app);
  exchange::bench::AddMdWsBenchCommand(app);
  exchange::bench::AddBrokerBenchCommand(app);
  exchange::bench::AddBinanceBenchCommand(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const std::exception& e) {
    std::cerr << "exchange-bench: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
