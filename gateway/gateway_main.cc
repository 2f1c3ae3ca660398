// exchange-gateway: the FIX 4.4 order-entry gateway process. Configuration: a
// TOML file (--config; keys in README.md, "FIX gateway"), EXCHANGE_AMQP_URL,
// then flags. Threads: the I/O thread (this one: sessions, router, sockets),
// the RabbitMQ publisher and the RabbitMQ event consumer. Stops cleanly on
// SIGINT or SIGTERM.
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <boost/asio.hpp>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>

#include "amqp/topology.h"
#include "config/toml_config.h"
#include "gateway/binance/binance_front_end.h"
#include "gateway/command_publisher.h"
#include "gateway/event_consumer.h"
#include "gateway/fix_order_entry.h"
#include "gateway/fix_server.h"
#include "gateway/gateway_config.h"
#include "gateway/order_router.h"

namespace {

using namespace exchange;
using namespace exchange::fix;

std::map<std::string, int> AssetDecimals(const std::string& instruments_file) {
  std::map<std::string, int> decimals;
  for (const AssetSpec& a : LoadInstrumentsFile(instruments_file).assets)
    decimals[std::string(a.name.view())] = a.decimals;
  return decimals;
}

InstrumentTable LoadInstrumentTable(const std::string& path) {
  InstrumentTable table;
  for (InstrumentConfig& i : LoadInstruments(path)) {
    std::string symbol = i.spec.symbol.str();
    table.emplace(std::move(symbol), i);
  }
  return table;
}

// The accounts whose events the gateway receives from the start: its FIX
// sessions'. The Binance API adds its keys' accounts (BinanceFrontEnd).
std::vector<std::uint32_t> AccountsOf(const GatewayConfig& c) {
  std::vector<std::uint32_t> accounts;
  for (const SessionConfig& s : c.sessions)
    accounts.push_back(s.account);
  std::sort(accounts.begin(), accounts.end());
  accounts.erase(std::unique(accounts.begin(), accounts.end()), accounts.end());
  return accounts;
}

// The orders the journal held, each back with its owner: a FIX session or
// an account of the Binance API.
void RestoreOrders(OrderRouter& router, OrderJournal& journal, FixServer& server,
                   FixOrderEntry& fix_entry, binance::BinanceFrontEnd* binance) {
  std::vector<std::string> dropped;
  const std::size_t restored = router.Restore(
      journal.TakeLoaded(),
      [&](std::string_view name) -> OrderOwner* {
        if (FixSession* session = server.SessionNamed(name)) return &fix_entry.OwnerOf(*session);
        return binance ? binance->api().OwnerNamed(name) : nullptr;
      },
      &dropped);
  for (const std::string& why : dropped)
    spdlog::warn("gateway: {}: {}", journal.path(), why);
  spdlog::info("gateway: {} open orders restored from {}", restored, journal.path());
}

int Run(GatewayConfig& config) {
  spdlog::set_level(spdlog::level::from_str(config.log_level));
  const InstrumentTable instruments = LoadInstrumentTable(config.instruments_file);
  const amqp::Url url = amqp::ParseUrl(config.amqp_url);
  boost::asio::io_context io(1);

  const std::int64_t start_ns = WallClockNs();
  CommandPublisher publisher(url, config.EffectiveProducerId(),
                             static_cast<std::uint64_t>(start_ns),
                             std::chrono::microseconds(config.publish_interval_us));
  OrderRouter router(instruments, publisher, static_cast<ClientOrderId>(start_ns));
  FixOrderEntry fix_entry(router);
  FixServer server(io, config, fix_entry);  // creates data_dir
  std::unique_ptr<binance::BinanceFrontEnd> binance;
  if (!config.binance_listen.empty()) {
    binance = std::make_unique<binance::BinanceFrontEnd>(io, config, router,
                                                         AssetDecimals(config.instruments_file));
  }
  // A round's commands leave only after the session records that took them in
  // are on file (a restart must not ask the client to send them again).
  publisher.WakeOncePerRound([&io, &server](std::function<void()> hand_over) {
    boost::asio::post(io, [&server, hand_over = std::move(hand_over)] {
      server.FlushStores();
      hand_over();
    });
  });
  OrderJournal journal((std::filesystem::path(config.data_dir) / "orders.journal").string());
  if (journal.dropped_bytes() != 0) {
    spdlog::warn("gateway: {}: cut {} bytes of a torn record off its end", journal.path(),
                 journal.dropped_bytes());
  }
  router.SetJournal(&journal);
  RestoreOrders(router, journal, server, fix_entry, binance.get());

  // On the I/O thread: a batch of events to reports, then, before RabbitMQ
  // forgets the batch, the reports (to resend after a crash) and then the
  // open orders on file; the API's answers that waited for the batch last.
  EventConsumer consumer(url, "gateway." + config.name, AccountsOf(config),
                         static_cast<std::uint16_t>(config.prefetch),
                         [&](wire::EventBatch batch, EventConsumer::Receipt receipt) {
                           boost::asio::post(io, [&, batch = std::move(batch), receipt] {
                             const std::int64_t now = WallClockNs();
                             for (const wire::EventRecord& r : batch.records) {
                               router.OnEvent(r.event, now);
                               if (binance) binance->api().OnRecord(r);
                             }
                             server.FlushStores();
                             router.FlushJournal();
                             consumer.MarkHandled(receipt);
                             if (binance) binance->api().OnBatchEnd();
                           });
                         });
  if (auto error = publisher.Start(std::chrono::seconds(10))) {
    spdlog::warn("gateway: RabbitMQ not reachable yet ({}); orders are refused until it is",
                 *error);
  }
  if (auto error = consumer.Start(std::chrono::seconds(10))) {
    spdlog::warn("gateway: event queue not consumed yet ({}); reports wait in RabbitMQ", *error);
  }
  server.Start();
  if (binance) {
    binance->Start([&](std::vector<AccountId> accounts, std::function<void()> bound) {
      consumer.AddAccounts(std::move(accounts),
                           [&io, bound = std::move(bound)] { boost::asio::post(io, bound); });
    });
  }
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    spdlog::info("gateway: signal {}, stopping", signal);
    server.Stop();
    if (binance) binance->Stop();
    io.stop();
  });
  spdlog::info("gateway {}: listening on {} (port {}), {} sessions, {} instruments, queue {}",
               config.name, config.listen, server.port(), config.sessions.size(),
               instruments.size(), "gateway." + config.name);
  std::cout << "exchange-gateway: listening on port " << server.port() << std::endl;
  if (binance)
    std::cout << "exchange-gateway: binance api on port " << binance->port() << std::endl;
  io.run();
  router.FlushJournal();
  consumer.Stop();
  publisher.Stop();
  spdlog::info("gateway: stopped");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  GatewayConfig config;
  CLI::App app{"exchange-gateway: FIX 4.4 order entry for the exchange engine"};
  std::string config_path;
  app.add_option("--config", config_path, "TOML configuration (keys: README \"FIX gateway\")");
  try {
    const std::string path = FindConfigPath(argc, argv);
    if (!path.empty()) LoadGatewayConfig(path, &config);
    if (const char* url = std::getenv("EXCHANGE_AMQP_URL"); url && *url) config.amqp_url = url;
    if (const char* f = std::getenv("EXCHANGE_API_KEY_FILE"); f && *f) config.api_key_file = f;
    if (const char* pg = std::getenv("EXCHANGE_PG_URL"); pg && *pg && config.api_pg_url.empty()) {
      config.api_pg_url = pg;
    }
    if (const char* r = std::getenv("EXCHANGE_REDIS_URL");
        r && *r && config.api_redis_url.empty()) {
      config.api_redis_url = r;
    }
  } catch (const std::exception& e) {
    std::cerr << "exchange-gateway: " << e.what() << "\n";
    return 2;
  }
  app.add_option("--name", config.name, "gateway name; its event queue is gateway.<name>")
      ->capture_default_str();
  app.add_option("--listen", config.listen, "host:port to accept FIX clients on (port 0: any)")
      ->capture_default_str();
  app.add_option("--data-dir", config.data_dir, "folder of the session stores")
      ->capture_default_str();
  app.add_option("--instruments", config.instruments_file, "instruments TOML file")
      ->capture_default_str();
  app.add_option("--amqp-url", config.amqp_url, "RabbitMQ URL (env EXCHANGE_AMQP_URL)");
  app.add_option("--binance-listen", config.binance_listen,
                 "host:port of the Binance-compatible trading API (port 0: any; empty: off)");
  app.add_option("--api-key-file", config.api_key_file,
                 "master key file of the API keys (env EXCHANGE_API_KEY_FILE)");
  app.add_option("--api-pg-url", config.api_pg_url,
                 "PostgreSQL holding the api_keys table (env EXCHANGE_PG_URL)");
  app.add_option("--api-pg-schema", config.api_pg_schema, "schema of the api_keys table")
      ->capture_default_str();
  app.add_option("--log-level", config.log_level, "trace debug info warn error off")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  try {
    config.Validate();
    return Run(config);
  } catch (const std::exception& e) {
    std::cerr << "exchange-gateway: " << e.what() << "\n";
    return 1;
  }
}
