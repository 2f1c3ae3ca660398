// exchange-bench bookstate: how far the Redis book-state view lags the
// engine. It runs the engine service's own BookStateSink (the same class,
// thread, writes and Redis) and plays the committer in front of it: a
// generator thread runs the exchange-core mix through an Engine with a
// DepthCollector, fills one PipelineSlot per --batch commands exactly as the
// engine thread does, and hands each slot to the sink through a SinkChannel
// and a SlotPool.
//
// Open loop in events: slot k is due at start + (events of slots 0..k-1) /
// rate, whatever the sink is doing (the generator never waits for it, only
// for a free slot, which is counted as a stall and fails "keeps up"). A
// slot's lag runs from its hand-over, once the engine has applied its
// commands, to the reply of the Redis EXEC that holds it: how far the view
// is behind the engine, the definition of the service's
// exchange_engine_bookstate_lag_seconds. The lag from the due time is
// reported too: it adds how late the generator itself was (sleep
// granularity, sharing two cores with the sink and Redis).
//
// "Keeps up" means: the view was written at most 100 ms after the last
// slot was due, the median lag of the second half of the measured time is
// not above max(2 x the first half's, 1 ms) (a growing backlog raises the
// median; one scheduling hiccup of the machine only the tail), and the pool
// never ran dry.
//
// --rate 0: slots as fast as the sink takes them (the pool's back-pressure
// holds the generator), for the sink's capacity in events/s.
//
// Each run starts from a deleted view, and ends by reading the view back
// from Redis: every level of both sides and the sequence must equal the
// engine's, or the run fails (a fast wrong writer is not a result).
#include "bench/bookstate_bench.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "bench/latency_recorder.h"
#include "bench/run_summary.h"
#include "bookstate/book_state_reader.h"
#include "bookstate/book_state_writer.h"
#include "bookstate/book_view_seed.h"
#include "bookstate/redis_client.h"
#include "engine/depth_collector.h"
#include "engine/engine.h"
#include "engine_service/sinks/book_state_sink.h"
#include "orderflow/benchmark_mix.h"

namespace exchange::bench {

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr const char* kDefaultRedisUrl = "redis://127.0.0.1:6379";
constexpr std::int64_t kKeptUpDrainNs = 100'000'000;  // 100 ms
constexpr std::int64_t kGrowthFloorNs = 1'000'000;    // 1 ms
// Slots handed over between two rings at most, when the generator is behind.
constexpr std::size_t kSlotsPerRing = 64;

struct Options {
  std::size_t runs = 5;
  double rate = 100'000;  // events/s; 0: as fast as the sink takes them
  double seconds = 10;    // measured, after the warm-up
  double warmup = 1;
  std::size_t batch = 1;             // commands per slot (per AMQP message in the service)
  std::size_t commands = 2'000'000;  // --rate 0: the flow's length
  std::uint64_t seed = 1;
  std::string redis_url;
  std::string symbol = "BENCH-BOOK";
  std::size_t slots = 4096;  // the pool (the service's --pipeline-slots)
  std::size_t stream_max_length = 100'000;
  std::string json_file;
};

struct RunResult {
  std::size_t slots = 0;     // measured
  std::size_t events = 0;    // measured
  std::size_t commands = 0;  // measured
  double seconds = 0;        // measured span (open loop: --seconds)
  double events_per_second = 0;
  // Lag, ns: hand-over to EXEC reply.
  std::int64_t p50 = 0, p90 = 0, p99 = 0, p999 = 0, max = 0;
  std::int64_t first_half_p50 = 0, second_half_p50 = 0;
  std::int64_t first_half_p99 = 0, second_half_p99 = 0;
  std::vector<std::int64_t> p99_per_second;
  // Lag from the due time, ns (adds the generator's lateness).
  std::int64_t due_p50 = 0, due_p99 = 0, due_max = 0;
  double drain_ms = 0;     // last write after the last slot was due
  std::size_t writes = 0;  // MULTI/EXEC rounds that carried slots
  std::uint64_t redis_commands = 0;
  std::size_t pool_stalls = 0;  // the pool was empty when a slot was due
  bool kept_up = false;
  Sequence sequence = 0;  // the engine's, and the view's read back
  std::size_t levels = 0;
};

// The flow shared by every run: instrument, pre-fill, measured commands.
BenchmarkFlow BuildFlow(const Options& o) {
  BenchmarkMixOptions mix;
  mix.seed = o.seed;
  // Open loop: every command gives at least one event, so rate x time
  // commands are always enough.
  mix.commands =
      o.rate > 0 ? static_cast<std::size_t>(o.rate * (o.warmup + o.seconds)) + o.batch : o.commands;
  BenchmarkFlow flow = GenerateBenchmarkMix(mix);
  flow.instrument.symbol = SymbolName(o.symbol);
  return flow;
}

// One slot's times, ns on the steady clock. The generator sets `due` and
// `handed_over` before it hands slot k over; the sink's lag observer sets
// `written` of the k-th slot it reports (it reports them in order). The
// vector is sized up front and never reallocated.
struct SlotTimes {
  std::int64_t due = 0, handed_over = 0, written = 0;
};

std::int64_t Ns(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

// Fills a slot with the next `count` commands as the engine thread does.
void FillSlot(Engine& engine, DepthCollector& collector, const SymbolName& symbol,
              std::span<const Command> commands, PipelineSlot& slot) {
  for (const Command& c : commands) {
    collector.BeforeCommand(engine, c);
    const std::span<const Event> produced = engine.Process(c);
    collector.AfterEvents(produced);
    for (const Event& e : produced)
      slot.events.push_back(wire::EventRecord{symbol, e});
  }
  collector.Finish(engine, &slot.depth);
}

// Waits for the sink's first whole write of the seeded view.
void AwaitFirstWrite(const SinkStats& stats, const std::string& url) {
  const auto deadline = Clock::now() + 10s;
  while (stats.messages.load() == 0) {
    if (Clock::now() > deadline) {
      throw std::runtime_error("the book-state sink could not write to " + url +
                               " within 10 s (is Redis up? eval \"$(scripts/services.sh env)\")");
    }
    std::this_thread::sleep_for(1ms);
  }
}

// The view in Redis must be the engine's book.
void CheckView(redis::RedisClient& client, const Engine& engine, const std::string& symbol,
               RunResult& r) {
  bookstate::BookViews truth = bookstate::SeedBookViews(engine);
  const bookstate::BookView* view = truth.Find(symbol);
  bookstate::BookSnapshot read = bookstate::BookStateReader(client).ReadBook(symbol, 0);
  auto fail = [&](const std::string& what) {
    throw std::runtime_error("the Redis view of " + symbol + " is wrong after the run: " + what);
  };
  if (const std::string bad = bookstate::ValidateBook(read); !bad.empty()) fail(bad);
  if (read.sequence != engine.last_sequence()) {
    fail("sequence " + std::to_string(read.sequence) + ", engine " +
         std::to_string(engine.last_sequence()));
  }
  auto same = [](const auto& levels, const std::vector<bookstate::DecodedLevel>& read_levels) {
    if (levels.size() != read_levels.size()) return false;
    std::size_t i = 0;
    for (const auto& [price, value] : levels) {
      if (read_levels[i].price != price || !(read_levels[i].value == value)) return false;
      ++i;
    }
    return true;
  };
  if (!same(view->bids(), read.bids)) fail("bids differ from the engine's");
  if (!same(view->asks(), read.asks)) fail("asks differ from the engine's");
  r.sequence = read.sequence;
  r.levels = read.bids.size() + read.asks.size();
}

// Lag percentiles of the slots due in [measure_from, measure_to), of each
// half and each second of it.
void Summarize(std::span<const SlotTimes> times, std::int64_t measure_from, std::int64_t measure_to,
               RunResult& r) {
  LatencyRecorder all(times.size()), first(times.size()), second(times.size()),
      from_due(times.size());
  const std::int64_t middle = measure_from + (measure_to - measure_from) / 2;
  std::vector<std::vector<std::int64_t>> per_second;
  for (const SlotTimes& t : times) {
    if (t.due < measure_from || t.due >= measure_to) continue;
    const std::int64_t lag = t.written - t.handed_over;
    all.Record(lag);
    (t.due < middle ? first : second).Record(lag);
    from_due.Record(t.written - t.due);
    const auto s = static_cast<std::size_t>((t.due - measure_from) / 1'000'000'000);
    if (per_second.size() <= s) per_second.resize(s + 1);
    per_second[s].push_back(lag);
  }
  for (LatencyRecorder* l : {&all, &first, &second, &from_due})
    l->Finish();
  r.p50 = all.Percentile(50);
  r.p90 = all.Percentile(90);
  r.p99 = all.Percentile(99);
  r.p999 = all.Percentile(99.9);
  r.max = all.Max();
  r.first_half_p50 = first.Percentile(50);
  r.second_half_p50 = second.Percentile(50);
  r.first_half_p99 = first.Percentile(99);
  r.second_half_p99 = second.Percentile(99);
  r.due_p50 = from_due.Percentile(50);
  r.due_p99 = from_due.Percentile(99);
  r.due_max = from_due.Max();
  for (auto& lags : per_second) {
    LatencyRecorder second_lags(lags.size());
    for (auto lag : lags)
      second_lags.Record(lag);
    second_lags.Finish();
    r.p99_per_second.push_back(second_lags.Percentile(99));
  }
  std::int64_t last_write = 0;
  r.writes = 0;
  for (const SlotTimes& t : times) {
    r.writes += t.written != last_write;
    last_write = t.written;
  }
  r.drain_ms = times.empty() ? 0 : static_cast<double>(last_write - times.back().due) / 1e6;
}

RunResult RunOnce(const Options& o, const BenchmarkFlow& flow) {
  const redis::RedisUrl url = redis::ParseRedisUrl(o.redis_url);
  redis::RedisClient admin(url);
  if (const std::string e = bookstate::BookStateWriter::DeleteView(admin, o.symbol); !e.empty())
    throw std::runtime_error(e);

  Engine engine;
  engine.Process(Command{0, AddInstrument{flow.instrument}});
  for (const Command& c : flow.prefill)
    engine.Process(c);

  SinkStats stats;
  SinkChannel channel("redis", o.slots, stats);
  SlotPool pool(o.slots);
  std::vector<SlotTimes> times(flow.commands.size() / o.batch + 2);
  std::size_t reported = 0;
  BookStateSink sink(BookStateSink::Options{url, o.stream_max_length}, channel, pool,
                     bookstate::SeedBookViews(engine), engine.last_sequence(),
                     [&](Clock::time_point, Clock::time_point written) {
                       if (reported < times.size()) times[reported++].written = Ns(written);
                     });
  std::atomic<bool> stop{false};
  std::thread sink_thread([&] { sink.Run(stop); });
  struct Joiner {
    std::atomic<bool>& stop;
    SinkChannel& channel;
    std::thread& thread;
    ~Joiner() {
      stop.store(true, std::memory_order_release);
      channel.bell.Wake();
      if (thread.joinable()) thread.join();
    }
  } joiner{stop, channel, sink_thread};
  AwaitFirstWrite(stats, redis::Describe(url));

  const bool open_loop = o.rate > 0;
  const std::int64_t start = Ns(Clock::now() + 1ms);
  const std::int64_t measure_from = start + static_cast<std::int64_t>(o.warmup * 1e9);
  const std::int64_t measure_to = measure_from + static_cast<std::int64_t>(o.seconds * 1e9);
  DepthCollector collector;
  RunResult r;
  std::size_t next = 0;
  std::uint64_t events_sent = 0;
  std::int64_t first_measured = -1, last_measured = 0;
  // Like the committer, the generator hands over every slot that is due and
  // rings the sink's doorbell once before it sleeps, not once per slot.
  std::size_t unrung = 0;
  auto ring = [&] {
    if (unrung == 0) return;
    channel.bell.Ring();
    unrung = 0;
  };
  std::size_t handed_over = 0;
  while (next < flow.commands.size()) {
    std::int64_t due = 0;
    if (open_loop) {
      due = start + static_cast<std::int64_t>(static_cast<double>(events_sent) * 1e9 / o.rate);
      if (due >= measure_to) break;
      if (due > Ns(Clock::now())) {
        ring();
        SleepUntil(due);
      }
    }
    PipelineSlot* slot = pool.Acquire();
    for (; slot == nullptr; slot = pool.Acquire()) {
      ring();
      ++r.pool_stalls;
      std::this_thread::sleep_for(20us);
    }
    const std::size_t count = std::min(o.batch, flow.commands.size() - next);
    FillSlot(engine, collector, flow.instrument.symbol,
             std::span<const Command>(flow.commands).subspan(next, count), *slot);
    slot->dispatched = Clock::now();
    const std::int64_t now = Ns(slot->dispatched);
    if (!open_loop) due = now;
    times[handed_over++] = SlotTimes{due, now, 0};
    if (!open_loop || due >= measure_from) {
      if (first_measured < 0) first_measured = due;
      last_measured = due;
      ++r.slots;
      r.events += slot->events.size();
      r.commands += count;
    }
    events_sent += slot->events.size();
    next += count;
    slot->holders.store(1, std::memory_order_relaxed);
    channel.queue.push(slot);
    stats.queued.fetch_add(1, std::memory_order_relaxed);
    if (++unrung >= kSlotsPerRing) ring();
  }
  ring();
  if (open_loop && next >= flow.commands.size())
    throw std::logic_error("the generated flow ran out before the measured time ended");
  stop.store(true, std::memory_order_release);
  channel.bell.Wake();
  sink_thread.join();
  if (stats.connected.load() == 0)
    throw std::runtime_error("lost Redis during the run (see the log above)");

  if (reported != handed_over) {
    throw std::runtime_error("the sink reported the lag of " + std::to_string(reported) + " of " +
                             std::to_string(handed_over) + " slots (Redis stalled?)");
  }
  const std::span<const SlotTimes> run_times(times.data(), handed_over);
  if (!open_loop) {
    // Throughput: from the first slot to the last write.
    r.seconds = static_cast<double>(run_times.back().written - first_measured) / 1e9;
    Summarize(run_times, first_measured, last_measured + 1, r);
  } else {
    r.seconds = o.seconds;
    Summarize(run_times, measure_from, measure_to, r);
  }
  r.events_per_second = static_cast<double>(r.events) / r.seconds;
  r.redis_commands = stats.messages.load();
  r.kept_up = open_loop && r.drain_ms * 1e6 <= kKeptUpDrainNs &&
              r.second_half_p50 <= std::max(2 * r.first_half_p50, kGrowthFloorNs) &&
              r.pool_stalls == 0;
  CheckView(admin, engine, o.symbol, r);
  if (const std::string e = bookstate::BookStateWriter::DeleteView(admin, o.symbol); !e.empty())
    throw std::runtime_error(e);
  return r;
}

double Us(std::int64_t ns) {
  return static_cast<double>(ns) / 1e3;
}

nlohmann::json RunJson(const RunResult& r) {
  nlohmann::json per_second = nlohmann::json::array();
  for (auto ns : r.p99_per_second)
    per_second.push_back(std::round(Us(ns)));
  return {
      {"slots", r.slots},
      {"events", r.events},
      {"commands", r.commands},
      {"seconds", r.seconds},
      {"events_per_second", r.events_per_second},
      {"lag_us",
       {{"p50", Us(r.p50)},
        {"p90", Us(r.p90)},
        {"p99", Us(r.p99)},
        {"p99_9", Us(r.p999)},
        {"max", Us(r.max)},
        {"p50_first_half", Us(r.first_half_p50)},
        {"p50_second_half", Us(r.second_half_p50)},
        {"p99_first_half", Us(r.first_half_p99)},
        {"p99_second_half", Us(r.second_half_p99)},
        {"p99_per_second", per_second}}},
      {"drain_ms", r.drain_ms},
      {"writes", r.writes},
      {"redis_commands", r.redis_commands},
      {"pool_stalls", r.pool_stalls},
      {"lag_from_due_us", {{"p50", Us(r.due_p50)}, {"p99", Us(r.due_p99)}, {"max", Us(r.due_max)}}},
      {"kept_up", r.kept_up},
      {"view_checked", {{"sequence", r.sequence}, {"levels", r.levels}}}};
}

void PrintRun(std::size_t i, const RunResult& r, bool open_loop) {
  std::cout << "  run " << i + 1 << ": " << static_cast<std::uint64_t>(r.events_per_second)
            << " events/s (" << r.events << " events, " << r.commands << " commands in " << r.slots
            << " slots over " << Fixed(r.seconds, 2) << " s); lag us p50 " << Fixed(Us(r.p50), 0)
            << " p90 " << Fixed(Us(r.p90), 0) << " p99 " << Fixed(Us(r.p99), 0) << " p99.9 "
            << Fixed(Us(r.p999), 0) << " max " << Fixed(Us(r.max), 0)
            << "\n    first/second half p50 " << Fixed(Us(r.first_half_p50), 0) << "/"
            << Fixed(Us(r.second_half_p50), 0) << " p99 " << Fixed(Us(r.first_half_p99), 0) << "/"
            << Fixed(Us(r.second_half_p99), 0) << " us; from the due time p50 "
            << Fixed(Us(r.due_p50), 0) << " p99 " << Fixed(Us(r.due_p99), 0) << " max "
            << Fixed(Us(r.due_max), 0) << " us; written " << Fixed(r.drain_ms, 1)
            << " ms after the last slot was due\n    " << r.writes << " MULTI/EXEC writes, "
            << r.redis_commands << " Redis commands; pool stalls " << r.pool_stalls;
  if (open_loop) std::cout << (r.kept_up ? "; kept up" : "; NOT KEPT UP");
  std::cout << "; view read back = engine (sequence " << r.sequence << ", " << r.levels
            << " levels)\n";
}

void Validate(const Options& o) {
  auto fail = [](const std::string& what) { throw std::runtime_error(what); };
  if (o.runs == 0) fail("--runs must be at least 1");
  if (o.rate < 0) fail("--rate must not be negative");
  if (o.seconds <= 0 || o.warmup < 0) fail("--seconds must be positive, --warmup not negative");
  if (o.batch == 0) fail("--batch must be at least 1");
  if (o.slots < 2) fail("--slots must be at least 2");
  if (!SymbolName::Fits(o.symbol)) {
    fail("--symbol must have 1 to " + std::to_string(SymbolName::kMaxLength) + " characters");
  }
}

int Run(Options o) {
  if (o.redis_url.empty()) {
    const char* env = std::getenv("EXCHANGE_REDIS_URL");
    o.redis_url = env != nullptr ? env : kDefaultRedisUrl;
  }
  Validate(o);
  const BenchmarkFlow flow = BuildFlow(o);
  const bool open_loop = o.rate > 0;
  std::cout << "exchange-bench bookstate: the engine service's BookStateSink writing to "
            << redis::Describe(redis::ParseRedisUrl(o.redis_url)) << "\n  flow: exchange-core mix "
            << "(1 symbol " << o.symbol << ", " << flow.prefill.size() << "-order pre-fill), "
            << o.batch << " command(s) per slot; "
            << (open_loop
                    ? "open loop at " + Fixed(o.rate, 0) + " events/s for " + Fixed(o.seconds, 1) +
                          " s after " + Fixed(o.warmup, 1) + " s warm-up"
                    : "as fast as the sink takes slots, " + std::to_string(flow.commands.size()) +
                          " commands")
            << "\n";
  std::vector<RunResult> runs;
  for (std::size_t i = 0; i < o.runs; ++i) {
    runs.push_back(RunOnce(o, flow));
    PrintRun(i, runs.back(), open_loop);
  }
  auto m = [&](auto field) { return MedianOf(runs, field); };
  std::size_t kept_up = 0;
  for (const auto& r : runs)
    kept_up += r.kept_up;
  nlohmann::json med = {{"events_per_second", m([](auto& r) { return r.events_per_second; })},
                        {"lag_us",
                         {{"p50", m([](auto& r) { return Us(r.p50); })},
                          {"p90", m([](auto& r) { return Us(r.p90); })},
                          {"p99", m([](auto& r) { return Us(r.p99); })},
                          {"p99_9", m([](auto& r) { return Us(r.p999); })},
                          {"max", m([](auto& r) { return Us(r.max); })},
                          {"p50_first_half", m([](auto& r) { return Us(r.first_half_p50); })},
                          {"p50_second_half", m([](auto& r) { return Us(r.second_half_p50); })},
                          {"p99_first_half", m([](auto& r) { return Us(r.first_half_p99); })},
                          {"p99_second_half", m([](auto& r) { return Us(r.second_half_p99); })}}},
                        {"lag_from_due_us",
                         {{"p50", m([](auto& r) { return Us(r.due_p50); })},
                          {"p99", m([](auto& r) { return Us(r.due_p99); })},
                          {"max", m([](auto& r) { return Us(r.due_max); })}}},
                        {"drain_ms", m([](auto& r) { return r.drain_ms; })},
                        {"writes", m([](auto& r) { return r.writes; })},
                        {"runs_kept_up", kept_up}};
  const auto& l = med["lag_us"];
  std::cout << "  median of " << runs.size() << ": "
            << static_cast<std::uint64_t>(med["events_per_second"].get<double>())
            << " events/s; lag us p50 " << Fixed(l["p50"].get<double>(), 0) << " p90 "
            << Fixed(l["p90"].get<double>(), 0) << " p99 " << Fixed(l["p99"].get<double>(), 0)
            << " p99.9 " << Fixed(l["p99_9"].get<double>(), 0) << " max "
            << Fixed(l["max"].get<double>(), 0) << " (from the due time p99 "
            << Fixed(med["lag_from_due_us"]["p99"].get<double>(), 0) << ")";
  if (open_loop) std::cout << "; kept up in " << kept_up << " of " << runs.size() << " runs";
  std::cout << "\n";
  nlohmann::json out = {{"benchmark", "bookstate"},
                        {"redis", redis::Describe(redis::ParseRedisUrl(o.redis_url))},
                        {"flow", "exchange-core mix"},
                        {"symbol", o.symbol},
                        {"batch", o.batch},
                        {"rate", o.rate},
                        {"seconds", o.seconds},
                        {"warmup_seconds", o.warmup},
                        {"median", med},
                        {"runs", nlohmann::json::array()}};
  for (const auto& r : runs)
    out["runs"].push_back(RunJson(r));
  EmitJson(out, o.json_file);
  return 0;
}

}  // namespace

void AddBookStateBenchCommand(CLI::App& app) {
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "bookstate",
      "Benchmark the Redis book-state view's lag behind the engine (the service's sink, real "
      "Redis)");
  cmd->add_option("--runs", o->runs, "Runs; medians are reported")->capture_default_str();
  cmd->add_option("--rate", o->rate,
                  "Open loop at this many engine events/s (0: as fast as the sink takes them)")
      ->capture_default_str();
  cmd->add_option("--seconds", o->seconds, "Measured seconds (after the warm-up)")
      ->capture_default_str();
  cmd->add_option("--warmup", o->warmup, "Seconds generated first and not counted")
      ->capture_default_str();
  cmd->add_option("--batch", o->batch,
                  "Commands per slot (per AMQP message in the service: the grain of hand-over)")
      ->capture_default_str();
  cmd->add_option("--commands", o->commands, "--rate 0: commands in the flow")
      ->capture_default_str();
  cmd->add_option("--seed", o->seed, "Seed of the generated mix")->capture_default_str();
  cmd->add_option(
      "--redis-url", o->redis_url,
      "Redis URL (default: EXCHANGE_REDIS_URL, else " + std::string(kDefaultRedisUrl) + ")");
  cmd->add_option("--symbol", o->symbol, "Symbol of the view written (deleted before and after)")
      ->capture_default_str();
  cmd->add_option("--slots", o->slots, "Slots in the pool (the service's --pipeline-slots)")
      ->capture_default_str();
  cmd->add_option("--stream-max-length", o->stream_max_length, "Depth stream cap (MAXLEN ~)")
      ->capture_default_str();
  cmd->add_option("--json", o->json_file, "Also write the JSON result to this file");
  cmd->callback([o] {
    const int rc = Run(*o);
    if (rc != 0) throw CLI::RuntimeError(rc);
  });
}

}  // namespace exchange::bench
