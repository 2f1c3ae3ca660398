#include "bench/binance_bench.h"

#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <memory>

#include "bench/binance/load.h"
#include "bench/binance/stack.h"
#include "bench/logged_process.h"
#include "bench/run_summary.h"
#include "testing/service_env.h"

namespace exchange::bench {
namespace binance_bench {
namespace {

struct Options {
  std::size_t runs = 5;
  LoadOptions load;
  std::string amqp_url, pg_url, engine_bin, gateway_bin, cli_bin, json_file;
};

struct RunResult {
  LoadResult load;
  std::string stop_problems;
  LatencyTrace latency_trace;
};

void Validate(Options& o) {
  auto fail = [](const std::string& what) { throw std::runtime_error(what); };
  if (o.runs == 0 || !(o.load.rate > 0) || !(o.load.seconds > 0) || o.load.connections == 0) {
    fail("--runs, --rate, --seconds and --connections must be positive");
  }
  if (o.amqp_url.empty()) o.amqp_url = testing::ServiceUrl("EXCHANGE_AMQP_URL");
  if (o.pg_url.empty()) o.pg_url = testing::ServiceUrl("EXCHANGE_PG_URL");
  if (o.amqp_url.empty() || o.pg_url.empty()) {
    fail(
        "EXCHANGE_AMQP_URL and EXCHANGE_PG_URL must be set (the API keys live in PostgreSQL): "
        "eval \"$(scripts/services.sh env)\"");
  }
  if (o.engine_bin.empty()) o.engine_bin = BesideSelf("exchange-engine");
  if (o.gateway_bin.empty()) o.gateway_bin = BesideSelf("exchange-gateway");
  if (o.cli_bin.empty()) o.cli_bin = BesideSelf("exchange-cli");
  for (const std::string& bin : {o.engine_bin, o.gateway_bin, o.cli_bin}) {
    if (::access(bin.c_str(), X_OK) != 0) fail(bin + " is missing or not executable: build it");
  }
}

RunResult RunOnce(const Options& o, std::size_t run) {
  const std::string tag = std::to_string(::getpid() % 100000) + std::to_string(run);
  const std::string dir =
      (std::filesystem::temp_directory_path() / ("bench-binance-" + tag)).string();
  std::filesystem::create_directories(dir);
  RunResult r;
  {
    BinanceStack stack({o.amqp_url, o.pg_url, o.engine_bin, o.gateway_bin, o.cli_bin, dir, tag});
    LoadOptions load = o.load;
    load.port = stack.port();
    load.symbol = stack.symbol();
    r.load = RunLoad(load, stack.seller(), stack.buyer());
    stack.Check();
    r.stop_problems = stack.Stop();
  }
  r.latency_trace = r.load.trace;
  std::filesystem::remove_all(dir);
  return r;
}

double Us(std::int64_t ns) {
  return static_cast<double>(ns) / 1000.0;
}

void PrintRun(std::size_t i, const RunResult& r) {
  const LatencyRecorder& l = r.load.latencies;
  std::cout << "  run " << i + 1 << ": " << r.load.answered << " of " << r.load.sent
            << " orders answered 200, " << r.load.refused << " refused, "
            << Fixed(r.load.achieved_per_second, 0) << " orders/s; latency us p50 "
            << Fixed(Us(l.Percentile(50)), 0) << " p90 " << Fixed(Us(l.Percentile(90)), 0)
            << " p99 " << Fixed(Us(l.Percentile(99)), 0) << " p99.9 "
            << Fixed(Us(l.Percentile(99.9)), 0) << " max " << Fixed(Us(l.Max()), 0) << "\n";
  if (!r.load.first_refusal.empty())
    std::cout << "    first refusal: " << r.load.first_refusal << "\n";
}

nlohmann::json Summarize(const Options& o, const std::vector<RunResult>& runs) {
  nlohmann::json j{{"bench", "binance"},
                   {"rate", o.load.rate},
                   {"seconds", o.load.seconds},
                   {"connections", o.load.connections},
                   {"runs", nlohmann::json::array()}};
  for (const RunResult& r : runs) {
    const LatencyRecorder& l = r.load.latencies;
    j["runs"].push_back({{"sent", r.load.sent},
                         {"answered", r.load.answered},
                         {"refused", r.load.refused},
                         {"achieved_per_second", r.load.achieved_per_second},
                         {"p50_us", Us(l.Percentile(50))},
                         {"p90_us", Us(l.Percentile(90))},
                         {"p99_us", Us(l.Percentile(99))},
                         {"p999_us", Us(l.Percentile(99.9))},
                         {"max_us", Us(l.Max())}});
  }
  for (const char* k : {"p50_us", "p99_us", "max_us", "achieved_per_second"}) {
    std::vector<double> v;
    for (const auto& run : j["runs"])
      v.push_back(run[k].get<double>());
    j[std::string("median_") + k] = Median(v);
  }
  std::cout << "binance, medians of " << runs.size() << " runs at " << Fixed(o.load.rate, 0)
            << " orders/s: p50 " << Fixed(j["median_p50_us"].get<double>(), 0) << " us, p99 "
            << Fixed(j["median_p99_us"].get<double>(), 0) << " us, max "
            << Fixed(j["median_max_us"].get<double>(), 0) << " us, achieved "
            << Fixed(j["median_achieved_per_second"].get<double>(), 0) << " orders/s\n";
  return j;
}

int Run(Options o) {
  Validate(o);
  std::cout << "binance: signed POST /api/v3/order (LIMIT GTC, RESULT), sells and buys "
               "alternating at one price from two accounts (every pair trades); HTTP client -> "
            << o.gateway_bin << " -> RabbitMQ -> " << o.engine_bin
            << " -> back; fresh engine and gateway per run; open loop at " << Fixed(o.load.rate, 0)
            << " orders/s over " << o.load.connections << " connections for "
            << Fixed(o.load.seconds, 1) << " s after " << Fixed(o.load.warmup_seconds, 1)
            << " s of warm-up\n";
  std::vector<RunResult> runs;
  for (std::size_t i = 0; i < o.runs; ++i) {
    runs.push_back(RunOnce(o, i));
    PrintRun(i, runs.back());
  }
  const nlohmann::json result = Summarize(o, runs);
  WriteLatencyPictures(o.json_file,
                       "exchange-bench binance: signed order -> RESULT, " + Fixed(o.load.rate, 0) +
                           " orders/s over " + std::to_string(o.load.connections) + " connections",
                       NamedTraces(runs));
  EmitJson(result, o.json_file);
  int rc = 0;
  for (const RunResult& r : runs) {
    if (r.load.refused > 0 || r.load.answered < r.load.sent || !r.stop_problems.empty()) rc = 1;
  }
  return rc;
}

}  // namespace
}  // namespace binance_bench

void AddBinanceBenchCommand(CLI::App& app) {
  auto o = std::make_shared<binance_bench::Options>();
  CLI::App* cmd = app.add_subcommand(
      "binance",
      "Benchmark the signed order round trip of the gateway's Binance API (request -> RESULT "
      "answer), open loop");
  cmd->add_option("--runs", o->runs, "Runs (fresh engine and gateway each); medians reported")
      ->capture_default_str();
  cmd->add_option("--rate", o->load.rate, "Orders per second offered")->capture_default_str();
  cmd->add_option("--seconds", o->load.seconds, "Measured seconds")->capture_default_str();
  cmd->add_option("--warmup", o->load.warmup_seconds, "Seconds sent first, not counted")
      ->capture_default_str();
  cmd->add_option("--connections", o->load.connections,
                  "Keep-alive HTTP connections (one request in flight each)")
      ->capture_default_str();
  cmd->add_option("--amqp-url", o->amqp_url, "RabbitMQ URL (default: EXCHANGE_AMQP_URL)");
  cmd->add_option("--pg-url", o->pg_url,
                  "PostgreSQL for the API keys, writer role (default: EXCHANGE_PG_URL)");
  cmd->add_option("--engine-bin", o->engine_bin, "exchange-engine (default: beside this)");
  cmd->add_option("--gateway-bin", o->gateway_bin, "exchange-gateway (default: beside this)");
  cmd->add_option("--cli-bin", o->cli_bin, "exchange-cli (default: beside this)");
  cmd->add_option("--json", o->json_file,
                  "Also write the JSON result here, and the latency pictures beside it");
  cmd->callback([o] {
    const int rc = binance_bench::Run(*o);
    if (rc != 0) throw CLI::RuntimeError(rc);
  });
}

}  // namespace exchange::bench
