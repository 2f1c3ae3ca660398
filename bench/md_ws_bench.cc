// exchange-bench md-ws. Setup: an instrument and a resting book made by a
// MarketProducer (the engine in process, writing Redis as the engine
// service's book-state sink does, the instrument to PostgreSQL), and the
// Release exchange-md executable as a child process.
//
// Load, open loop: the producer runs the benchmark order mix in batches
// every millisecond at --rate commands/s, on its own schedule whatever the
// clients do; the time each batch entered the engine is kept by sequence.
// N clients (one thread, epoll) connect to /ws/<s>@trade/<s>@depth; every
// message's latency is the time it was read by its client minus the time
// its engine batch started (a trade by its id, a depth update by its u).
// So it covers the engine, the Redis write, exchange-md's feed, framing
// and fan-out, the kernel, and the client's own parsing.
//
// Everything shares this machine's cores; the summary shows the CPU each
// part used.
#include "bench/md_ws_bench.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <chrono>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <random>
#include <sstream>
#include <thread>

#include "bench/latency_recorder.h"
#include "md/ws/ws_frame.h"
#include "orderflow/benchmark_mix.h"
#include "testing/market_producer.h"
#include "testing/md_process.h"
#include "testing/service_env.h"

namespace exchange::bench {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

struct Options {
  std::size_t clients = 1000;
  double rate = 4000;  // commands/s (each makes 2-3 events: see the summary)
  double seconds = 10;
  int runs = 5;
  std::size_t md_threads = 2;
  std::size_t ws_batch_ms = 2;
  std::string md_bin;
  std::string redis_url, pg_url, reader_url;
};

Timestamp WallNow() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::int64_t MonoNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
      .count();
}

// When each sequence's batch entered the engine (monotonic ns), by the
// batch's last sequence.
class ProduceTimes {
 public:
  void Add(Sequence last, std::int64_t at) {
    std::lock_guard lock(mu_);
    lasts_.push_back(last);
    times_.push_back(at);
  }
  std::int64_t Of(Sequence s) const {
    std::lock_guard lock(mu_);
    const auto it = std::lower_bound(lasts_.begin(), lasts_.end(), s);
    if (it == lasts_.end()) return -1;
    return times_[static_cast<std::size_t>(it - lasts_.begin())];
  }

 private:
  mutable std::mutex mu_;
  std::vector<Sequence> lasts_;
  std::vector<std::int64_t> times_;
};

// The integer after `"key":` in `text`, or -1.
std::int64_t IntField(std::string_view text, std::string_view key) {
  const std::size_t at = text.find(key);
  if (at == std::string_view::npos) return -1;
  std::int64_t v = 0;
  const char* p = text.data() + at + key.size();
  const char* end = text.data() + text.size();
  if (p >= end || *p < '0' || *p > '9') return -1;
  for (; p < end && *p >= '0' && *p <= '9'; ++p)
    v = v * 10 + (*p - '0');
  return v;
}

// One client: the upgrade, then frames; a message's latency recorded when
// `sampled`.
struct Client {
  explicit Client(asio::io_context& io) : socket(io) {}
  tcp::socket socket;
  std::string in;
  bool upgraded = false;
  bool sampled = false;
  std::array<char, 65536> buffer;
};

struct ClientStats {
  std::uint64_t messages = 0, trades = 0, depth = 0, closed = 0;
};

class ClientFleet {
 public:
  ClientFleet(const Options& o, std::uint16_t port, const std::string& symbol,
              const ProduceTimes& times, LatencyRecorder& latency)
      : times_(times), latency_(latency) {
    std::string lower = symbol;
    for (char& c : lower)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    request_ = "GET /ws/" + lower + "@trade/" + lower +
               "@depth HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
               "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
               "Sec-WebSocket-Version: 13\r\n\r\n";
    const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), port);
    for (std::size_t i = 0; i < o.clients; ++i) {
      auto c = std::make_unique<Client>(io_);
      c->socket.connect(endpoint);
      c->sampled = i % 10 == 0;  // every tenth client's messages are timed
      asio::write(c->socket, asio::buffer(request_));
      clients_.push_back(std::move(c));
    }
    for (auto& c : clients_)
      Read(*c);
    thread_ = std::thread([this] { io_.run(); });
  }
  ~ClientFleet() { Stop(); }
  void Stop() {
    io_.stop();
    if (thread_.joinable()) thread_.join();
  }
  bool AllUpgraded() const { return upgraded_.load() == clients_.size(); }
  ClientStats stats() const { return stats_; }  // after Stop
  double CpuSeconds() const { return cpu_seconds_; }

 private:
  void Read(Client& c) {
    c.socket.async_read_some(asio::buffer(c.buffer),
                             [this, &c](boost::system::error_code ec, std::size_t n) {
                               if (ec) {
                                 ++stats_.closed;
                                 return;
                               }
                               c.in.append(c.buffer.data(), n);
                               Parse(c);
                               Read(c);
                             });
  }
  void Parse(Client& c) {
    std::size_t at = 0;
    if (!c.upgraded) {
      const std::size_t end = c.in.find("\r\n\r\n");
      if (end == std::string::npos) return;
      if (!c.in.starts_with("HTTP/1.1 101")) {
        ++stats_.closed;
        return;
      }
      c.upgraded = true;
      ++upgraded_;
      at = end + 4;
    }
    const std::int64_t now = MonoNs();
    for (;;) {
      const std::size_t available = c.in.size() - at;
      const auto frame = md::ParseFrameLength(std::string_view(c.in).substr(at));
      if (!frame) break;
      const std::size_t header = frame->header;
      const std::uint64_t length = frame->payload;
      if (available < header + length) break;
      const std::string_view payload(c.in.data() + at + header, length);
      at += header + length;
      ++stats_.messages;
      std::int64_t sequence = -1;
      if (payload.find("\"e\":\"trade\"") != std::string_view::npos) {
        ++stats_.trades;
        sequence = IntField(payload, "\"t\":");
      } else if (payload.find("\"e\":\"depthUpdate\"") != std::string_view::npos) {
        ++stats_.depth;
        sequence = IntField(payload, "\"u\":");
      }
      if (c.sampled && sequence > 0) {
        const std::int64_t produced = times_.Of(static_cast<Sequence>(sequence));
        if (produced > 0) latency_.Record(now - produced);
      }
    }
    c.in.erase(0, at);
  }

  asio::io_context io_{1};
  std::vector<std::unique_ptr<Client>> clients_;
  std::string request_;
  const ProduceTimes& times_;
  LatencyRecorder& latency_;
  std::atomic<std::size_t> upgraded_{0};
  ClientStats stats_;
  double cpu_seconds_ = 0;
  std::thread thread_;
};

// Until exchange-md's feed knows the symbol (an upgrade before is a 400).
void WaitForSymbol(std::uint16_t port, const std::string& symbol) {
  const auto deadline = Clock::now() + std::chrono::seconds(15);
  while (Clock::now() < deadline) {
    asio::io_context io;
    tcp::socket socket(io);
    socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    const std::string request =
        "GET /ws/" + symbol +
        "@trade HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
        "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        "Sec-WebSocket-Version: 13\r\n\r\n";
    asio::write(socket, asio::buffer(request));
    char status[16] = {};
    asio::read(socket, asio::buffer(status, 12));
    if (std::string_view(status, 12) == "HTTP/1.1 101") return;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  throw std::runtime_error("exchange-md never listed " + symbol);
}

json RunOnce(const Options& o, int run) {
  std::random_device rd;
  const std::string tag = std::to_string(::getpid() % 100000) + "_" + std::to_string(rd() % 1000);
  const std::string schema = "md_ws_bench_" + tag;
  const std::string symbol = "WSB" + tag;

  BenchmarkMixOptions mix;
  mix.seed = 17 + static_cast<std::uint64_t>(run);
  mix.commands = static_cast<std::size_t>(o.rate * o.seconds) + 1;
  mix.resting_orders = 1000;
  mix.ioc_percent = 10;
  BenchmarkFlow flow = GenerateBenchmarkMix(mix);
  flow.instrument.symbol = SymbolName(symbol);
  MarketProducer::Options po;
  po.redis_url = o.redis_url;
  po.pg_url = o.pg_url;
  po.pg_schema = schema;
  po.write_history = false;
  MarketProducer producer(po, WallNow());
  producer.AddInstrument(flow.instrument, 2, 0, WallNow());
  for (std::size_t at = 0; at < flow.prefill.size(); at += 500) {
    producer.Run(
        std::span(flow.prefill).subspan(at, std::min<std::size_t>(500, flow.prefill.size() - at)));
  }

  json result;
  {
    testing::MdProcess md(o.md_bin, o.redis_url, o.reader_url,
                          {"--threads", std::to_string(o.md_threads), "--pg-schema", schema,
                           "--ws-batch-ms", std::to_string(o.ws_batch_ms), "--log-level", "warn"});
    ProduceTimes times;
    LatencyRecorder latency(
        static_cast<std::size_t>(o.rate * o.seconds * 3 * (o.clients / 10 + 1)));
    WaitForSymbol(md.port(), symbol);
    auto fleet = std::make_unique<ClientFleet>(o, md.port(), symbol, times, latency);
    const auto deadline = Clock::now() + std::chrono::seconds(15);
    while (!fleet->AllUpgraded() && Clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    if (!fleet->AllUpgraded()) throw std::runtime_error("not every client got its upgrade");

    const std::string metrics0 = md.Get("/metrics").second;
    const double md_cpu0 = testing::ProcessCpuSeconds(md.pid());
    const double self_cpu0 = testing::ProcessCpuSeconds(::getpid());
    // Open loop: batch k is due at k ms; it carries the commands due by then.
    const auto start = Clock::now();
    const double per_ms = o.rate / 1000.0;
    std::size_t sent = 0, events = 0;
    for (std::size_t k = 1; sent < flow.commands.size(); ++k) {
      std::this_thread::sleep_until(start + std::chrono::milliseconds(k));
      const std::size_t due =
          std::min(flow.commands.size(), static_cast<std::size_t>(per_ms * static_cast<double>(k)));
      if (due <= sent) continue;
      const auto part = std::span(flow.commands).subspan(sent, due - sent);
      const Timestamp wall = WallNow();
      for (Command& c : part)
        c.timestamp = wall;
      const std::int64_t entered = MonoNs();
      const auto& out = producer.Run(part);
      events += out.size();
      if (!out.empty()) times.Add(out.back().sequence, entered);
      sent = due;
    }
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    // Let the last messages arrive.
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    const double md_cpu = testing::ProcessCpuSeconds(md.pid()) - md_cpu0;
    const double self_cpu = testing::ProcessCpuSeconds(::getpid()) - self_cpu0;
    const std::string metrics1 = md.Get("/metrics").second;
    const auto grew = [&](const char* name) {
      return testing::MetricValue(metrics1, name) - testing::MetricValue(metrics0, name);
    };
    fleet->Stop();
    latency.Finish();
    const ClientStats s = fleet->stats();
    const auto ms = [](std::int64_t ns) { return static_cast<double>(ns) / 1e6; };
    result = {
        {"run", run},
        {"clients", o.clients},
        {"commands_per_s", static_cast<double>(sent) / elapsed},
        {"events_per_s", static_cast<double>(events) / elapsed},
        {"messages_delivered", s.messages},
        {"messages_per_s", static_cast<double>(s.messages) / elapsed},
        {"trade_messages", s.trades},
        {"depth_messages", s.depth},
        {"clients_closed", s.closed},
        {"latency_samples", latency.count()},
        {"latency_ms",
         {{"p50", ms(latency.Percentile(50))},
          {"p90", ms(latency.Percentile(90))},
          {"p99", ms(latency.Percentile(99))},
          {"max", ms(latency.Max())}}},
        // The feed's batches (each one write per client) and the share of
        // the time it waited for the serving threads to deliver the last.
        {"feed_batches_per_s", grew("exchange_md_feed_batches_total") / elapsed},
        {"feed_wait_share", grew("exchange_md_feed_wait_seconds_total") / elapsed},
        {"slow_clients_dropped", grew("exchange_md_ws_slow_dropped_total")},
        {"cpu_s_per_s",
         {{"exchange_md", md_cpu / elapsed}, {"bench_producer_and_clients", self_cpu / elapsed}}}};
  }
  producer.DeleteFromRedis(symbol);
  pqxx::connection c(o.pg_url);
  pqxx::work w(c);
  w.exec0("DROP SCHEMA IF EXISTS " + w.quote_name(schema) + " CASCADE");
  w.commit();
  return result;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

int RunMdWs(const Options& o) {
  std::vector<json> runs;
  for (int r = 0; r < o.runs; ++r) {
    json one = RunOnce(o, r);
    std::cout << "run " << r + 1 << ": " << one["events_per_s"].get<double>() << " events/s, "
              << one["messages_per_s"].get<double>() << " messages/s delivered, latency p50 "
              << one["latency_ms"]["p50"] << " ms p99 " << one["latency_ms"]["p99"] << " ms max "
              << one["latency_ms"]["max"] << " ms; exchange-md "
              << one["cpu_s_per_s"]["exchange_md"] << " cores, bench "
              << one["cpu_s_per_s"]["bench_producer_and_clients"] << " cores; feed "
              << one["feed_batches_per_s"].get<double>() << " batches/s, waited for delivery "
              << 100 * one["feed_wait_share"].get<double>() << "% of the time" << std::endl;
    runs.push_back(std::move(one));
  }
  auto median = [&](auto get) {
    std::vector<double> v;
    for (const json& r : runs)
      v.push_back(get(r));
    return Median(v);
  };
  json summary = {
      {"benchmark", "md-ws"},
      {"clients", o.clients},
      {"runs", runs.size()},
      {"rate_commands_per_s", o.rate},
      {"ws_batch_ms", o.ws_batch_ms},
      {"median",
       {{"events_per_s", median([](const json& r) { return r["events_per_s"].get<double>(); })},
        {"messages_per_s", median([](const json& r) { return r["messages_per_s"].get<double>(); })},
        {"latency_p50_ms",
         median([](const json& r) { return r["latency_ms"]["p50"].get<double>(); })},
        {"latency_p99_ms",
         median([](const json& r) { return r["latency_ms"]["p99"].get<double>(); })},
        {"latency_max_ms",
         median([](const json& r) { return r["latency_ms"]["max"].get<double>(); })}}},
      {"each_run", runs}};
  std::cout << "median of " << runs.size() << ": " << summary["median"]["events_per_s"]
            << " events/s to " << o.clients << " clients, latency p50 "
            << summary["median"]["latency_p50_ms"] << " ms, p99 "
            << summary["median"]["latency_p99_ms"] << " ms" << std::endl;
  std::cout << summary.dump() << std::endl;
  return 0;
}

}  // namespace

void AddMdWsBenchCommand(CLI::App& app) {
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "md-ws", "exchange-md WebSocket fan-out: N clients on one symbol's trades and depth");
  cmd->add_option("--clients", o->clients)->capture_default_str();
  cmd->add_option("--rate", o->rate, "commands/s into the engine (open loop)")
      ->capture_default_str();
  cmd->add_option("--seconds", o->seconds)->capture_default_str();
  cmd->add_option("--runs", o->runs)->capture_default_str();
  cmd->add_option("--md-threads", o->md_threads)->capture_default_str();
  cmd->add_option("--ws-batch-ms", o->ws_batch_ms)->capture_default_str();
  cmd->add_option("--md-bin", o->md_bin, "exchange-md (default: beside exchange-bench)");
  cmd->callback([o, argv0 = std::string(app.get_name())] {
    Options run = *o;
    if (run.md_bin.empty()) {
      char self[4096];
      const ssize_t n = ::readlink("/proc/self/exe", self, sizeof(self) - 1);
      std::string dir = n > 0 ? std::string(self, static_cast<std::size_t>(n)) : "";
      dir = dir.substr(0, dir.rfind('/'));
      run.md_bin = dir + "/exchange-md";
    }
    run.redis_url = testing::ServiceUrl("EXCHANGE_REDIS_URL", "");
    run.pg_url = testing::ServiceUrl("EXCHANGE_PG_URL", "");
    run.reader_url = testing::ServiceUrl("EXCHANGE_PG_READER_URL", "");
    if (run.redis_url.empty() || run.pg_url.empty() || run.reader_url.empty()) {
      throw std::runtime_error(
          "md-ws needs EXCHANGE_REDIS_URL, EXCHANGE_PG_URL and EXCHANGE_PG_READER_URL: "
          "eval \"$(scripts/services.sh env)\"");
    }
    RunMdWs(run);
  });
}

}  // namespace exchange::bench
