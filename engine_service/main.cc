// exchange-engine: the engine service process. Configuration: a TOML file
// (--config), the environment (EXCHANGE_AMQP_URL), then flags; see --help and
// README.md ("Engine service"). Stops cleanly on SIGINT or SIGTERM.
#include <signal.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cstring>
#include <iomanip>
#include <iostream>
#include <string>

#include "engine_service/core/engine_core.h"
#include "engine_service/engine_service.h"
#include "config/toml_config.h"

namespace {

void AddFlags(CLI::App& app, exchange::ServiceConfig& c, std::string& config_path) {
  app.add_option("--config", config_path,
                 "TOML configuration file (keys: README \"Configuration\")");
  app.add_option("--shard", c.shard, "engine shard name; it consumes queue engine.<shard>")
      ->capture_default_str();
  app.add_option("--data-dir", c.data_dir, "journal and snapshots folder")->capture_default_str();
  app.add_option("--instruments", c.instruments_file, "instruments TOML file")
      ->capture_default_str();
  app.add_option("--symbols", c.symbols,
                 "symbols of this shard (default: every instrument in the file)")
      ->delimiter(',');
  app.add_option("--expected-orders", c.expected_orders, "resting orders to size the engine for")
      ->capture_default_str();
  app.add_option("--snapshot-every", c.snapshot_every,
                 "journal records between background snapshots (0: never)")
      ->capture_default_str();
  app.add_option("--snapshots-kept", c.snapshots_kept,
                 "newest snapshots always kept (older ones stay while recovery may need them)")
      ->capture_default_str();
  app.add_option("--pipeline-slots", c.pipeline_slots,
                 "AMQP messages in flight inside the service (bounds its memory)")
      ->capture_default_str();
  app.add_flag("--events-after-fsync,!--events-after-write", c.events_after_fsync,
               "publish events only after the journal fsync (survives power loss; adds the "
               "fsync latency to every event) instead of after the journal write (survives "
               "kill -9)")
      ->capture_default_str();
  app.add_option("--amqp-url", c.amqp_url,
                 "RabbitMQ URL amqp://user:password@host:port/vhost (env EXCHANGE_AMQP_URL)")
      ->capture_default_str();
  app.add_option("--prefetch", c.prefetch, "unacknowledged deliveries RabbitMQ may send")
      ->capture_default_str();
  app.add_option("--publish-window", c.publish_window,
                 "event batches awaiting publisher confirms before the pipeline pushes back")
      ->capture_default_str();
  app.add_option("--redis-url", c.redis_url,
                 "Redis/KeyDB for the book-state view, redis://user:password@host:port/db "
                 "(env EXCHANGE_REDIS_URL; \"\" turns the view off)");
  app.add_option("--redis-stream-max-length", c.redis_stream_max_length,
                 "depth deltas kept in each symbol's stream (approximate)")
      ->capture_default_str();
  app.add_option(
      "--pg-url", c.pg_url,
      "PostgreSQL for the trade history, finished orders and candles, "
      "postgresql://user:password@host:port/db (env EXCHANGE_PG_URL; \"\" turns it off)");
  app.add_option("--pg-schema", c.pg_schema, "schema of the history tables")->capture_default_str();
  app.add_option("--pg-batch-rows", c.pg_batch_rows,
                 "trades and finished orders per transaction, at most")
      ->capture_default_str();
  app.add_option("--pg-batch-ms", c.pg_batch_ms, "how long a batch waits for more rows")
      ->capture_default_str();
  app.add_option("--pg-connections", c.pg_connections, "connections writing batches at once")
      ->capture_default_str();
  app.add_option("--pg-memory-rows", c.pg_memory_rows,
                 "rows waiting for PostgreSQL in memory, at most; further events wait in "
                 "<data_dir>/history-spool")
      ->capture_default_str();
  app.add_option("--metrics", c.metrics_listen,
                 "Prometheus endpoint host:port (\"\" turns it off, port 0 picks one)")
      ->capture_default_str();
  app.add_option("--log-level", c.log_level, "trace, debug, info, warn, error or off")
      ->capture_default_str();
}

// --inspect: the state on disk (newest snapshot + journal), books included,
// without connecting to anything.
int Inspect(const exchange::ServiceConfig& c, std::size_t levels) {
  exchange::RecoveryReport report;
  exchange::EngineCore core(
      exchange::EngineCore::Options{c.data_dir, c.expected_orders, c.snapshots_kept}, UINT64_MAX,
      &report);
  const exchange::Engine& engine = core.engine();
  std::cout << "data " << c.data_dir << ": engine sequence " << engine.last_sequence()
            << ", journal index " << core.journal_index() << ", "
            << (report.from_snapshot
                    ? "snapshot at journal index " + std::to_string(report.snapshot_index)
                    : std::string("no snapshot"))
            << " + " << report.replayed_records << " journal records, " << engine.live_orders()
            << " live orders, state hash " << std::hex << engine.StateHash() << std::dec << "\n";
  if (!report.journal_damage.empty())
    std::cout << "journal damage: " << report.journal_damage << "\n";
  for (exchange::SymbolId s = 0; s < engine.symbol_count(); ++s) {
    const auto bids = engine.Depth(s, exchange::Side::kBuy, levels);
    const auto asks = engine.Depth(s, exchange::Side::kSell, levels);
    const auto& book = engine.book(s);
    std::cout << "\n"
              << book.instrument.symbol.view() << "  last trade " << book.last_trade_price << "\n  "
              << std::setw(12) << "bid qty" << std::setw(12) << "bid px"
              << " | " << std::setw(12) << "ask px" << std::setw(12) << "ask qty"
              << "\n";
    for (std::size_t i = 0; i < std::max(bids.size(), asks.size()); ++i) {
      auto cell = [](const std::vector<exchange::DepthLevel>& side, std::size_t i, bool qty) {
        if (i >= side.size()) return std::string();
        return std::to_string(qty ? side[i].quantity : side[i].price);
      };
      std::cout << "  " << std::setw(12) << cell(bids, i, true) << std::setw(12)
                << cell(bids, i, false) << " | " << std::setw(12) << cell(asks, i, false)
                << std::setw(12) << cell(asks, i, true) << "\n";
    }
    if (bids.empty() && asks.empty()) std::cout << "  (empty)\n";
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  exchange::ServiceConfig config;
  std::string config_path = exchange::FindConfigPath(argc, argv);
  try {
    if (!config_path.empty()) exchange::LoadConfigFile(config_path, &config);
    exchange::ApplyEnvironment(&config);
  } catch (const std::exception& e) {
    std::cerr << "exchange-engine: " << e.what() << "\n";
    return 2;
  }
  CLI::App app{
      "exchange-engine: the matching engine service. Consumes command batches from RabbitMQ "
      "(queue engine.<shard>), journals and matches them, publishes events to the 'events' "
      "exchange."};
  AddFlags(app, config, config_path);
  bool inspect = false;
  std::size_t levels = 10;
  app.add_flag("--inspect", inspect,
               "print the state on disk (newest snapshot + journal) with each book's top levels, "
               "then exit; run it while the service is stopped");
  app.add_option("--levels", levels, "book levels --inspect prints per side")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  if (inspect) {
    try {
      return Inspect(config, levels);
    } catch (const std::exception& e) {
      std::cerr << "exchange-engine --inspect: " << e.what() << "\n";
      return 1;
    }
  }

  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  spdlog::set_level(spdlog::level::from_str(config.log_level));

  // Signals go to a waiting main thread, never to the pipeline threads.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  try {
    exchange::EngineService service(config);
    service.Start();
    int received = 0;
    sigwait(&signals, &received);
    spdlog::info("{} received: stopping", strsignal(received));
    service.Stop();
  } catch (const std::exception& e) {
    spdlog::critical("exchange-engine: {}", e.what());
    return 1;
  }
  return 0;
}
