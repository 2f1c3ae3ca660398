// exchange-bench md: requests per second and latency of exchange-md's
// Binance-style REST endpoints, measured with wrk (Debian's wrk 4.1) against
// the Release exchange-md executable, all on this machine.
//
// Data, made with the project's own writers before the server starts:
//   - PostgreSQL (a schema of the benchmark's own, dropped before and after):
//     --days of synthetic trades of one symbol, one every --trade-spacing-ms
//     ending now, written as the history sink does: CandleAggregator (all
//     16 intervals) and HistoryWriter, in batches of 10,000 trades (trades,
//     candle merge, sink_progress; one transaction each). 12 days at 15 s
//     spacing: 17,280 one-minute candles.
//   - Redis: the live candle of every interval (candle:{S}:I, the fields the
//     history sink writes) and a book of --levels price levels per side
//     (1-3 orders each) built by the engine from resting limit orders and
//     written by BookStateWriter (WriteAll of SeedBookViews).
//
// Then exchange-md runs as a child process (--md-threads serving threads,
// the read-only role, log level warn) and, for each endpoint, wrk runs a
// warm-up of --warmup seconds (not counted) and --runs runs of --seconds
// seconds, each with --connections keep-alive connections over
// --wrk-threads threads:
//   klines  /api/v3/klines?symbol=S&interval=1m&limit=500. --klines-window
//           fixed (default): no startTime/endTime, the newest 500 (what a
//           chart loads first; the live candle merged); random: each
//           request an endTime drawn uniformly over the stored days (ms),
//           the newest 500 up to it (scrolling back through history).
//   depth   /api/v3/depth?symbol=S&limit=100.
// wrk's Lua done() hook prints the run's requests, errors and latency
// percentiles (p50/p90/p99/p99.9/max, µs) as JSON, read back here. A run
// with any error (connect, read, write, timeout, or a status other than
// 2xx/3xx) is reported as failed. Before the runs each endpoint is fetched
// once and checked (500 klines, the newest being the live candle's bucket;
// --levels-capped 100 levels per side).
//
// wrk is closed loop: each connection sends its next request when the
// previous answer has arrived, so the latencies are those at the
// throughput reached (no coordinated-omission correction). Debian has no
// wrk2 and its wrk has no -R (rate) option, so no open-loop figure here.
//
// --live-trades-per-second R (default 0: the data stand still) keeps a
// writer going during the runs: every 100 ms, R/10 trades stamped now,
// their live candles written to Redis and then the batch committed to
// PostgreSQL (the history sink's order), so the klines cache is refreshed
// under load; and one more resting order in the book (a new view
// sequence, so the depth bodies kept by exchange-md are read again).
//
// The machine: wrk, exchange-md, Redis and PostgreSQL share its cores. The
// load average before the runs, and per run exchange-md's CPUs, the
// machine's busy share and the CPUs used by anything else (every process
// but exchange-md, wrk, redis-server, postgres and this one, from /proc)
// are reported alongside; a run where others used more than 0.1 CPU is
// flagged ("machine_idle": false, and a warning).
#include "bench/md_bench.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "bench/md/market_data.h"
#include "bench/md/options.h"
#include "bench/md/wrk.h"
#include "bench/run_resources.h"
#include "bench/run_summary.h"
#include "testing/service_env.h"

namespace exchange::bench {

namespace md_bench {
namespace {

struct Endpoint {
  std::string name;
  std::string path;          // the fixed request, or the base of the random one
  bool random_end = false;   // klines --klines-window random
  double target_rps = 0;     // the figure
  double target_p99_ms = 0;  // 0: none
};

// Fetches the endpoint once and checks the answer's shape.
void CheckAnswer(const Options& o, const MdServer& server, const Endpoint& e,
                 const candles::CandleAggregator& aggregator) {
  const auto [status, body] = server.Get(e.path);
  if (status != 200)
    throw std::runtime_error(e.path + ": HTTP " + std::to_string(status) + " " + body);
  const json j = json::parse(body);
  if (e.name == "klines") {
    const auto live = aggregator.Live(o.symbol, candles::CandleInterval::k1m);
    if (!j.is_array() || j.size() != 500 || !live ||
        j.back()[0].get<std::int64_t>() != live->open_time / kMilli) {
      throw std::runtime_error(e.path + ": not the newest 500 klines ending with the live one");
    }
  } else {
    const std::size_t levels = std::min<std::size_t>(o.levels, 100);
    if (j["bids"].size() != levels || j["asks"].size() != levels)
      throw std::runtime_error(e.path + ": not " + std::to_string(levels) + " levels per side");
  }
}

// The endpoints of --endpoints.
std::vector<Endpoint> ParseEndpoints(const Options& o) {
  std::vector<Endpoint> endpoints;
  const std::string klines = "/api/v3/klines?symbol=" + o.symbol + "&interval=1m&limit=500";
  for (std::string rest = o.endpoints + ","; !rest.empty();) {
    const std::string name = rest.substr(0, rest.find(','));
    rest.erase(0, rest.find(',') + 1);
    if (name == "klines") {
      endpoints.push_back({"klines", klines, o.klines_window == "random", 10'000, 5});
    } else if (name == "depth") {
      endpoints.push_back(
          {"depth", "/api/v3/depth?symbol=" + o.symbol + "&limit=100", false, 20'000, 0});
    } else if (!name.empty()) {
      throw std::runtime_error("unknown endpoint '" + name + "' (klines, depth)");
    }
  }
  return endpoints;
}

// Drops the data before and (unless --keep-data) after the runs.
class DataCleanup {
 public:
  explicit DataCleanup(const Options& o) : o_(o) {
    DropSchema(o.pg_url, o.schema);
    DeleteRedisData(o.redis_url, o.symbol);
  }
  ~DataCleanup() {
    if (o_.keep_data) return;
    try {
      DropSchema(o_.pg_url, o_.schema);
      DeleteRedisData(o_.redis_url, o_.symbol);
    } catch (const std::exception& e) {
      std::cerr << "exchange-bench: warning: cleaning up: " << e.what() << "\n";
    }
  }
  DataCleanup(const DataCleanup&) = delete;
  DataCleanup& operator=(const DataCleanup&) = delete;

 private:
  const Options& o_;
};

// The --live-trades-per-second writer: a thread of its own that writes a
// batch of trades and changes the book every kLiveBatchMs until stopped.
class LiveWriter {
 public:
  LiveWriter(const Options& o, HistoryFeed& feed, BookFeed& book) {
    if (o.live_rate <= 0) return;
    thread_ = std::thread([this, &o, &feed, &book] {
      try {
        redis::RedisClient client(redis::ParseRedisUrl(o.redis_url));
        const auto count =
            std::max<std::size_t>(1, static_cast<std::size_t>(o.live_rate * kLiveBatchMs / 1000.0));
        auto next = std::chrono::steady_clock::now();
        while (!stop_.load()) {
          next += std::chrono::milliseconds(kLiveBatchMs);
          feed.LiveBatch(count, client);
          book.Change();
          std::this_thread::sleep_until(next);
        }
      } catch (const std::exception& e) {
        failure_ = e.what();
      }
    });
  }
  ~LiveWriter() { Stop(); }
  LiveWriter(const LiveWriter&) = delete;
  LiveWriter& operator=(const LiveWriter&) = delete;

  // Stops the thread; throws when it failed.
  void StopAndCheck() {
    Stop();
    if (!failure_.empty()) throw std::runtime_error("the live writer failed: " + failure_);
  }

 private:
  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }

  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::string failure_;  // written by the thread before it ends
};

json ConfigJson(const Options& o, std::size_t trades) {
  return {{"runs", o.runs},
          {"seconds", o.seconds},
          {"warmup_seconds", o.warmup},
          {"connections", o.connections},
          {"wrk_threads", o.wrk_threads},
          {"md_threads", o.md_threads},
          {"days", o.days},
          {"trades", trades},
          {"trade_spacing_ms", o.trade_spacing_ms},
          {"book_levels_per_side", o.levels},
          {"klines_window", o.klines_window},
          {"live_trades_per_second", o.live_rate},
          {"load_generator", "wrk (closed loop: a connection sends when answered)"}};
}

// What the endpoint runs found, for the summary.
struct EndpointOutcome {
  json result;
  bool ok = true;               // no errors
  bool busy_elsewhere = false;  // a run shared the machine with other work
};

// The warm-up and the runs of one endpoint; a line per run, one in `summary`.
EndpointOutcome MeasureEndpoint(const Options& o, const MdServer& server, const Endpoint& e,
                                const std::string& dir, Timestamp start, Timestamp now,
                                std::ostream& summary) {
  EndpointOutcome outcome;
  const std::int64_t end_lo = (start + 500 * 60 * kSecond) / kMilli;
  const std::int64_t end_hi = now / kMilli;
  const std::string script = dir + "/" + e.name + ".lua";
  std::ofstream(script) << WrkScript(e.path, e.random_end ? e.path : "", end_lo, end_hi);
  if (o.warmup > 0) RunWrk(o, server, script, o.warmup);
  std::vector<WrkRun> runs;
  json runs_json = json::array();
  std::cout << "\n"
            << e.name << (e.random_end ? " (random endTime)" : "") << ": " << e.path << "\n";
  for (std::size_t i = 0; i < o.runs; ++i) {
    runs.push_back(RunWrk(o, server, script, o.seconds));
    const WrkRun& r = runs.back();
    runs_json.push_back(RunJson(r));
    std::cout << "  run " << i + 1 << ": " << Fixed(r.requests_per_second, 0) << " req/s, p50 "
              << Fixed(r.p50_ms, 2) << " ms, p90 " << Fixed(r.p90_ms, 2) << " ms, p99 "
              << Fixed(r.p99_ms, 2) << " ms, max " << Fixed(r.max_ms, 2) << " ms, "
              << Fixed(r.megabytes_per_second, 0) << " MB/s, exchange-md "
              << Fixed(r.md_cpu_seconds / r.seconds, 2) << " CPUs, machine "
              << Fixed(r.machine_busy * 100, 0) << "% busy (others " << Fixed(r.other_cpus, 2)
              << " CPUs), errors " << r.errors << "\n";
    if (r.other_cpus > kBusyElsewhere) outcome.busy_elsewhere = true;
  }
  const auto median = [&](auto field) { return MedianOf(runs, field); };
  const double rps = median([](const WrkRun& r) { return r.requests_per_second; });
  const double p99 = median([](const WrkRun& r) { return r.p99_ms; });
  std::uint64_t errors = 0;
  for (const WrkRun& r : runs)
    errors += r.errors;
  const bool meets = rps >= e.target_rps && (e.target_p99_ms == 0 || p99 <= e.target_p99_ms);
  outcome.ok = errors == 0;
  json medians = {{"requests_per_second", rps},
                  {"latency_ms",
                   {{"p50", median([](const WrkRun& r) { return r.p50_ms; })},
                    {"p90", median([](const WrkRun& r) { return r.p90_ms; })},
                    {"p99", p99},
                    {"p999", median([](const WrkRun& r) { return r.p999_ms; })},
                    {"max", median([](const WrkRun& r) { return r.max_ms; })}}},
                  {"md_cpus", median([](const WrkRun& r) { return r.md_cpu_seconds / r.seconds; })},
                  {"machine_busy", median([](const WrkRun& r) { return r.machine_busy; })},
                  {"other_cpus", median([](const WrkRun& r) { return r.other_cpus; })}};
  std::ostringstream target;
  target << ">= " << e.target_rps << " req/s";
  if (e.target_p99_ms > 0) target << ", p99 <= " << e.target_p99_ms << " ms";
  outcome.result = {{"path", e.path + (e.random_end ? "&endTime=<random>" : "")},
                    {"runs", runs_json},
                    {"median", medians},
                    {"errors", errors},
                    {"target", target.str()},
                    {"meets_target", meets}};
  summary << "  " << e.name << ": median " << Fixed(rps, 0) << " req/s, p50 "
          << Fixed(medians["latency_ms"]["p50"].get<double>(), 2) << " ms, p99 " << Fixed(p99, 2)
          << " ms (target " << target.str() << ": " << (meets ? "met" : "NOT met") << ")"
          << (errors > 0 ? ", ERRORS " + std::to_string(errors) : "") << "\n";
  return outcome;
}

int RunMd(const Options& o) {
  const std::string load_before = LoadAverage();
  std::cout << "md bench: load average before: " << load_before << "\n";
  // Data.
  DataCleanup cleanup(o);
  const Timestamp now = WallNs();
  const Timestamp spacing = o.trade_spacing_ms * kMilli;
  const Timestamp start =
      candles::BucketStart(now - static_cast<Timestamp>(o.days * static_cast<double>(kDay)),
                           candles::CandleInterval::k1m);
  const auto fill_started = std::chrono::steady_clock::now();
  HistoryFeed feed(o, start);
  feed.Fill(start, now, spacing);
  redis::RedisClient redis(redis::ParseRedisUrl(o.redis_url));
  WriteLiveCandles(redis, feed.aggregator(), o.symbol);
  BookFeed book(o);
  std::cout
      << "md bench: " << feed.trades_written() << " trades over " << o.days
      << " days in PostgreSQL (schema " << o.schema << "), a book of " << o.levels
      << " levels per side in Redis, in "
      << Fixed(
             std::chrono::duration<double>(std::chrono::steady_clock::now() - fill_started).count(),
             1)
      << " s\n";

  MdServer server(o);
  std::cout << "md bench: exchange-md (" << o.md_bin << ", " << o.md_threads << " threads) on port "
            << server.port() << "; wrk -t" << o.wrk_threads << " -c" << o.connections << ", "
            << o.runs << " x " << o.seconds << " s per endpoint after " << o.warmup
            << " s of warm-up\n";

  const std::vector<Endpoint> endpoints = ParseEndpoints(o);
  TempDir dir(std::filesystem::temp_directory_path().string(), "md-bench");
  json result = {{"bench", "md"},
                 {"load_average_before", load_before},
                 {"config", ConfigJson(o, feed.trades_written())}};
  // Each endpoint answered right once, before anything changes the data.
  for (const Endpoint& e : endpoints)
    CheckAnswer(o, server, e, feed.aggregator());
  LiveWriter live(o, feed, book);
  bool all_ok = true;
  bool busy_elsewhere = false;  // a run shared the machine with other work
  std::ostringstream summary;
  for (const Endpoint& e : endpoints) {
    EndpointOutcome outcome = MeasureEndpoint(o, server, e, dir.path(), start, now, summary);
    result[e.name] = std::move(outcome.result);
    all_ok = all_ok && outcome.ok;
    busy_elsewhere = busy_elsewhere || outcome.busy_elsewhere;
  }
  live.StopAndCheck();
  std::cout << "\nmedians of " << o.runs << " runs (wrk is closed loop):\n" << summary.str();
  if (busy_elsewhere) {
    std::cout << "WARNING: other processes used more than " << kBusyElsewhere
              << " CPUs during some runs: the machine was not idle\n";
  }
  result["machine_idle"] = !busy_elsewhere;
  EmitJson(result, o.json_file);
  return all_ok ? 0 : 1;
}

}  // namespace
}  // namespace md_bench

void AddMdBenchCommand(CLI::App& app) {
  auto o = std::make_shared<md_bench::Options>();
  CLI::App* cmd = app.add_subcommand(
      "md", "Benchmark exchange-md's klines and depth endpoints with wrk (Redis + PostgreSQL)");
  cmd->add_option("--runs", o->runs, "Measured wrk runs per endpoint (the median is reported)")
      ->capture_default_str();
  cmd->add_option("--seconds", o->seconds, "Length of each run")->capture_default_str();
  cmd->add_option("--warmup", o->warmup, "Seconds of wrk before the runs, not counted")
      ->capture_default_str();
  cmd->add_option("--connections", o->connections, "wrk's keep-alive connections (-c)")
      ->capture_default_str();
  cmd->add_option("--wrk-threads", o->wrk_threads, "wrk's threads (-t)")->capture_default_str();
  cmd->add_option("--md-threads", o->md_threads, "exchange-md's serving threads")
      ->capture_default_str();
  cmd->add_option("--days", o->days, "Days of trades (and so of candles) stored")
      ->capture_default_str();
  cmd->add_option("--trade-spacing-ms", o->trade_spacing_ms, "One stored trade every this long")
      ->capture_default_str();
  cmd->add_option("--levels", o->levels, "Price levels per side of the book in Redis")
      ->capture_default_str();
  cmd->add_option("--klines-window", o->klines_window,
                  "fixed: the newest 500; random: endTime drawn over the stored days")
      ->check(CLI::IsMember({"fixed", "random"}))
      ->capture_default_str();
  cmd->add_option("--endpoints", o->endpoints, "Comma-separated: klines, depth")
      ->capture_default_str();
  cmd->add_option("--live-trades-per-second", o->live_rate,
                  "Trades written during the runs (Redis live candle, then PostgreSQL), in "
                  "batches every 100 ms; 0: the data stand still")
      ->capture_default_str();
  cmd->add_option("--symbol", o->symbol, "The symbol made")->capture_default_str();
  cmd->add_option("--schema", o->schema, "PostgreSQL schema (dropped before and after)")
      ->capture_default_str();
  cmd->add_option("--pg-url", o->pg_url, "Writer URL (default: EXCHANGE_PG_URL)");
  cmd->add_option("--reader-url", o->reader_url,
                  "exchange-md's read-only URL (default: EXCHANGE_PG_READER_URL)");
  cmd->add_option("--redis-url", o->redis_url, "Redis (default: EXCHANGE_REDIS_URL)");
  cmd->add_option("--md-bin", o->md_bin,
                  "The exchange-md executable (default: beside exchange-bench)");
  cmd->add_option("--wrk", o->wrk, "The wrk executable")->capture_default_str();
  cmd->add_flag("--keep-data", o->keep_data, "Leave the schema and Redis keys behind");
  cmd->add_option("--json", o->json_file, "Also write the JSON result to this file");
  cmd->callback([o] {
    if (o->pg_url.empty()) o->pg_url = testing::ServiceUrl("EXCHANGE_PG_URL", "");
    if (o->reader_url.empty()) o->reader_url = testing::ServiceUrl("EXCHANGE_PG_READER_URL", "");
    if (o->redis_url.empty()) o->redis_url = testing::ServiceUrl("EXCHANGE_REDIS_URL", "");
    if (o->pg_url.empty() || o->reader_url.empty() || o->redis_url.empty()) {
      throw std::runtime_error(
          "need EXCHANGE_PG_URL, EXCHANGE_PG_READER_URL and EXCHANGE_REDIS_URL (eval "
          "\"$(scripts/services.sh env)\") or --pg-url, --reader-url, --redis-url");
    }
    if (o->md_bin.empty()) {
      o->md_bin =
          (std::filesystem::read_symlink("/proc/self/exe").parent_path() / "exchange-md").string();
    }
    if (o->runs == 0 || o->connections == 0 || o->wrk_threads == 0 || o->md_threads == 0 ||
        o->seconds == 0 || o->trade_spacing_ms <= 0 || o->days <= 0) {
      throw std::runtime_error(
          "--runs, --connections, --wrk-threads, --md-threads, --seconds, --days and "
          "--trade-spacing-ms must be positive");
    }
    const int rc = md_bench::RunMd(*o);
    if (rc != 0) throw CLI::RuntimeError(rc);
  });
}

}  // namespace exchange::bench
