// exchange-bench engine: measures the matching engine on one thread.
//
// Throughput mode applies the commands back to back. Open-loop mode gives
// command i the scheduled time start + i / rate and measures each command's
// latency from that scheduled time, not from when it actually began, so a
// stall delays every command behind it and shows in the percentiles
// (no coordinated omission).
#include "bench/engine_bench.h"

#include <sched.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench/latency_recorder.h"
#include "bench/run_summary.h"
#include "config/instruments_file.h"
#include "engine/engine.h"
#include "orderflow/benchmark_mix.h"
#include "orderflow/lobster.h"
#include "orderflow/order_flow_csv.h"

namespace exchange::bench {

namespace {

struct Options {
  std::size_t runs = 5;
  std::size_t commands = 2'000'000;
  std::uint64_t seed = 1;
  double rate = 0;  // 0: throughput mode
  std::string orders_file;
  std::string lobster_file;
  std::string instruments_file = "config/instruments.toml";
  std::string json_file;
  std::string save_orders_file;
  int cpu = -1;
  bool baseline = false;      // open loop with no engine work: the machine's own floor
  std::string risk = "none";  // none, cash, or both (interleaved runs, side by side)
};

struct Flow {
  std::string name;
  std::vector<Command> setup;  // instruments and pre-fill, not measured
  std::vector<Command> measured;
};

struct RunResult {
  double seconds = 0;
  std::size_t commands = 0;
  std::size_t events = 0;
  std::size_t trades = 0;
  std::uint64_t state_hash = 0;
  // open loop only: latency from the scheduled time, and service time (from
  // the actual start of the command to its end: the engine alone)
  std::int64_t p50 = 0, p90 = 0, p99 = 0, p999 = 0, p9999 = 0, max = 0;
  std::int64_t service_p50 = 0, service_p99 = 0, service_p9999 = 0;
  double ops_per_second() const { return static_cast<double>(commands) / seconds; }
};

using Clock = std::chrono::steady_clock;

std::int64_t Nanos(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

Flow LoadFlow(const Options& o, RiskMode risk) {
  Flow flow;
  if (!o.orders_file.empty()) {
    flow.name = o.orders_file;
    InstrumentsFile file = LoadInstrumentsFile(o.instruments_file);
    OverrideRisk(file, risk);
    Engine names;  // numbers the assets and symbols as the measured engine will
    AddToEngine(file, names);
    for (AssetId a = 0; a < names.asset_count(); ++a)
      flow.setup.push_back(Command{0, AddAsset{names.asset(a)}});
    for (SymbolId s = 0; s < names.symbol_count(); ++s)
      flow.setup.push_back(Command{0, AddInstrument{names.book(s).instrument}});
    std::ifstream in(o.orders_file);
    if (!in) throw std::runtime_error(o.orders_file + ": cannot open");
    flow.measured = ReadOrderFlow(
        in, [&](std::string_view name) { return names.FindSymbol(name).value_or(kUnknownSymbol); },
        [&](std::string_view name) { return names.FindAsset(name).value_or(kUnknownAsset); });
    return flow;
  }
  if (!o.lobster_file.empty()) {
    // The replay's own command list: instrument and seed are set-up, the
    // rest (submissions, cancels, executions as IOCs) is measured.
    LobsterFlow lobster = BuildLobsterFlow(o.lobster_file);
    flow.name = "LOBSTER " + o.lobster_file;
    const auto prefill = static_cast<std::ptrdiff_t>(lobster.prefill);
    flow.setup.assign(lobster.commands.begin(), lobster.commands.begin() + prefill);
    flow.measured.assign(lobster.commands.begin() + prefill, lobster.commands.end());
    return flow;
  }
  BenchmarkMixOptions mix;
  mix.seed = o.seed;
  mix.commands = o.commands;
  mix.risk = risk;
  BenchmarkFlow generated = GenerateBenchmarkMix(mix);
  flow.name = "exchange-core mix (9% GTC, 3% IOC, 6% cancel, 82% move)";
  for (const AssetSpec& a : generated.assets)
    flow.setup.push_back(Command{0, AddAsset{a}});
  flow.setup.push_back(Command{0, AddInstrument{generated.instrument}});
  flow.setup.insert(flow.setup.end(), generated.prefill.begin(), generated.prefill.end());
  flow.measured = std::move(generated.commands);
  return flow;
}

void Count(std::span<const Event> events, RunResult& r) {
  r.events += events.size();
  for (const Event& e : events)
    r.trades += e.type == EventType::kTrade;
}

RunResult RunThroughput(const Flow& flow) {
  Engine engine;
  for (const Command& c : flow.setup)
    engine.Process(c);
  RunResult r;
  const auto start = Clock::now();
  for (const Command& c : flow.measured)
    Count(engine.Process(c), r);
  r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  r.commands = flow.measured.size();
  r.state_hash = engine.StateHash();
  return r;
}

// With `baseline`, the loop keeps the same schedule and clock reads but does
// no engine work: what it measures is the machine's own interruptions.
RunResult RunOpenLoop(const Flow& flow, double rate, bool baseline) {
  Engine engine;
  for (const Command& c : flow.setup)
    engine.Process(c);
  RunResult r;
  LatencyRecorder latency(flow.measured.size());
  LatencyRecorder service(flow.measured.size());
  const double interval = 1e9 / rate;
  const std::int64_t start = Nanos(Clock::now()) + 1'000'000;
  std::int64_t end = start;
  for (std::size_t i = 0; i < flow.measured.size(); ++i) {
    const auto scheduled = start + static_cast<std::int64_t>(static_cast<double>(i) * interval);
    std::int64_t began = Nanos(Clock::now());
    while (began < scheduled)
      began = Nanos(Clock::now());
    if (!baseline) Count(engine.Process(flow.measured[i]), r);
    end = Nanos(Clock::now());
    latency.Record(end - scheduled);
    service.Record(end - began);
  }
  latency.Finish();
  service.Finish();
  r.seconds = static_cast<double>(end - start) / 1e9;
  r.commands = flow.measured.size();
  r.state_hash = engine.StateHash();
  r.p50 = latency.Percentile(50);
  r.p90 = latency.Percentile(90);
  r.p99 = latency.Percentile(99);
  r.p999 = latency.Percentile(99.9);
  r.p9999 = latency.Percentile(99.99);
  r.max = latency.Max();
  r.service_p50 = service.Percentile(50);
  r.service_p99 = service.Percentile(99);
  r.service_p9999 = service.Percentile(99.99);
  return r;
}

nlohmann::json ToJson(const RunResult& r, bool open_loop) {
  nlohmann::json j = {
      {"seconds", r.seconds}, {"commands", r.commands}, {"ops_per_second", r.ops_per_second()},
      {"events", r.events},   {"trades", r.trades},     {"state_hash", r.state_hash}};
  if (open_loop) {
    j["latency_ns"] = {{"p50", r.p50},    {"p90", r.p90},      {"p99", r.p99},
                       {"p99_9", r.p999}, {"p99_99", r.p9999}, {"max", r.max}};
    j["service_ns"] = {{"p50", r.service_p50}, {"p99", r.service_p99}, {"p99_99", r.service_p9999}};
  }
  return j;
}

// Writes the generated flow (pre-fill, then the measured mix) as an order-flow
// CSV for the BENCH instrument of config/instruments.toml.
void SaveOrders(const Flow& flow, const std::string& path) {
  std::ofstream out(path);
  if (!out) throw std::runtime_error(path + ": cannot open for writing");
  out << kOrderFlowHeader << "\n";
  auto name = [](SymbolId) { return std::string("BENCH"); };
  auto asset_name = [](AssetId a) { return std::string(a == 0 ? "BENCH" : "USD"); };
  for (const auto* part : {&flow.setup, &flow.measured}) {
    for (const Command& c : *part) {
      if (!std::holds_alternative<AddInstrument>(c.body) &&
          !std::holds_alternative<AddAsset>(c.body))
        out << FormatOrderFlowLine(c, name, asset_name) << "\n";
    }
  }
  std::cout << "wrote " << flow.setup.size() - 1 + flow.measured.size() << " commands to " << path
            << "\n";
}

// One mode's median and runs, printed and as JSON.
nlohmann::json Summarize(const Options& o, const Flow& flow, RiskMode risk,
                         const std::vector<RunResult>& runs) {
  const bool open_loop = o.rate > 0;
  nlohmann::json out = {{"benchmark", "engine"},
                        {"flow", flow.name},
                        {"risk", ToString(risk)},
                        {"mode", !open_loop   ? "throughput"
                                 : o.baseline ? "open_loop_baseline"
                                              : "open_loop"},
                        {"commands", flow.measured.size()},
                        {"runs", runs.size()}};
  if (open_loop) out["rate"] = o.rate;
  nlohmann::json med = {
      {"ops_per_second", MedianOf(runs, [](auto& r) { return r.ops_per_second(); })}};
  std::cout << "engine " << (open_loop ? "open-loop" : "throughput") << " (risk " << ToString(risk)
            << "): " << flow.name << ", " << flow.measured.size() << " commands, median of "
            << runs.size() << " runs\n"
            << "  " << static_cast<std::uint64_t>(med["ops_per_second"].get<double>())
            << " commands/s";
  if (open_loop) {
    med["latency_ns"] = {{"p50", MedianOf(runs, [](auto& r) { return r.p50; })},
                         {"p90", MedianOf(runs, [](auto& r) { return r.p90; })},
                         {"p99", MedianOf(runs, [](auto& r) { return r.p99; })},
                         {"p99_9", MedianOf(runs, [](auto& r) { return r.p999; })},
                         {"p99_99", MedianOf(runs, [](auto& r) { return r.p9999; })},
                         {"max", MedianOf(runs, [](auto& r) { return r.max; })}};
    med["service_ns"] = {{"p50", MedianOf(runs, [](auto& r) { return r.service_p50; })},
                         {"p99", MedianOf(runs, [](auto& r) { return r.service_p99; })},
                         {"p99_99", MedianOf(runs, [](auto& r) { return r.service_p9999; })}};
    const auto& l = med["latency_ns"];
    const auto& sv = med["service_ns"];
    std::cout << " offered " << o.rate << "/s; latency ns p50 " << l["p50"] << " p90 " << l["p90"]
              << " p99 " << l["p99"] << " p99.9 " << l["p99_9"] << " p99.99 " << l["p99_99"]
              << " max " << l["max"] << "\n  service time (engine alone) ns p50 " << sv["p50"]
              << " p99 " << sv["p99"] << " p99.99 " << sv["p99_99"];
    if (o.baseline) std::cout << "\n  BASELINE: no engine work, the machine's own stalls";
  }
  std::cout << "\n";
  out["median"] = med;
  for (const auto& r : runs)
    out["each_run"].push_back(ToJson(r, open_loop));
  return out;
}

void PinTo(int cpu) {
  if (cpu < 0) return;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  if (sched_setaffinity(0, sizeof(set), &set) != 0) {
    std::cerr << "exchange-bench: cannot pin to cpu " << cpu << "\n";
  }
}

// --risk both: the runs of the two modes alternate (none, cash, none, ...),
// so that the machine's drift over the invocation falls on both alike.
int Run(const Options& o) {
  PinTo(o.cpu);
  std::vector<RiskMode> modes;
  if (o.risk == "both") {
    modes = {RiskMode::kNone, RiskMode::kCash};
  } else {
    modes = {*ParseRiskMode(o.risk)};
  }
  std::vector<Flow> flows;
  for (RiskMode m : modes)
    flows.push_back(LoadFlow(o, m));
  if (!o.save_orders_file.empty()) {
    SaveOrders(flows.front(), o.save_orders_file);
    return 0;
  }
  const bool open_loop = o.rate > 0;
  std::vector<std::vector<RunResult>> runs(modes.size());
  for (std::size_t i = 0; i < o.runs; ++i) {
    for (std::size_t m = 0; m < modes.size(); ++m) {
      const Flow& flow = flows[m];
      runs[m].push_back(open_loop ? RunOpenLoop(flow, o.rate, o.baseline) : RunThroughput(flow));
      const RunResult& r = runs[m].back();
      std::cout << "  run " << i + 1 << " (risk " << ToString(modes[m])
                << "): " << static_cast<std::uint64_t>(r.ops_per_second()) << " commands/s";
      if (open_loop) {
        std::cout << "  p50 " << r.p50 << " p99 " << r.p99 << " p99.99 " << r.p9999 << " max "
                  << r.max << " ns";
      }
      std::cout << "\n";
      if (r.state_hash != runs[m].front().state_hash) {
        std::cerr << "exchange-bench: state hash differs between runs: not deterministic\n";
        return 1;
      }
    }
  }
  std::vector<nlohmann::json> summaries;
  for (std::size_t m = 0; m < modes.size(); ++m)
    summaries.push_back(Summarize(o, flows[m], modes[m], runs[m]));
  if (modes.size() == 1) {
    EmitJson(summaries.front(), o.json_file);
    return 0;
  }
  const double none = summaries[0]["median"]["ops_per_second"].get<double>();
  const double cash = summaries[1]["median"]["ops_per_second"].get<double>();
  std::cout << "cash risk keeps " << static_cast<int>(100 * cash / none + 0.5)
            << "% of the throughput without risk (medians, runs interleaved)\n";
  EmitJson({{"benchmark", "engine"},
            {"risk", "both"},
            {"cash_over_none", cash / none},
            {"none", summaries[0]},
            {"cash", summaries[1]}},
           o.json_file);
  return 0;
}

}  // namespace

void AddEngineBenchCommand(CLI::App& app) {
  auto options = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("engine", "Benchmark the matching engine on one thread");
  cmd->add_option("--runs", options->runs, "Runs; the median is reported")->capture_default_str();
  cmd->add_option("--commands", options->commands, "Measured commands of the generated mix")
      ->capture_default_str();
  cmd->add_option("--seed", options->seed, "Seed of the generated mix")->capture_default_str();
  cmd->add_option("--rate", options->rate,
                  "Open-loop mode at this many commands/s (0: throughput mode)")
      ->capture_default_str();
  cmd->add_option("--orders", options->orders_file, "Order-flow CSV instead of the generated mix");
  cmd->add_option("--lobster", options->lobster_file,
                  "A LOBSTER message file as the order flow (its order-book file beside it)");
  cmd->add_option("--instruments", options->instruments_file, "Instruments TOML for --orders")
      ->capture_default_str();
  cmd->add_option("--json", options->json_file, "Also write the JSON result to this file");
  cmd->add_option("--cpu", options->cpu, "Pin the benchmark thread to this CPU");
  cmd->add_flag("--baseline", options->baseline,
                "Open loop without engine work: the machine's own latency floor");
  cmd->add_option("--risk", options->risk,
                  "none (pure matching), cash (holds, settlement, fees; the mix funds its "
                  "accounts first), or both: interleaved runs side by side and their ratio")
      ->check(CLI::IsMember({"none", "cash", "both"}))
      ->capture_default_str();
  cmd->add_option("--save-orders", options->save_orders_file,
                  "Write the generated mix as an order-flow CSV and exit");
  cmd->callback([options] {
    const int rc = Run(*options);
    if (rc != 0) throw CLI::RuntimeError(rc);
  });
}

}  // namespace exchange::bench
