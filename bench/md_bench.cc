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
#include "testing/md_process.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "bench/run_resources.h"
#include "bench/run_summary.h"
#include "bookstate/book_state_writer.h"
#include "bookstate/book_view_seed.h"
#include "bookstate/live_candle.h"
#include "bookstate/redis_client.h"
#include "bookstate/view_keys.h"
#include "candles/candle_aggregator.h"
#include "engine/depth_collector.h"
#include "engine/engine.h"
#include "persistence/history_writer.h"

namespace exchange::bench {

namespace {

using json = nlohmann::json;

constexpr Timestamp kSecond = 1'000'000'000;
constexpr Timestamp kMilli = 1'000'000;
constexpr Timestamp kDay = 86'400 * kSecond;
constexpr std::size_t kWriteBatch = 10'000;
constexpr int kPriceDecimals = 2;
constexpr int kQuantityDecimals = 3;
constexpr Price kMidPrice = 5'000'000;  // 50,000.00
constexpr std::int64_t kLiveBatchMs = 100;
// A run during which other processes used more CPUs than this is flagged.
constexpr double kBusyElsewhere = 0.1;

struct Options {
  std::size_t runs = 5;
  std::size_t seconds = 10;  // wrk takes whole seconds
  std::size_t warmup = 3;
  std::size_t connections = 32;
  std::size_t wrk_threads = 2;
  std::size_t md_threads = 2;
  double days = 12;
  std::int64_t trade_spacing_ms = 15'000;
  std::size_t levels = 150;
  std::string klines_window = "fixed";
  std::string endpoints = "klines,depth";
  double live_rate = 0;
  std::string symbol = "BENCH-MD";
  std::string schema = "bench_md";
  std::string pg_url, reader_url, redis_url;
  std::string md_bin;
  std::string wrk = "wrk";
  std::string json_file;
  bool keep_data = false;
};

struct WrkRun {
  double seconds = 0;
  std::uint64_t requests = 0;
  double requests_per_second = 0;
  double megabytes_per_second = 0;
  std::uint64_t errors = 0;  // connect + read + write + timeout + non-2xx/3xx
  json error_detail;
  double p50_ms = 0, p90_ms = 0, p99_ms = 0, p999_ms = 0, max_ms = 0, mean_ms = 0;
  double md_cpu_seconds = 0;  // exchange-md's user + system time during the run
  double machine_busy = 0;    // share of all CPUs not idle during the run (0-1)
  double other_cpus = 0;      // CPUs used by processes outside the benchmark
};

std::string EnvOr(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::string(v) : fallback;
}

Timestamp WallNow() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void DropSchema(const std::string& url, const std::string& schema) {
  pqxx::connection c(url);
  pqxx::work w(c);
  w.exec0("DROP SCHEMA IF EXISTS " + w.quote_name(schema) + " CASCADE");
  w.commit();
}

// The live candle of every interval as the history sink writes it
// (candle:{S}:I, bookstate::LiveCandleCommand's HSET).
void WriteLiveCandles(redis::RedisClient& client, const candles::CandleAggregator& aggregator,
                      const std::string& symbol) {
  for (const candles::CandleInterval interval : candles::AllIntervals()) {
    const auto live = aggregator.Live(symbol, interval);
    if (!live) continue;
    const std::vector<std::string> command = bookstate::LiveCandleCommand(*live);
    const std::vector<std::string_view> argv(command.begin(), command.end());
    const redis::RedisReply reply = client.Command(argv);
    if (reply.is_error())
      throw std::runtime_error("redis: " + command[1] + ": " + std::string(reply.str()));
  }
}

void DeleteRedisData(const std::string& redis_url, const std::string& symbol) {
  redis::RedisClient client(redis::ParseRedisUrl(redis_url));
  bookstate::BookStateWriter::DeleteView(client, symbol);
  for (const candles::CandleInterval interval : candles::AllIntervals())
    client.Command({"DEL", bookstate::CandleKeyOf(symbol, candles::IntervalName(interval))});
}

// The trade history: synthetic trades through CandleAggregator and
// HistoryWriter, as the history sink writes them.
class HistoryFeed {
 public:
  HistoryFeed(const Options& o, Timestamp start)
      : o_(o),
        symbol_(o.symbol),
        writer_(persistence::HistoryWriter::Options{o.pg_url, o.schema, "bench-md", 2}, start) {
    writer_.SaveInstruments({{o.symbol, kPriceDecimals, kQuantityDecimals, 1, 1}});
  }

  // Trades from `from` to `to` every `spacing`, in batches.
  void Fill(Timestamp from, Timestamp to, Timestamp spacing) {
    std::vector<persistence::TradeRow> trades;
    for (Timestamp t = from; t < to; t += spacing) {
      trades.push_back(Trade(t));
      if (trades.size() == kWriteBatch) Write(trades);
    }
    Write(trades);
  }

  // One live batch of `count` trades stamped now: Redis first, then
  // PostgreSQL (the history sink's order).
  void LiveBatch(std::size_t count, redis::RedisClient& redis) {
    std::vector<persistence::TradeRow> trades;
    const Timestamp now = WallNow();
    for (std::size_t i = 0; i < count; ++i)
      trades.push_back(Trade(now));
    Write(trades, &redis);
  }

  const candles::CandleAggregator& aggregator() const { return aggregator_; }
  std::size_t trades_written() const { return written_; }

 private:
  persistence::TradeRow Trade(Timestamp t) {
    price_ = std::max<Price>(1, price_ + static_cast<Price>(random_() % 201) - 100);
    persistence::TradeRow r;
    r.symbol = symbol_;
    r.trade_id = ++last_id_;
    r.time = t;
    r.price = price_;
    r.quantity = static_cast<Quantity>(1 + random_() % 5000);
    r.aggressor = random_() % 2 ? Side::kBuy : Side::kSell;
    r.taker_account = 1 + random_() % 1000;
    r.taker_order_id = 2 * r.trade_id;
    r.maker_account = 1 + random_() % 1000;
    r.maker_order_id = 2 * r.trade_id + 1;
    return r;
  }

  void Write(std::vector<persistence::TradeRow>& trades, redis::RedisClient* live = nullptr) {
    if (trades.empty()) return;
    persistence::HistoryBatch batch;
    batch.trades = std::move(trades);
    trades.clear();
    for (const auto& t : batch.trades)
      aggregator_.Add({t.symbol, t.trade_id, t.time, t.price, t.quantity});
    batch.candles = aggregator_.TakeChanges();
    batch.up_to = batch.trades.back().trade_id;
    if (live != nullptr) WriteLiveCandles(*live, aggregator_, o_.symbol);
    if (!writer_.Write(batch).empty()) throw std::runtime_error("PostgreSQL refused trades");
    written_ += batch.trades.size();
  }

  const Options& o_;
  SymbolName symbol_;
  persistence::HistoryWriter writer_;
  candles::CandleAggregator aggregator_;
  std::mt19937_64 random_{11};
  Price price_ = kMidPrice;
  Sequence last_id_ = 0;
  std::size_t written_ = 0;
};

// A book of `levels` price levels per side, made by the engine from
// resting limit orders and written by BookStateWriter (WriteAll of
// SeedBookViews); Change() adds one more order through the engine and
// writes the change as the book-state sink does (DepthCollector,
// ApplyBatch, WriteChanges): a new view sequence.
class BookFeed {
 public:
  explicit BookFeed(const Options& o)
      : o_(o), symbol_(o.symbol), redis_(redis::ParseRedisUrl(o.redis_url)) {
    InstrumentSpec spec;
    spec.symbol = symbol_;
    engine_.Process(Command{++time_, AddInstrument{spec}});
    for (std::size_t level = 1; level <= o.levels; ++level) {
      for (const Side side : {Side::kBuy, Side::kSell}) {
        const std::size_t orders = 1 + random_() % 3;
        for (std::size_t k = 0; k < orders; ++k)
          engine_.Process(Command{++time_, Order(side, level)});
      }
    }
    views_ = bookstate::SeedBookViews(engine_);
    if (const std::string problem = writer_.WriteAll(redis_, views_); !problem.empty())
      throw std::runtime_error("writing the book: " + problem);
  }

  void Change() {
    const Side side = random_() % 2 ? Side::kBuy : Side::kSell;
    const Command command{++time_, Order(side, 1 + random_() % o_.levels)};
    collector_.BeforeCommand(engine_, command);
    const std::span<const Event> events = engine_.Process(command);
    collector_.AfterEvents(events);
    records_.clear();
    for (const Event& e : events)
      records_.push_back(wire::EventRecord{symbol_, e});
    depth_.clear();
    collector_.Finish(engine_, &depth_);
    views_.ApplyBatch(records_, depth_);
    if (const std::string problem = writer_.WriteChanges(redis_, views_); !problem.empty())
      throw std::runtime_error("writing the book: " + problem);
  }

 private:
  // A resting limit order `level` ticks (5 units) from the middle.
  NewOrder Order(Side side, std::size_t level) {
    NewOrder order;
    order.account = 1 + random_() % 100;
    order.symbol = 0;
    order.order_id = ++order_id_;
    order.side = side;
    const auto offset = static_cast<Price>(level) * 5;
    order.price = side == Side::kBuy ? kMidPrice - offset : kMidPrice + offset;
    order.quantity = static_cast<Quantity>(1 + random_() % 20'000);
    return order;
  }

  const Options& o_;
  SymbolName symbol_;
  Engine engine_;
  bookstate::BookViews views_;
  bookstate::BookStateWriter writer_{bookstate::BookStateWriter::Options{}};
  redis::RedisClient redis_;
  DepthCollector collector_;
  std::vector<wire::EventRecord> records_;
  std::vector<DepthChange> depth_;
  std::mt19937_64 random_{5};
  Timestamp time_ = WallNow();
  ClientOrderId order_id_ = 0;
};

// exchange-md as a child process (md_process.h).
class MdServer : public MdProcess {
 public:
  explicit MdServer(const Options& o)
      : MdProcess(o.md_bin, o.redis_url, o.reader_url,
                  {"--threads", std::to_string(o.md_threads), "--pg-schema", o.schema,
                   "--log-level", "warn"}) {}
};

// (busy, total) jiffies of all CPUs (/proc/stat).
std::pair<double, double> MachineJiffies() {
  std::ifstream in("/proc/stat");
  std::string cpu;
  in >> cpu;
  double total = 0, idle = 0, v = 0;
  for (int i = 0; i < 8 && in >> v; ++i) {
    total += v;
    if (i == 3 || i == 4) idle += v;  // idle, iowait
  }
  return {total - idle, total};
}

// The CPU ticks (user + system) of every process, by pid, with its name.
std::map<int, std::pair<std::string, double>> ProcessTicks() {
  std::map<int, std::pair<std::string, double>> out;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(entry.path() / "stat");
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto open = stat.find('('), close = stat.rfind(')');
    if (open == std::string::npos || close == std::string::npos) continue;
    std::istringstream fields(stat.substr(close + 2));
    std::string field;
    double ticks = 0;
    for (int i = 3; i <= 15 && fields >> field; ++i) {
      if (i == 14 || i == 15) ticks += std::stod(field);
    }
    out[std::stoi(name)] = {stat.substr(open + 1, close - open - 1), ticks};
  }
  return out;
}

// This process's ticks and its waited-for children's (wrk, through popen).
double OwnTicks() {
  std::ifstream in("/proc/self/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::istringstream fields(stat.substr(stat.rfind(')') + 2));
  std::string field;
  double ticks = 0;
  for (int i = 3; i <= 17 && fields >> field; ++i) {
    if (i >= 14) ticks += std::stod(field);
  }
  return ticks;
}

// How busy the machine was with anything but the benchmark (exchange-md,
// wrk, Redis, PostgreSQL, this process): CPUs, between two samples.
struct CpuSample {
  std::map<int, std::pair<std::string, double>> processes = ProcessTicks();
  double own = OwnTicks();
  std::pair<double, double> machine = MachineJiffies();
};

double OtherCpus(const CpuSample& before, const CpuSample& after) {
  const double total = after.machine.second - before.machine.second;
  if (total <= 0) return 0;
  double ours = after.own - before.own;
  for (const auto& [pid, now] : after.processes) {
    const auto was = before.processes.find(pid);
    if (was == before.processes.end() || was->second.first != now.first) continue;
    if (now.first == "exchange-md" || now.first == "redis-server" || now.first == "postgres")
      ours += now.second - was->second.second;
  }
  const double busy = after.machine.first - before.machine.first;
  const auto cpus = static_cast<double>(std::thread::hardware_concurrency());
  return std::max(0.0, busy - ours) * cpus / total;
}

std::string LoadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  in >> a >> b >> c;
  return a + " " + b + " " + c;
}

// The wrk Lua script: the request (fixed, or an endTime drawn per request)
// and the JSON line done() prints.
std::string WrkScript(const std::string& path, const std::string& random_end_base,
                      std::int64_t end_lo_ms, std::int64_t end_hi_ms) {
  std::ostringstream s;
  if (random_end_base.empty()) {
    s << "wrk.path = \"" << path << "\"\n";
  } else {
    s << "local base = \"" << random_end_base << "\"\n"
      << "local lo, hi = " << end_lo_ms << ", " << end_hi_ms << "\n"
      << "local counter = 0\n"
      << "function setup(thread) counter = counter + 1; thread:set(\"seed\", counter) end\n"
      << "function init(args) math.randomseed(seed or 1) end\n"
      << "function request()\n"
      << "  local e = lo + math.floor(math.random() * (hi - lo + 1))\n"
      << "  return wrk.format(\"GET\", string.format(\"%s&endTime=%.0f\", base, e))\n"
      << "end\n";
  }
  s << R"LUA(function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRK_JSON {"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{"min":%d,"mean":%.1f,"p50":%d,"p90":%d,"p99":%d,"p999":%d,"max":%d}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.min, latency.mean, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency:percentile(99.9), latency.max))
end
)LUA";
  return s.str();
}

// Runs wrk for `seconds`; its JSON line parsed.
WrkRun RunWrk(const Options& o, const MdServer& server, const std::string& script,
              std::size_t seconds) {
  const std::string command = o.wrk + " -t" + std::to_string(o.wrk_threads) + " -c" +
                              std::to_string(o.connections) + " -d" + std::to_string(seconds) +
                              "s --timeout 5s -s " + script +
                              " http://127.0.0.1:" + std::to_string(server.port()) + " 2>&1";
  const double cpu_before = server.CpuSeconds();
  const CpuSample before;
  const auto [busy_before, total_before] = before.machine;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) throw std::runtime_error("cannot run " + command);
  std::string output;
  char buffer[4096];
  for (std::size_t n; (n = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0;)
    output.append(buffer, n);
  const int status = ::pclose(pipe);
  const CpuSample after;
  const auto [busy_after, total_after] = after.machine;
  WrkRun r;
  r.other_cpus = OtherCpus(before, after);
  r.md_cpu_seconds = server.CpuSeconds() - cpu_before;
  r.machine_busy =
      total_after > total_before ? (busy_after - busy_before) / (total_after - total_before) : 0;
  const auto at = output.find("WRK_JSON ");
  if (status != 0 || at == std::string::npos)
    throw std::runtime_error("wrk failed (" + command + "):\n" + output);
  const json j = json::parse(output.substr(at + 9, output.find('\n', at) - at - 9));
  r.seconds = j["duration_us"].get<double>() / 1e6;
  r.requests = j["requests"].get<std::uint64_t>();
  r.requests_per_second = static_cast<double>(r.requests) / r.seconds;
  r.megabytes_per_second = j["bytes"].get<double>() / r.seconds / 1e6;
  r.error_detail = j["errors"];
  for (const auto& [name, count] : j["errors"].items())
    r.errors += count.get<std::uint64_t>();
  const json& l = j["latency_us"];
  r.p50_ms = l["p50"].get<double>() / 1000;
  r.p90_ms = l["p90"].get<double>() / 1000;
  r.p99_ms = l["p99"].get<double>() / 1000;
  r.p999_ms = l["p999"].get<double>() / 1000;
  r.max_ms = l["max"].get<double>() / 1000;
  r.mean_ms = l["mean"].get<double>() / 1000;
  return r;
}

json RunJson(const WrkRun& r) {
  return {{"seconds", r.seconds},
          {"requests", r.requests},
          {"requests_per_second", r.requests_per_second},
          {"megabytes_per_second", r.megabytes_per_second},
          {"errors", r.errors},
          {"error_detail", r.error_detail},
          {"latency_ms",
           {{"p50", r.p50_ms},
            {"p90", r.p90_ms},
            {"p99", r.p99_ms},
            {"p999", r.p999_ms},
            {"max", r.max_ms},
            {"mean", r.mean_ms}}},
          {"md_cpu_seconds", r.md_cpu_seconds},
          {"machine_busy", r.machine_busy},
          {"other_cpus", r.other_cpus}};
}

struct Endpoint {
  std::string name;
  std::string path;          // the fixed request, or the base of the random one
  bool random_end = false;   // klines --klines-window random
  double target_rps = 0;     // the issue's figure
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

int RunMd(const Options& o) {
  const std::string load_before = LoadAverage();
  std::cout << "md bench: load average before: " << load_before << "\n";
  // Data.
  DropSchema(o.pg_url, o.schema);
  DeleteRedisData(o.redis_url, o.symbol);
  struct Cleanup {
    const Options& o;
    ~Cleanup() {
      if (o.keep_data) return;
      try {
        DropSchema(o.pg_url, o.schema);
        DeleteRedisData(o.redis_url, o.symbol);
      } catch (const std::exception& e) {
        std::cerr << "exchange-bench: warning: cleaning up: " << e.what() << "\n";
      }
    }
  } cleanup{o};
  const Timestamp now = WallNow();
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

  TempDir dir(std::filesystem::temp_directory_path().string(), "md-bench");
  json result = {{"bench", "md"},
                 {"load_average_before", load_before},
                 {"config",
                  {{"runs", o.runs},
                   {"seconds", o.seconds},
                   {"warmup_seconds", o.warmup},
                   {"connections", o.connections},
                   {"wrk_threads", o.wrk_threads},
                   {"md_threads", o.md_threads},
                   {"days", o.days},
                   {"trades", feed.trades_written()},
                   {"trade_spacing_ms", o.trade_spacing_ms},
                   {"book_levels_per_side", o.levels},
                   {"klines_window", o.klines_window},
                   {"live_trades_per_second", o.live_rate},
                   {"load_generator", "wrk (closed loop: a connection sends when answered)"}}}};
  // Each endpoint answered right once, before anything changes the data.
  for (const Endpoint& e : endpoints)
    CheckAnswer(o, server, e, feed.aggregator());
  // The live writer, when asked for.
  std::atomic<bool> stop_live{false};
  std::thread live;
  std::string live_failure;
  if (o.live_rate > 0) {
    live = std::thread([&] {
      try {
        redis::RedisClient client(redis::ParseRedisUrl(o.redis_url));
        const auto count =
            std::max<std::size_t>(1, static_cast<std::size_t>(o.live_rate * kLiveBatchMs / 1000.0));
        auto next = std::chrono::steady_clock::now();
        while (!stop_live.load()) {
          next += std::chrono::milliseconds(kLiveBatchMs);
          feed.LiveBatch(count, client);
          book.Change();
          std::this_thread::sleep_until(next);
        }
      } catch (const std::exception& e) {
        live_failure = e.what();
      }
    });
  }
  struct StopLive {
    std::atomic<bool>& stop;
    std::thread& thread;
    ~StopLive() {
      stop = true;
      if (thread.joinable()) thread.join();
    }
  } stop_live_guard{stop_live, live};

  bool all_ok = true;
  bool busy_elsewhere = false;  // a run shared the machine with other work
  std::ostringstream summary;
  for (const Endpoint& e : endpoints) {
    const std::int64_t end_lo = (start + 500 * 60 * kSecond) / kMilli;
    const std::int64_t end_hi = now / kMilli;
    const std::string script = dir.path() + "/" + e.name + ".lua";
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
      if (r.other_cpus > kBusyElsewhere) busy_elsewhere = true;
    }
    const auto median = [&](auto field) { return MedianOf(runs, field); };
    const double rps = median([](const WrkRun& r) { return r.requests_per_second; });
    const double p99 = median([](const WrkRun& r) { return r.p99_ms; });
    std::uint64_t errors = 0;
    for (const WrkRun& r : runs)
      errors += r.errors;
    const bool meets = rps >= e.target_rps && (e.target_p99_ms == 0 || p99 <= e.target_p99_ms);
    all_ok = all_ok && errors == 0;
    json medians = {
        {"requests_per_second", rps},
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
    result[e.name] = {{"path", e.path + (e.random_end ? "&endTime=<random>" : "")},
                      {"runs", runs_json},
                      {"median", medians},
                      {"errors", errors},
                      {"target", target.str()},
                      {"meets_target", meets}};
    summary << "  " << e.name << ": median " << Fixed(rps, 0) << " req/s, p50 "
            << Fixed(medians["latency_ms"]["p50"].get<double>(), 2) << " ms, p99 " << Fixed(p99, 2)
            << " ms (target " << target.str() << ": " << (meets ? "met" : "NOT met") << ")"
            << (errors > 0 ? ", ERRORS " + std::to_string(errors) : "") << "\n";
  }
  stop_live = true;
  if (live.joinable()) live.join();
  if (!live_failure.empty()) throw std::runtime_error("the live writer failed: " + live_failure);
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

void AddMdBenchCommand(CLI::App& app) {
  auto o = std::make_shared<Options>();
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
    if (o->pg_url.empty()) o->pg_url = EnvOr("EXCHANGE_PG_URL", "");
    if (o->reader_url.empty()) o->reader_url = EnvOr("EXCHANGE_PG_READER_URL", "");
    if (o->redis_url.empty()) o->redis_url = EnvOr("EXCHANGE_REDIS_URL", "");
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
    const int rc = RunMd(*o);
    if (rc != 0) throw CLI::RuntimeError(rc);
  });
}

}  // namespace exchange::bench
