// exchange-engine: the engine service process. Configuration: a TOML file
// (--config), the environment (EXCHANGE_AMQP_URL), then flags; see --help and
// README.md ("Engine service"). Stops cleanly on SIGINT or SIGTERM.
#include <signal.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cstring>
#include <iostream>
#include <string>

#include "engine/service/runtime/engine_service.h"

namespace {

// --config must be known before the other flags are parsed, so that flags
// override the file: find it first.
std::string FindConfigPath(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--config" && i + 1 < argc) return argv[i + 1];
    if (arg.rfind("--config=", 0) == 0) return arg.substr(9);
  }
  return "";
}

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
  app.add_option("--amqp-url", c.amqp_url,
                 "RabbitMQ URL amqp://user:password@host:port/vhost (env EXCHANGE_AMQP_URL)")
      ->capture_default_str();
  app.add_option("--prefetch", c.prefetch, "unacknowledged deliveries RabbitMQ may send")
      ->capture_default_str();
  app.add_option("--publish-window", c.publish_window,
                 "event batches awaiting publisher confirms before the pipeline pushes back")
      ->capture_default_str();
  app.add_option("--metrics", c.metrics_listen,
                 "Prometheus endpoint host:port (\"\" turns it off, port 0 picks one)")
      ->capture_default_str();
  app.add_option("--log-level", c.log_level, "trace, debug, info, warn, error or off")
      ->capture_default_str();
}

}  // namespace

int main(int argc, char** argv) {
  exchange::ServiceConfig config;
  std::string config_path = FindConfigPath(argc, argv);
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
  CLI11_PARSE(app, argc, argv);

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
