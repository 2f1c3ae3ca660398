// exchange-bench e2e: measures the whole path producer → RabbitMQ →
// exchange-engine → RabbitMQ → consumer, in one benchmark process with two
// threads of its own (the producer on the main thread, the event consumer on
// another), so every time is one std::chrono::steady_clock.
//
// Each run (unless --external) declares the shard's topology itself (so that
// nothing published before the engine consumes is lost), binds a temporary
// event queue to exec.<account> for the run's accounts, spawns a fresh
// exchange-engine (temporary data dir, unique shard bench-<pid>-<run>,
// --symbols BENCH, metrics off), and treats the engine as ready when the
// events of the first commands come back. At the end it stops the engine with
// SIGTERM, waits for it, deletes the shard's queue and the data dir.
//
// Commands go straight to the shard's queue through RabbitMQ's default
// exchange, not through the `orders` exchange: every queue bound to BENCH
// there (engine.main binds every instrument of config/instruments.toml) would
// get a copy of the benchmark's orders. --via-orders-exchange restores the
// producers' normal route.
//
// Accounts are shifted by a random base per run, and the producer id is
// random per run, so that a run never sees another run's (or another
// service's) events and an --external service never drops commands as
// duplicates.
//
// Throughput mode publishes the whole flow with publisher confirms as fast as
// it can and divides the commands by the time from the first publish to the
// receipt of the event of the last command (a marker order after the flow);
// against a fresh engine it also checks that exactly the events an
// in-process engine gives came back. Open-loop modes give message k the
// scheduled time start + k * batch / rate and measure each order's latency
// from that scheduled time to the receipt of its ACCEPTED (or REJECTED)
// event, so a stall anywhere delays every order behind it and shows in the
// percentiles (no coordinated omission); the event's timestamp (stamped by
// the engine service's ingest thread) splits that time in two.
//
// --relay replaces exchange-engine with a thread of the benchmark (Relay)
// that consumes the shard's queue and answers each new order with an ACCEPTED
// event on exec.<account>, with no journal and no matching: the same two hops
// through the same RabbitMQ, measured by the same producer, consumer and
// statistics, so its figures are the floor any engine would pay. It emits no
// other event, so throughput mode skips the event-count check and waits for
// the marker order's ACCEPTED only.
#include "bench/e2e_bench.h"
#include "bench/logged_process.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "amqp/amqp_client.h"
#include "bench/e2e/flows.h"
#include "bench/e2e/options.h"
#include "bench/e2e/report.h"
#include "bench/e2e/runs.h"
#include "bench/e2e/watchdog.h"
#include "bench/latency_report.h"
#include "bench/run_summary.h"
#include "config/instruments_file.h"
#include "testing/service_env.h"

namespace exchange::bench {

namespace e2e {
namespace {

void Validate(Options& o, Mode mode, bool batch_given) {
  auto fail = [](const std::string& what) { throw std::runtime_error(what); };
  if (o.runs == 0) fail("--runs must be at least 1");
  if (o.rate < 0) fail("--rate must not be negative");
  if (o.duration < 0 || o.seconds <= 0 || o.warmup < 0) fail("times must be positive");
  if (o.duration > 0 && o.rate == 0) fail("--duration needs --rate (commands/s)");
  if (mode == Mode::kLatency && !batch_given) o.batch = 1;
  if (o.batch == 0 || o.window == 0 || o.orders == 0) fail("--batch, --window, --orders: >= 1");
  if (o.flow != "mix" && o.flow != "pairs") fail("--flow is mix or pairs");
  if (o.external && o.shard.empty()) fail("--external needs --shard (the service's shard)");
  if (!o.external && !o.shard.empty()) fail("--shard is for --external (runs get their own)");
  if (o.relay && o.external) fail("--relay replaces the engine; it does not go with --external");
  if (o.relay && (!o.engine_bin.empty() || !o.engine_args.empty())) {
    fail("--engine-bin and --engine-arg are for the engine, not --relay");
  }
  if (o.amqp_url.empty()) o.amqp_url = testing::ServiceUrl("EXCHANGE_AMQP_URL", kDefaultAmqpUrl);
  amqp::ParseUrl(o.amqp_url);  // throws on a malformed URL
  if (!o.external && !o.relay) {
    if (o.engine_bin.empty()) o.engine_bin = BesideSelf("exchange-engine");
    if (::access(o.engine_bin.c_str(), X_OK) != 0) {
      fail("engine binary " + o.engine_bin + " is missing or not executable (" +
           std::strerror(errno) + "); build it (ninja exchange-engine) or give --engine-bin");
    }
    if (o.data_root.empty()) o.data_root = std::filesystem::temp_directory_path().string();
  }
}

InstrumentSpec FindInstrument(const std::string& instruments_path, const std::string& symbol) {
  InstrumentSpec spec;
  bool found = false;
  for (const auto& i : LoadInstruments(instruments_path)) {
    if (i.spec.symbol.view() == symbol) {
      spec = i.spec;
      found = true;
    }
  }
  if (!found) throw std::runtime_error(instruments_path + " does not define " + symbol);
  return spec;
}

void PrintHeading(const Options& o, Mode mode, const std::string& flow_name) {
  const amqp::Url url = amqp::ParseUrl(o.amqp_url);
  std::cout << "e2e " << ModeName(mode) << ": " << flow_name << "\n  "
            << (o.external ? "external service, shard " + o.shard
                : o.relay  ? std::string("relay (no engine): a thread of this process per run that "
                                          "answers each new order with ACCEPTED (no journal, no "
                                          "matching)")
                           : "a fresh " + o.engine_bin + " per run")
            << ", RabbitMQ " << url.host << ":" << url.port << "/" << url.vhost << ", batch "
            << o.batch << ", window " << o.window << " messages, commands to "
            << (o.via_orders_exchange ? "the orders exchange" : "the shard queue") << "\n";
}

// 1 when orders went unanswered or the engine (relay) did not stop cleanly.
int ExitCode(const Options& o, const std::vector<RunResult>& runs) {
  std::uint64_t missing = 0;
  std::size_t unclean = 0;
  for (const auto& r : runs) {
    missing += r.missing;
    unclean += !r.engine_exit.empty();
  }
  if (missing > 0) {
    std::cerr << "exchange-bench: " << missing << " orders got no ACCEPTED/REJECTED event within "
              << o.timeout << " s\n";
    return 1;
  }
  if (unclean > 0) {
    std::cerr << "exchange-bench: "
              << (o.relay ? "the relay failed" : "the engine did not stop cleanly") << " in "
              << unclean << " run(s)\n";
    return 1;
  }
  return 0;
}

// What the latency pictures of an open-loop mode show.
std::string PicturesTitle(const Options& o, Mode mode) {
  const std::string engine = o.relay      ? "relay thread (no engine)"
                             : o.external ? "exchange-engine (external, shard " + o.shard + ")"
                                          : "exchange-engine";
  return "exchange-bench e2e " + std::string(ModeName(mode)) + ": producer -> RabbitMQ -> " +
         engine + " -> RabbitMQ -> consumer, " + Fixed(o.rate, 0) + " orders/s, batch " +
         std::to_string(o.batch) + ", " + Fixed(mode == Mode::kSoak ? o.duration : o.seconds, 1) +
         " s measured";
}

int Run(Options o, bool batch_given, bool flow_given) {
  const Mode mode = o.rate == 0 ? Mode::kThroughput : o.duration > 0 ? Mode::kSoak : Mode::kLatency;
  if (mode != Mode::kThroughput && flow_given && o.flow == "mix") {
    throw std::runtime_error("--flow mix is for throughput mode; open-loop modes send new orders");
  }
  if (mode != Mode::kThroughput) o.flow = "pairs";
  Validate(o, mode, batch_given);
  ::signal(SIGPIPE, SIG_IGN);
  const double interval = o.rate > 0 ? static_cast<double>(o.batch) / o.rate : 0;
  Watchdog watchdog(std::chrono::seconds(
      static_cast<std::int64_t>(std::max(o.timeout, o.startup_timeout) + 2 * interval + 60)));

  // The instrument as the service will read it (for the expected events).
  std::error_code ec;
  const std::string instruments_path = std::filesystem::absolute(o.instruments_file, ec).string();
  const InstrumentSpec spec = FindInstrument(instruments_path, o.symbol);

  ThroughputFlow flow;
  if (mode == Mode::kThroughput) flow = BuildThroughputFlow(o, spec);
  const std::string flow_name = mode == Mode::kThroughput ? flow.name : kPairsName;

  PrintHeading(o, mode, flow_name);

  std::vector<RunResult> runs;
  for (std::size_t i = 0; i < o.runs; ++i) {
    Beat();
    runs.push_back(mode == Mode::kThroughput ? RunThroughput(o, instruments_path, flow, i)
                                             : RunOpenLoop(o, instruments_path, mode, i));
    PrintRun(i, runs.back(), mode, o.relay);
  }

  const nlohmann::json result = Summarize(o, mode, flow_name, flow, runs);
  // Throughput mode times the whole flow, not each order: no pictures.
  if (mode != Mode::kThroughput) {
    WriteLatencyPictures(o.json_file, PicturesTitle(o, mode), NamedTraces(runs));
  }
  EmitJson(result, o.json_file);
  return ExitCode(o, runs);
}

}  // namespace
}  // namespace e2e

void AddE2eBenchCommand(CLI::App& app) {
  using e2e::kDefaultAmqpUrl;
  auto o = std::make_shared<e2e::Options>();
  CLI::App* cmd = app.add_subcommand(
      "e2e",
      "Benchmark the whole path producer -> RabbitMQ -> exchange-engine -> RabbitMQ -> consumer");
  cmd->add_option("--runs", o->runs, "Runs (each with a fresh service); medians are reported")
      ->capture_default_str();
  cmd->add_option("--orders", o->orders, "Throughput mode: measured commands")
      ->capture_default_str();
  CLI::Option* batch = cmd->add_option("--batch", o->batch,
                                       "Commands per AMQP message (default 100; 1 in latency mode)")
                           ->capture_default_str();
  cmd->add_option("--rate", o->rate,
                  "Open loop at this many commands/s (0: throughput mode); with --batch 1 and "
                  "--seconds: latency mode")
      ->capture_default_str();
  cmd->add_option("--seconds", o->seconds, "Latency mode: measured seconds (after the warm-up)")
      ->capture_default_str();
  cmd->add_option("--duration", o->duration,
                  "Soak mode: seconds at --rate (batched), reporting engine RSS and consumer lag")
      ->capture_default_str();
  cmd->add_option("--warmup", o->warmup, "Open-loop modes: seconds sent first and not counted")
      ->capture_default_str();
  cmd->add_option("--window", o->window, "Unconfirmed command messages at most")
      ->capture_default_str();
  CLI::Option* flow =
      cmd->add_option("--flow", o->flow,
                      "Throughput mode: mix (the exchange-core benchmark mix) or pairs "
                      "(alternating crossing limit orders); open-loop modes use pairs")
          ->capture_default_str();
  cmd->add_option("--seed", o->seed, "Seed of the generated mix")->capture_default_str();
  cmd->add_option(
      "--amqp-url", o->amqp_url,
      "RabbitMQ URL (default: EXCHANGE_AMQP_URL, else " + std::string(kDefaultAmqpUrl) + ")");
  cmd->add_option("--engine-bin", o->engine_bin,
                  "exchange-engine to run (default: the one beside exchange-bench)");
  cmd->add_option("--engine-arg", o->engine_args,
                  "Extra argument for exchange-engine (repeat; e.g. --engine-arg=--pipeline-slots "
                  "--engine-arg=8192)")
      ->allow_extra_args(false);
  cmd->add_option("--instruments", o->instruments_file, "Instruments TOML (defines --symbol)")
      ->capture_default_str();
  cmd->add_option("--symbol", o->symbol, "Symbol traded")->capture_default_str();
  cmd->add_option("--data-root", o->data_root,
                  "Where the runs' temporary data dirs go (default: the temp directory)");
  cmd->add_flag("--relay", o->relay,
                "Instead of exchange-engine, an in-process relay thread: consumes the shard queue "
                "and answers each new order with ACCEPTED on exec.<account> (no journal, no "
                "matching): the floor of the two RabbitMQ hops any engine pays");
  cmd->add_flag("--external", o->external,
                "Use an already running exchange-engine (give --shard) instead of spawning one");
  cmd->add_option("--shard", o->shard, "With --external: the running service's shard");
  cmd->add_option("--engine-pid", o->engine_pid, "With --external: its pid, to sample its RSS");
  cmd->add_flag("--via-orders-exchange", o->via_orders_exchange,
                "Publish through the orders exchange (routing key = symbol) instead of straight "
                "to the shard queue; every queue bound to the symbol gets a copy");
  cmd->add_option("--timeout", o->timeout, "Seconds without progress before giving up")
      ->capture_default_str();
  cmd->add_option("--startup-timeout", o->startup_timeout,
                  "Seconds to wait for the engine's first events")
      ->capture_default_str();
  cmd->add_option("--json", o->json_file,
                  "Also write the JSON result to this file, and in open-loop modes beside it "
                  "the latency pictures (<file without .json>-percentiles.png, -over-time.png; "
                  "needs gnuplot)");
  cmd->callback([o, batch, flow] {
    const int rc = e2e::Run(*o, batch->count() > 0, flow->count() > 0);
    if (rc != 0) throw CLI::RuntimeError(rc);
  });
}

}  // namespace exchange::bench
