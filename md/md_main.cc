// exchange-md: the market-data HTTP server (TradingView UDF, Binance-style
// REST, /metrics) over the Redis book-state view and the PostgreSQL
// history. Configuration: a TOML file (--config; keys in md/README.md),
// EXCHANGE_REDIS_URL and EXCHANGE_PG_READER_URL, then flags. Threads: the
// main thread waits for SIGINT or SIGTERM; `threads` serving threads answer
// requests. Stops cleanly on either signal.
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <cstdlib>
#include <iostream>

#include "config/toml_config.h"
#include "md/feed/market_feed.h"
#include "md/http/http_server.h"
#include "md/http/request_metrics.h"
#include "md/md_config.h"

namespace {

using namespace exchange::md;

int Run(const MdConfig& config) {
  spdlog::set_level(spdlog::level::from_str(config.log_level));
  const ListenAddress address = ParseListen(config.listen);
  RequestMetrics metrics(config.threads);
  RequestHandler::Options handler_options;
  handler_options.source.redis_url = config.redis_url;
  handler_options.source.pg_url = config.pg_url;
  handler_options.source.pg_schema = config.pg_schema;
  handler_options.source.retry = std::chrono::milliseconds(config.retry_ms);
  handler_options.source.klines_cache_rows = config.klines_cache_rows;
  handler_options.source.klines_freshness = *ParseKlinesFreshness(config.klines_freshness);
  handler_options.gzip_min_bytes = config.gzip_min_bytes;
  handler_options.site = StaticSite::LoadOrWarn(config.web_root);
  handler_options.rate_limits.request_weight_per_minute =
      static_cast<std::int64_t>(config.request_weight_per_minute);
  handler_options.rate_limits.enforce_weight = config.enforce_request_weight;
  handler_options.weights = std::make_shared<exchange::RequestWeights>(
      handler_options.rate_limits.request_weight_per_minute);

  HttpServer::Options server_options;
  server_options.host = address.host;
  server_options.port = address.port;
  server_options.threads = config.threads;
  server_options.idle_timeout = std::chrono::milliseconds(config.idle_timeout_ms);
  server_options.ws.max_pending_bytes = config.ws_max_pending_bytes;
  server_options.ws.socket_send_buffer = config.ws_send_buffer_bytes;
  server_options.ws.ping_interval = std::chrono::milliseconds(config.ws_ping_interval_ms);
  server_options.ws.pong_timeout = std::chrono::milliseconds(config.ws_pong_timeout_ms);
  server_options.ws.max_messages_per_second = config.ws_max_messages_per_second;
  server_options.ws.max_lifetime = std::chrono::milliseconds(config.ws_max_lifetime_ms);
  HttpServer server(server_options, [&](std::size_t index) {
    return std::make_unique<RequestHandler>(handler_options, metrics.stats_of(index), metrics);
  });
  metrics.AttachWsStats(&server.ws_stats());
  MarketFeed::Options feed_options;
  feed_options.redis_url = config.redis_url;
  feed_options.pg_url = config.pg_url;
  feed_options.pg_schema = config.pg_schema;
  feed_options.retry = std::chrono::milliseconds(config.retry_ms);
  feed_options.batch_interval = std::chrono::milliseconds(config.ws_batch_ms);
  MarketFeed feed(feed_options, server.registry(), server.ws_stats(),
                  [&server](std::shared_ptr<const FeedBatch> batch) { server.Publish(batch); });
  server.Start();
  feed.Start();
  spdlog::info("md: listening on {} (port {}), {} threads, postgres schema {}", config.listen,
               server.port(), config.threads, config.pg_schema);
  std::cout << "exchange-md: listening on port " << server.port() << std::endl;

  boost::asio::io_context signals_io(1);
  boost::asio::signal_set signals(signals_io, SIGINT, SIGTERM);
  signals.async_wait([](const boost::system::error_code& ec, int signal) {
    if (!ec) spdlog::info("md: signal {}, stopping", signal);
  });
  signals_io.run();
  feed.Stop();
  server.Stop();
  spdlog::info("md: stopped");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  MdConfig config;
  CLI::App app{"exchange-md: market data over HTTP (TradingView UDF, Binance-style REST)"};
  std::string config_path;
  app.add_option("--config", config_path, "TOML configuration (keys: md/README.md)");
  try {
    const std::string path = exchange::FindConfigPath(argc, argv);
    if (!path.empty()) LoadMdConfig(path, &config);
    ApplyEnvironment(&config);
  } catch (const std::exception& e) {
    std::cerr << "exchange-md: " << e.what() << "\n";
    return 2;
  }
  app.add_option("--listen", config.listen, "host:port to serve HTTP on (port 0: any)")
      ->capture_default_str();
  app.add_option("--threads", config.threads, "serving threads (one io_context each)")
      ->capture_default_str();
  app.add_option("--redis-url", config.redis_url, "Redis book-state view (env EXCHANGE_REDIS_URL)");
  app.add_option("--pg-url", config.pg_url,
                 "PostgreSQL, read-only role (env EXCHANGE_PG_READER_URL)");
  app.add_option("--pg-schema", config.pg_schema, "schema of the history tables")
      ->capture_default_str();
  app.add_option("--web-root", config.web_root, "the chart page's files, served at / (\"\": none)")
      ->capture_default_str();
  app.add_option("--klines-freshness", config.klines_freshness,
                 "when the klines cache rereads the history's version: on-notify, every-request");
  app.add_option("--ws-batch-ms", config.ws_batch_ms,
                 "WebSocket feed: read Redis at most once per this many ms")
      ->capture_default_str();
  app.add_option("--log-level", config.log_level, "trace debug info warn error off")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  try {
    config.Validate();
    return Run(config);
  } catch (const std::exception& e) {
    std::cerr << "exchange-md: " << e.what() << "\n";
    return 1;
  }
}
