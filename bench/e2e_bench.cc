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

#include <amqp.h>
#include <amqp_tcp_socket.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iomanip>
#include <iostream>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <variant>
#include <vector>

#include "amqp/amqp_client.h"
#include "amqp/shard_topology.h"
#include "bench/latency_recorder.h"
#include "bench/run_resources.h"
#include "bench/run_summary.h"
#include "engine/engine.h"
#include "orderflow/benchmark_mix.h"
#include "config/instruments_file.h"
#include "amqp/topology.h"
#include "wire/wire_format.h"

namespace exchange::bench {

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr const char* kDefaultAmqpUrl = "amqp://guest:guest@127.0.0.1:5672/";
constexpr const char* kMixName =
    "exchange-core mix (9% GTC, 3% IOC, 6% cancel, 82% replace; 1000 accounts, 1000-order "
    "pre-fill)";
constexpr const char* kPairsName =
    "alternating limit orders (buy then sell at one price, quantity 1: each sell trades with the "
    "buy before it; 2 accounts)";
constexpr Price kPairsPrice = 100'000;

struct Options {
  std::size_t runs = 5;
  std::size_t orders = 200'000;
  std::size_t batch = 100;
  double rate = 0;      // 0: throughput mode
  double seconds = 10;  // open-loop latency mode: measured seconds
  double duration = 0;  // soak mode: seconds at --rate (instead of --seconds)
  double warmup = 1;    // open-loop modes: seconds not counted
  std::size_t window = 1000;
  std::uint64_t seed = 1;
  std::string flow = "mix";
  std::string amqp_url;
  std::string engine_bin;
  std::vector<std::string> engine_args;
  std::string instruments_file = "config/instruments.toml";
  std::string symbol = "BENCH";
  std::string data_root;
  bool external = false;
  bool relay = false;  // an in-process relay thread instead of exchange-engine
  std::string shard;
  int engine_pid = 0;  // --external: whose RSS to sample
  bool via_orders_exchange = false;
  double timeout = 30;          // seconds without progress before giving up
  double startup_timeout = 60;  // seconds for the engine's first events
  std::string json_file;
};

enum class Mode { kThroughput, kLatency, kSoak };

const char* ModeName(Mode m) {
  switch (m) {
    case Mode::kThroughput: return "throughput";
    case Mode::kLatency: return "latency";
    case Mode::kSoak: return "soak";
  }
  return "?";
}

std::int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
      .count();
}

// The last-resort guard against hanging: every loop of the main thread beats
// the heart; when it has not beaten for the watchdog's limit (a blocking
// socket write RabbitMQ never drains, say), the watchdog kills the engine
// child and exits.
std::atomic<std::int64_t> g_heartbeat{0};
std::atomic<int> g_engine_pid{0};

void Beat() {
  g_heartbeat.store(NowNs(), std::memory_order_relaxed);
}

class Watchdog {
 public:
  explicit Watchdog(std::chrono::seconds limit) : limit_(limit) {
    Beat();
    thread_ = std::thread([this] {
      std::unique_lock lock(mutex_);
      while (!cv_.wait_for(lock, 1s, [this] { return stop_; })) {
        const std::int64_t idle = NowNs() - g_heartbeat.load(std::memory_order_relaxed);
        if (idle > std::chrono::nanoseconds(limit_).count()) {
          std::cerr << "exchange-bench: no progress for " << limit_.count()
                    << " s (stuck talking to RabbitMQ or the engine?); giving up\n";
          if (const int pid = g_engine_pid.load(); pid > 0) ::kill(pid, SIGKILL);
          std::_Exit(3);
        }
      }
    });
  }
  ~Watchdog() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

 private:
  std::chrono::seconds limit_;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stop_ = false;
};

std::uint64_t RandomU64() {
  std::random_device rd;
  return std::uint64_t{rd()} << 32 | rd();
}

// ---------------------------------------------------------------- the flows

// Event records the consumer will receive for one engine event when every
// account of the flow is bound: one per exec.<account> key it is routed to
// (engine_service/sinks/event_publisher.cc, EventRoutingKeys).
std::uint64_t ExecCopies(const Event& e) {
  switch (e.type) {
    case EventType::kAccepted:
    case EventType::kRejected:
    case EventType::kCanceled:
    case EventType::kReplaced:
    case EventType::kTriggered: return 1;
    case EventType::kTrade: return e.maker_account != e.account ? 2 : 1;
    default: return 0;
  }
}

void ShiftAccounts(Command& c, AccountId base) {
  std::visit(
      [base](auto& body) {
        using T = std::decay_t<decltype(body)>;
        if constexpr (std::is_same_v<T, NewOrder> || std::is_same_v<T, CancelOrder> ||
                      std::is_same_v<T, ReplaceOrder> || std::is_same_v<T, MassCancel>) {
          body.account += base;
        }
      },
      c.body);
}

// Order `id` (from 1) of the alternating flow: odd ids buy from account 1 and
// rest, even ids sell from account 2 and trade with the buy before.
Command PairOrder(std::uint64_t id, AccountId base) {
  NewOrder o;
  o.account = base + (id % 2 == 1 ? 1 : 2);
  o.symbol = 0;
  o.order_id = id;
  o.side = id % 2 == 1 ? Side::kBuy : Side::kSell;
  o.price = kPairsPrice;
  o.quantity = 1;
  return Command{0, o};  // timestamp 0: the engine service stamps it
}

struct ThroughputFlow {
  std::string name;
  std::vector<Command> warmup;  // sent and awaited before the clock starts
  std::vector<Command> measured;
  std::uint64_t warmup_records = 0;  // event records expected on the exec keys
  std::uint64_t measured_records = 0;
  AccountId accounts = 0;  // the flow uses accounts 1..accounts (before the run's base)
};

// What the service will publish, from an in-process engine with the same
// instrument: the number of event records on the flow's exec keys.
void CountExpected(const InstrumentSpec& spec, ThroughputFlow& flow) {
  Engine engine(EngineOptions{1 << 16});
  engine.Process(Command{0, AddInstrument{spec}});
  for (const Command& c : flow.warmup) {
    for (const Event& e : engine.Process(c))
      flow.warmup_records += ExecCopies(e);
  }
  for (const Command& c : flow.measured) {
    for (const Event& e : engine.Process(c))
      flow.measured_records += ExecCopies(e);
  }
}

ThroughputFlow BuildThroughputFlow(const Options& o, const InstrumentSpec& spec) {
  ThroughputFlow flow;
  if (o.flow == "mix") {
    BenchmarkMixOptions mix;
    mix.seed = o.seed;
    mix.commands = o.orders;
    BenchmarkFlow generated = GenerateBenchmarkMix(mix);
    flow.name = kMixName;
    flow.warmup = std::move(generated.prefill);
    flow.measured = std::move(generated.commands);
    flow.accounts = mix.accounts;
  } else {
    flow.name = kPairsName;
    const std::uint64_t warmup = 1000;
    for (std::uint64_t id = 1; id <= warmup; ++id)
      flow.warmup.push_back(PairOrder(id, 0));
    for (std::uint64_t id = warmup + 1; id <= warmup + o.orders; ++id)
      flow.measured.push_back(PairOrder(id, 0));
    flow.accounts = 2;
  }
  CountExpected(spec, flow);
  return flow;
}

// ---------------------------------------------------------------- helpers

std::string ReadTail(const std::string& path, std::size_t lines) {
  std::ifstream in(path);
  std::vector<std::string> all;
  for (std::string line; std::getline(in, line);)
    all.push_back(line);
  std::string out;
  for (std::size_t i = all.size() > lines ? all.size() - lines : 0; i < all.size(); ++i)
    out += "    | " + all[i] + "\n";
  return out.empty() ? "    (its log is empty)\n" : out;
}

// VmRSS of `pid` in MiB, or -1.
double ReadRssMb(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("VmRSS:", 0) == 0) return std::strtod(line.c_str() + 6, nullptr) / 1024.0;
  }
  return -1;
}

std::string DescribeStatus(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    return "was killed by signal " + std::to_string(WTERMSIG(status)) + " (" +
           strsignal(WTERMSIG(status)) + ")";
  }
  return "ended with wait status " + std::to_string(status);
}

std::string DefaultEngineBin() {
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return "exchange-engine";
  return (self.parent_path() / "exchange-engine").string();
}

// The consumers of a queue (a passive queue.declare), or -1 when that failed.
long QueueConsumers(const amqp::Url& url, const std::string& queue) {
  amqp_connection_state_t conn = amqp_new_connection();
  amqp_socket_t* socket = amqp_tcp_socket_new(conn);
  timeval tv{5, 0};
  long consumers = -1;
  if (socket != nullptr && amqp_socket_open_noblock(socket, url.host.c_str(), url.port, &tv) == 0) {
    amqp_set_rpc_timeout(conn, &tv);
    if (amqp_login(conn, url.vhost.c_str(), 0, 131072, 0, AMQP_SASL_METHOD_PLAIN, url.user.c_str(),
                   url.password.c_str())
            .reply_type == AMQP_RESPONSE_NORMAL) {
      amqp_channel_open(conn, 1);
      if (amqp_get_rpc_reply(conn).reply_type == AMQP_RESPONSE_NORMAL) {
        amqp_queue_declare_ok_t* ok = amqp_queue_declare(conn, 1, amqp_cstring_bytes(queue.c_str()),
                                                         /*passive=*/1, 0, 0, 0, amqp_empty_table);
        if (amqp_get_rpc_reply(conn).reply_type == AMQP_RESPONSE_NORMAL && ok != nullptr) {
          consumers = ok->consumer_count;
          amqp_channel_close(conn, 1, AMQP_REPLY_SUCCESS);
        }
      }
      amqp_connection_close(conn, AMQP_REPLY_SUCCESS);
    }
  }
  amqp_destroy_connection(conn);
  return consumers;
}

// ---------------------------------------------------------------- run parts

// The exchange-engine child process. Its output goes to `log_path`; it gets
// the AMQP URL through its environment (not its command line, where `ps`
// would show the password) and SIGTERM if the benchmark dies.
class EngineProcess {
 public:
  EngineProcess(const std::string& bin, const std::vector<std::string>& args,
                const std::string& amqp_url, std::string log_path)
      : log_path_(std::move(log_path)) {
    std::vector<std::string> arg_strings = {bin};
    arg_strings.insert(arg_strings.end(), args.begin(), args.end());
    std::vector<std::string> env_strings;
    for (char** e = environ; *e != nullptr; ++e) {
      if (std::strncmp(*e, "EXCHANGE_AMQP_URL=", 18) != 0) env_strings.emplace_back(*e);
    }
    env_strings.push_back("EXCHANGE_AMQP_URL=" + amqp_url);
    std::vector<char*> argv, envp;
    for (auto& a : arg_strings)
      argv.push_back(a.data());
    argv.push_back(nullptr);
    for (auto& e : env_strings)
      envp.push_back(e.data());
    envp.push_back(nullptr);

    const int log_fd = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    const int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    int report[2];
    if (log_fd < 0 || null_fd < 0 || ::pipe2(report, O_CLOEXEC) != 0) {
      throw std::runtime_error("cannot prepare to start " + bin + ": " + std::strerror(errno));
    }
    const pid_t parent = ::getpid();
    pid_ = ::fork();
    if (pid_ == 0) {
      // Only async-signal-safe calls until exec.
      ::prctl(PR_SET_PDEATHSIG, SIGTERM);
      if (::getppid() != parent) ::_exit(126);
      ::dup2(null_fd, 0);
      ::dup2(log_fd, 1);
      ::dup2(log_fd, 2);
      ::execve(argv[0], argv.data(), envp.data());
      const int error = errno;
      [[maybe_unused]] const auto n = ::write(report[1], &error, sizeof error);
      ::_exit(127);
    }
    const int fork_errno = errno;
    if (pid_ > 0) g_engine_pid.store(pid_);
    ::close(report[1]);
    ::close(log_fd);
    ::close(null_fd);
    if (pid_ < 0) {
      ::close(report[0]);
      throw std::runtime_error(std::string("fork failed: ") + std::strerror(fork_errno));
    }
    int exec_errno = 0;
    const auto n = ::read(report[0], &exec_errno, sizeof exec_errno);
    ::close(report[0]);
    if (n == sizeof exec_errno) {
      ::waitpid(pid_, nullptr, 0);
      Reaped();
      throw std::runtime_error("cannot execute " + bin + ": " + std::strerror(exec_errno));
    }
  }
  ~EngineProcess() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
      Reaped();
    }
  }
  EngineProcess(const EngineProcess&) = delete;
  EngineProcess& operator=(const EngineProcess&) = delete;

  int pid() const { return pid_; }

  // Throws when the process has exited, with how it ended and its log's tail.
  void Check() {
    if (pid_ <= 0) throw std::runtime_error("exchange-engine is not running");
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      Reaped();
      throw std::runtime_error("exchange-engine " + DescribeStatus(status) +
                               " during the run; the end of its log:\n" + ReadTail(log_path_, 20));
    }
  }

  // SIGTERM, then waits up to `timeout` (SIGKILL after that). Returns "" for
  // a clean exit, else what happened.
  std::string Stop(std::chrono::seconds timeout) {
    if (pid_ <= 0) return "not running";
    ::kill(pid_, SIGTERM);
    const auto deadline = Clock::now() + timeout;
    int status = 0;
    for (;;) {
      Beat();
      const pid_t r = ::waitpid(pid_, &status, WNOHANG);
      if (r == pid_) break;
      if (r < 0) {
        Reaped();
        return std::string("waitpid failed: ") + std::strerror(errno);
      }
      if (Clock::now() > deadline) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
        Reaped();
        return "did not stop within " + std::to_string(timeout.count()) +
               " s of SIGTERM and was killed; the end of its log:\n" + ReadTail(log_path_, 20);
      }
      std::this_thread::sleep_for(10ms);
    }
    Reaped();
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return "";
    return DescribeStatus(status) + " after SIGTERM; the end of its log:\n" +
           ReadTail(log_path_, 20);
  }

 private:
  void Reaped() {
    pid_ = -1;
    g_engine_pid.store(0);
  }

  std::string log_path_;
  pid_t pid_ = -1;
};

// Samples a process's VmRSS once a second on its own thread.
class RssSampler {
 public:
  struct Sample {
    double seconds;
    double mb;
  };

  explicit RssSampler(int pid) : pid_(pid), start_(Clock::now()) {
    if (pid_ <= 0) return;
    Take();
    thread_ = std::thread([this] {
      std::unique_lock lock(mutex_);
      while (!cv_.wait_for(lock, 1s, [this] { return stop_; })) {
        lock.unlock();
        Take();
        lock.lock();
      }
    });
  }
  ~RssSampler() { Stop(); }
  RssSampler(const RssSampler&) = delete;
  RssSampler& operator=(const RssSampler&) = delete;

  // Takes a last sample and stops.
  void Stop() {
    if (!thread_.joinable()) return;
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
    Take();
  }
  std::vector<Sample> samples() {
    std::lock_guard lock(samples_mutex_);
    return samples_;
  }

 private:
  void Take() {
    const double mb = ReadRssMb(pid_);
    if (mb < 0) return;
    const double t = std::chrono::duration<double>(Clock::now() - start_).count();
    std::lock_guard lock(samples_mutex_);
    samples_.push_back({t, mb});
  }

  int pid_;
  Clock::time_point start_;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::mutex samples_mutex_;
  std::vector<Sample> samples_;
};

// The event consumer: its own thread and AmqpClient, a temporary queue bound
// to exec.<account> for the run's accounts. Counts the event records of those
// accounts and, for order ids below `track_orders`, the receipt time of each
// order's first ACCEPTED or REJECTED event.
class EventConsumer {
 public:
  struct Config {
    amqp::Url url;
    std::string symbol;
    AccountId first_account = 0;
    AccountId last_account = 0;
    std::size_t track_orders = 0;
    AccountId marker_account = 0;  // its orders 1..kMarkers-1 are timed (0: none)
    std::chrono::seconds setup_timeout{30};
  };
  static constexpr std::size_t kMarkers = 4;

  explicit EventConsumer(Config config)
      : config_(std::move(config)),
        receipts_(config_.track_orders, 0),
        stamps_(config_.track_orders, 0) {
    thread_ = std::thread([this] { Loop(); });
    const auto deadline = Clock::now() + config_.setup_timeout;
    while (!ready_.load() && !failed_.load()) {
      Beat();
      if (Clock::now() > deadline) {
        Stop();
        throw std::runtime_error("event consumer: no queue bound after " +
                                 std::to_string(config_.setup_timeout.count()) + " s");
      }
      std::this_thread::sleep_for(2ms);
    }
    if (failed_.load()) {
      Stop();
      throw std::runtime_error("event consumer: " + error_);
    }
  }
  ~EventConsumer() { Stop(); }
  EventConsumer(const EventConsumer&) = delete;
  EventConsumer& operator=(const EventConsumer&) = delete;

  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  // Throws when the consumer thread failed.
  void Check() const {
    if (failed_.load()) throw std::runtime_error("event consumer: " + error_);
  }

  std::uint64_t records() const { return records_.load(); }
  std::uint64_t messages() const { return messages_.load(); }
  std::uint64_t answered() const { return answered_.load(); }
  // The receipt time of the marker account's order `id`'s first
  // ACCEPTED/REJECTED event (0: not yet).
  std::int64_t marker(std::size_t id) const { return markers_[id].load(); }
  // Receipt time per order id (0: none); read only after Stop().
  const std::vector<std::int64_t>& receipts() const { return receipts_; }
  // The event's timestamp per order id: when the engine service's ingest
  // thread took the command (system clock, ns), for commands sent with 0.
  const std::vector<std::int64_t>& stamps() const { return stamps_; }

 private:
  void Loop() {
    try {
      amqp::AmqpClient client(config_.url);
      amqp::DeclareEventsExchange(client);
      const std::string queue = client.DeclareTemporaryQueue();
      const std::string exchange(topology::kEventsExchange);
      for (AccountId a = config_.first_account; a <= config_.last_account; ++a)
        client.Bind(queue, exchange, topology::ExecKey(a));
      client.Consume(queue, 4000);
      ready_ = true;
      wire::EventBatch batch;
      std::uint64_t unacked = 0, last_tag = 0;
      while (!stop_.load()) {
        auto delivery = client.Next(20ms);
        if (!delivery) {
          if (unacked > 0) client.Ack(last_tag, true);
          unacked = 0;
          continue;
        }
        const std::int64_t now = NowNs();
        if (const auto error = wire::DecodeEventBatch(delivery->body, batch)) {
          throw std::runtime_error("undecodable event message on " + delivery->routing_key + ": " +
                                   error->reason);
        }
        std::uint64_t counted = 0, answered = 0;
        for (const wire::EventRecord& r : batch.records) {
          const Event& e = r.event;
          if (r.symbol.view() != config_.symbol) continue;
          const bool ours =
              Ours(e.account) || (e.type == EventType::kTrade && Ours(e.maker_account));
          if (!ours) continue;
          ++counted;
          if ((e.type == EventType::kAccepted || e.type == EventType::kRejected) &&
              config_.marker_account != 0 && e.account == config_.marker_account &&
              e.order_id < kMarkers && markers_[e.order_id].load() == 0) {
            markers_[e.order_id].store(now);
            continue;
          }
          if ((e.type == EventType::kAccepted || e.type == EventType::kRejected) &&
              Ours(e.account) && e.order_id < receipts_.size() && receipts_[e.order_id] == 0) {
            receipts_[e.order_id] = now;
            stamps_[e.order_id] = e.timestamp;
            ++answered;
          }
        }
        messages_.fetch_add(1);
        if (answered > 0) answered_.fetch_add(answered);
        if (counted > 0) records_.fetch_add(counted);
        last_tag = delivery->tag;
        if (++unacked >= 200) {
          client.Ack(last_tag, true);
          unacked = 0;
        }
      }
    } catch (const std::exception& e) {
      error_ = e.what();
      failed_ = true;
    }
  }
  bool Ours(AccountId a) const { return a >= config_.first_account && a <= config_.last_account; }

  Config config_;
  std::vector<std::int64_t> receipts_;
  std::vector<std::int64_t> stamps_;
  std::thread thread_;
  std::atomic<bool> stop_{false}, ready_{false}, failed_{false};
  std::string error_;  // written before failed_ is set
  std::atomic<std::uint64_t> records_{0}, messages_{0}, answered_{0};
  std::array<std::atomic<std::int64_t>, kMarkers> markers_{};
};

// Publishes command batches with publisher confirms, keeping at most
// `window` messages unconfirmed. `check` is called while it waits.
class Producer {
 public:
  Producer(const amqp::Url& url, std::string exchange, std::string key, std::size_t window,
           std::chrono::milliseconds timeout, std::function<void()> check)
      : client_(url),
        exchange_(std::move(exchange)),
        key_(std::move(key)),
        window_(window),
        timeout_(timeout),
        check_(std::move(check)) {
    client_.EnableConfirms();
  }

  void Publish(std::string_view body) {
    Beat();
    if (client_.published() - client_.confirmed() >= window_) WaitForRoom(window_ - 1);
    client_.Publish(exchange_, key_, body);
    if ((client_.published() & 7) == 0) client_.PollConfirms();
  }
  // Reads whatever confirms have arrived (keeps the socket drained).
  void Poll() { client_.PollConfirms(); }
  // Waits until every message is confirmed.
  void Flush() { WaitForRoom(0); }

 private:
  void WaitForRoom(std::uint64_t max_unconfirmed) {
    auto last_confirmed = client_.confirmed();
    auto last_change = Clock::now();
    for (;;) {
      Beat();
      client_.PollConfirms();
      if (client_.published() - client_.confirmed() <= max_unconfirmed) return;
      if (client_.confirmed() != last_confirmed) {
        last_confirmed = client_.confirmed();
        last_change = Clock::now();
      } else if (Clock::now() - last_change > timeout_) {
        throw std::runtime_error("RabbitMQ confirmed none of " +
                                 std::to_string(client_.published() - client_.confirmed()) +
                                 " published command messages for " +
                                 std::to_string(timeout_.count() / 1000) + " s");
      }
      check_();
      if (!client_.HasBufferedFrames()) {
        pollfd p{client_.socket_fd(), POLLIN, 0};
        ::poll(&p, 1, 5);
      }
    }
  }

  amqp::AmqpClient client_;
  std::string exchange_, key_;
  std::size_t window_;
  std::chrono::milliseconds timeout_;
  std::function<void()> check_;
};

// The --relay stand-in for exchange-engine: a thread of the benchmark that
// does what any engine behind this RabbitMQ has to do and nothing else (no
// journal, no matching). It consumes the shard's queue like the engine's
// ingest (its own connection, manual acks, prefetch 1000), decodes each
// command batch, stamps it with the wall clock at receipt like the ingest
// does, and answers every NewOrder with an ACCEPTED event on exec.<account>:
// one event message per distinct routing key per received message (the
// engine publisher's grouping), published with publisher confirms on a
// second connection (the engine publishes on a connection of its own too; a
// consuming channel also cannot poll for confirms, which would read past its
// deliveries), at most kWindow unconfirmed like the engine's publish window.
// Then it acks the delivery. Other commands get no event.
class Relay {
 public:
  struct Config {
    amqp::Url url;
    std::string queue;
    std::chrono::milliseconds timeout{30'000};  // without confirms before giving up
    std::chrono::seconds setup_timeout{30};
  };
  static constexpr std::uint16_t kPrefetch = 1000;  // the engine's amqp.prefetch default
  static constexpr std::uint64_t kWindow = 1024;    // the engine's amqp.publish_window default

  explicit Relay(Config config) : config_(std::move(config)) {
    thread_ = std::thread([this] { Loop(); });
    const auto deadline = Clock::now() + config_.setup_timeout;
    while (!ready_.load() && !failed_.load()) {
      Beat();
      if (Clock::now() > deadline) {
        Stop();
        throw std::runtime_error("relay: not consuming " + config_.queue + " after " +
                                 std::to_string(config_.setup_timeout.count()) + " s");
      }
      std::this_thread::sleep_for(2ms);
    }
    if (failed_.load()) {
      Stop();
      throw std::runtime_error("relay: " + error_);
    }
  }
  ~Relay() { Stop(); }
  Relay(const Relay&) = delete;
  Relay& operator=(const Relay&) = delete;

  // Stops the thread; "" or why it failed.
  std::string Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    return failed_.load() ? "relay failed: " + error_ : "";
  }
  // Throws when the relay thread failed.
  void Check() const {
    if (failed_.load()) throw std::runtime_error("relay: " + error_);
  }

 private:
  void Loop() {
    try {
      amqp::AmqpClient in(config_.url);
      amqp::AmqpClient out(config_.url);
      amqp::DeclareEventsExchange(out);
      out.EnableConfirms();
      in.Consume(config_.queue, kPrefetch);
      ready_ = true;
      const std::string exchange(topology::kEventsExchange);
      wire::CommandBatch commands;
      // The received message's events per exec key, in order of first use.
      std::vector<std::pair<AccountId, std::vector<wire::EventRecord>>> groups;
      std::size_t used = 0;
      std::string body;
      Sequence sequence = 0;
      while (!stop_.load()) {
        out.PollConfirms();
        auto delivery = in.Next(10ms);
        if (!delivery) continue;
        if (const auto error = wire::DecodeCommandBatch(delivery->body, commands)) {
          throw std::runtime_error("undecodable command message: " + error->reason + " at byte " +
                                   std::to_string(error->offset));
        }
        const std::int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count();
        for (std::size_t g = 0; g < used; ++g)
          groups[g].second.clear();
        used = 0;
        for (const wire::CommandRecord& record : commands.records) {
          const auto* order = std::get_if<NewOrder>(&record.command.body);
          if (order == nullptr) continue;
          wire::EventRecord event;
          event.symbol = record.symbol;
          Event& e = event.event;
          e.sequence = ++sequence;
          e.timestamp = record.command.timestamp != 0 ? record.command.timestamp : now;
          e.type = EventType::kAccepted;
          e.side = order->side;
          e.order_type = order->type;
          e.symbol = 0;
          e.account = order->account;
          e.order_id = order->order_id;
          e.exchange_order_id = sequence;
          e.price = order->price;
          e.quantity = order->quantity;
          e.leaves = order->quantity;
          std::size_t g = 0;
          while (g < used && groups[g].first != order->account)
            ++g;
          if (g == used) {
            if (used == groups.size()) groups.emplace_back();
            groups[used++].first = order->account;
          }
          groups[g].second.push_back(event);
        }
        for (std::size_t g = 0; g < used; ++g) {
          WaitForRoom(out);
          body.clear();
          wire::AppendEventBatch(groups[g].second, body);
          out.Publish(exchange, topology::ExecKey(groups[g].first), body);
        }
        in.Ack(delivery->tag, false);
      }
      out.WaitConfirms(1s);
    } catch (const std::exception& e) {
      error_ = e.what();
      failed_ = true;
    }
  }

  // Waits until fewer than kWindow published event messages are unconfirmed.
  void WaitForRoom(amqp::AmqpClient& out) {
    if (out.published() - out.confirmed() < kWindow) return;
    auto last_confirmed = out.confirmed();
    auto last_change = Clock::now();
    while (out.published() - out.confirmed() >= kWindow) {
      if (stop_.load()) throw std::runtime_error("stopped with event messages unconfirmed");
      if (!out.HasBufferedFrames()) {
        pollfd p{out.socket_fd(), POLLIN, 0};
        ::poll(&p, 1, 5);
      }
      out.PollConfirms();
      if (out.confirmed() != last_confirmed) {
        last_confirmed = out.confirmed();
        last_change = Clock::now();
      } else if (Clock::now() - last_change > config_.timeout) {
        throw std::runtime_error("RabbitMQ confirmed none of " +
                                 std::to_string(out.published() - out.confirmed()) +
                                 " published event messages for " +
                                 std::to_string(config_.timeout.count() / 1000) + " s");
      }
    }
  }

  Config config_;
  std::thread thread_;
  std::atomic<bool> stop_{false}, ready_{false}, failed_{false};
  std::string error_;  // written before failed_ is set
};

// Encodes commands as one command-batch message.
class Encoder {
 public:
  explicit Encoder(std::string symbol) : symbol_(symbol) { batch_.producer_id = RandomU64() | 1; }
  const std::string& Encode(std::span<const Command> commands) {
    batch_.records.clear();
    for (const Command& c : commands)
      batch_.records.push_back({++sequence_, symbol_, c});
    body_.clear();
    wire::AppendCommandBatch(batch_, body_);
    return body_;
  }

 private:
  SymbolName symbol_;
  wire::CommandBatch batch_;
  std::uint64_t sequence_ = 0;
  std::string body_;
};

// Everything one run needs, built in order and torn down in reverse: the
// data dir, the topology (and the queue's deletion), the consumer, the engine
// process (or with --relay the relay thread), the producer.
class RunEnvironment {
 public:
  RunEnvironment(const Options& o, const std::string& instruments_path, std::size_t run,
                 AccountId first_account, AccountId last_account, std::size_t track_orders,
                 AccountId marker_account = 0)
      : options_(o), url_(amqp::ParseUrl(o.amqp_url)) {
    shard_ = o.external ? o.shard
                        : "bench-" + std::to_string(::getpid()) + "-" + std::to_string(run + 1);
    queue_ = topology::ShardQueue(shard_);
    try {
      amqp::AmqpClient admin(url_, std::chrono::seconds(10));
      if (o.external) {
        admin.QueueDepth(queue_);  // throws when missing
        if (QueueConsumers(url_, queue_) == 0) {
          throw std::runtime_error("queue " + queue_ +
                                   " has no consumer: is the service for shard " + o.shard +
                                   " running? (nothing was published)");
        }
      } else {
        amqp::DeclareShardTopology(admin, shard_, {o.symbol});
        queue_guard_.emplace(url_, queue_);
      }
      amqp::DeclareEventsExchange(admin);
    } catch (const amqp::AmqpError& e) {
      throw std::runtime_error(
          std::string(e.what()) +
          (o.external ? " (is the service running with --shard " + o.shard + "?)"
                      : " (is RabbitMQ running? scripts/services.sh start; eval \"$(scripts/"
                        "services.sh env)\")"));
    }
    if (!o.external && !o.relay) dir_.emplace(o.data_root, "exchange-e2e");
    consumer_ = std::make_unique<EventConsumer>(
        EventConsumer::Config{url_, o.symbol, first_account, last_account, track_orders,
                              marker_account, std::chrono::seconds(30)});
    if (o.relay) {
      relay_ = std::make_unique<Relay>(Relay::Config{
          url_, queue_, std::chrono::milliseconds(static_cast<std::int64_t>(o.timeout * 1000)),
          std::chrono::seconds(30)});
    } else if (!o.external) {
      std::vector<std::string> args = {"--shard",       shard_,
                                       "--data-dir",    dir_->path() + "/data",
                                       "--instruments", instruments_path,
                                       "--symbols",     o.symbol,
                                       "--metrics",     "",
                                       "--log-level",   "warn"};
      args.insert(args.end(), o.engine_args.begin(), o.engine_args.end());
      engine_ = std::make_unique<EngineProcess>(o.engine_bin, args, o.amqp_url,
                                                dir_->path() + "/engine.log");
    }
    const bool via_orders = o.via_orders_exchange;
    producer_ = std::make_unique<Producer>(
        url_, via_orders ? std::string(topology::kOrdersExchange) : std::string(),
        via_orders ? o.symbol : queue_, o.window,
        std::chrono::milliseconds(static_cast<std::int64_t>(o.timeout * 1000)),
        [this] { Check(); });
  }

  // Throws when the engine exited (or the relay failed) or the consumer failed.
  void Check() {
    if (engine_) engine_->Check();
    if (relay_) relay_->Check();
    consumer_->Check();
  }
  int engine_pid() const { return engine_ ? engine_->pid() : options_.engine_pid; }
  const std::string& shard() const { return shard_; }
  EventConsumer& consumer() { return *consumer_; }
  Producer& producer() { return *producer_; }

  // Waits until done(), calling Check(); false when progress() stayed the
  // same for `idle`.
  template <typename Done, typename Progress>
  bool WaitFor(Done done, Progress progress, std::chrono::milliseconds idle) {
    auto last = progress();
    auto last_change = Clock::now();
    while (!done()) {
      Beat();
      Check();
      producer_->Poll();
      std::this_thread::sleep_for(1ms);
      const auto now_progress = progress();
      if (now_progress != last) {
        last = now_progress;
        last_change = Clock::now();
      } else if (Clock::now() - last_change > idle) {
        return false;
      }
    }
    return true;
  }

  // Stops the engine with SIGTERM (or the relay thread); "" or what went wrong.
  std::string StopEngine() {
    if (relay_) return relay_->Stop();
    if (!engine_) return "";
    return engine_->Stop(std::chrono::seconds(30));
  }

 private:
  const Options& options_;
  amqp::Url url_;
  std::string shard_, queue_;
  std::optional<TempDir> dir_;
  std::optional<QueueGuard> queue_guard_;
  std::unique_ptr<EventConsumer> consumer_;
  std::unique_ptr<EngineProcess> engine_;
  std::unique_ptr<Relay> relay_;
  std::unique_ptr<Producer> producer_;
};

AccountId RandomAccountBase() {
  // Up to 4.0e9, leaving room below UINT32_MAX for the flow's accounts.
  return static_cast<AccountId>(1'000'000'000ULL + (RandomU64() % 3'000'000ULL) * 1000ULL);
}

// ---------------------------------------------------------------- results

struct Rss {
  bool known = false;
  double start = 0, max = 0, end = 0;
  double second_half_growth = 0;  // end minus the sample halfway through
  std::vector<RssSampler::Sample> samples;
};

Rss Summarize(std::vector<RssSampler::Sample> samples) {
  Rss r;
  if (samples.empty()) return r;
  r.known = true;
  r.start = samples.front().mb;
  r.end = samples.back().mb;
  for (const auto& s : samples)
    r.max = std::max(r.max, s.mb);
  r.second_half_growth = r.end - samples[samples.size() / 2].mb;
  r.samples = std::move(samples);
  return r;
}

struct RunResult {
  std::string shard;
  std::string engine_exit;  // "" when it stopped cleanly
  Rss rss;
  // throughput
  std::uint64_t commands = 0;
  double seconds = 0;
  double commands_per_second = 0;
  double publish_seconds = 0;
  std::uint64_t messages = 0;
  std::uint64_t event_records = 0;
  std::uint64_t event_messages = 0;
  // open loop
  std::uint64_t orders_sent = 0;
  std::uint64_t orders_measured = 0;
  double achieved_rate = 0;
  double p50 = 0, p90 = 0, p99 = 0, p999 = 0, max = 0;  // microseconds
  std::uint64_t missing = 0;
  // Where the time goes, p50 and p99 in microseconds: scheduled time → the
  // producer's publish call; publish → the engine service's ingest thread
  // (the event's timestamp); ingest → the consumer's receipt.
  double send_p50 = 0, send_p99 = 0, to_ingest_p50 = 0, to_ingest_p99 = 0;
  double ingest_to_receipt_p50 = 0, ingest_to_receipt_p99 = 0;
  std::uint64_t lag_at_end = 0;  // orders sent but unanswered when sending ended
  std::uint64_t max_lag = 0;
  double drain_ms = 0;        // from the last scheduled send to the last answer
  double send_behind_ms = 0;  // how late the last message was sent
  bool kept_up = true;
  struct LagSample {
    double seconds;
    std::uint64_t sent, answered;
  };
  std::vector<LagSample> lag_samples;
};

// ---------------------------------------------------------------- runs

// The command whose event ends a phase of a throughput run: a buy at price 1
// from an account of its own, far below anything the flows trade at, so it
// rests (or is rejected by a price band) and its one event comes back on
// exec.<account> after every event of the commands before it (one publisher
// channel, one queue: RabbitMQ keeps the order).
Command MarkerOrder(AccountId account, ClientOrderId id) {
  NewOrder o;
  o.account = account;
  o.symbol = 0;
  o.order_id = id;
  o.side = Side::kBuy;
  o.price = 1;
  o.quantity = 1;
  return Command{0, o};
}

RunResult RunThroughput(const Options& o, const std::string& instruments_path,
                        const ThroughputFlow& flow, std::size_t run) {
  const AccountId base = RandomAccountBase();
  const AccountId marker_account = base + flow.accounts + 1;
  Encoder encoder(o.symbol);
  // The commands with the run's accounts, then the phase's marker, in batches.
  auto encode_all = [&](const std::vector<Command>& commands, ClientOrderId marker) {
    std::vector<Command> all = commands;
    for (Command& c : all)
      ShiftAccounts(c, base);
    all.push_back(MarkerOrder(marker_account, marker));
    std::vector<std::string> messages;
    for (std::size_t i = 0; i < all.size(); i += o.batch) {
      const std::size_t n = std::min(all.size() - i, o.batch);
      messages.push_back(encoder.Encode(std::span<const Command>(all.data() + i, n)));
    }
    return messages;
  };
  const std::vector<std::string> warmup = encode_all(flow.warmup, 1);
  const std::vector<std::string> measured = encode_all(flow.measured, 2);

  RunEnvironment env(o, instruments_path, run, base + 1, marker_account, 0, marker_account);
  EventConsumer& consumer = env.consumer();
  Producer& producer = env.producer();
  const auto idle = std::chrono::milliseconds(static_cast<std::int64_t>(o.timeout * 1000));

  // Warm-up: the engine is ready when the warm-up's marker is back.
  for (const auto& m : warmup)
    producer.Publish(m);
  const auto startup =
      std::chrono::milliseconds(static_cast<std::int64_t>(o.startup_timeout * 1000));
  if (!env.WaitFor([&] { return consumer.marker(1) != 0; }, [&] { return consumer.records(); },
                   startup)) {
    throw std::runtime_error(
        "no events from shard " + env.shard() + " for the warm-up after " +
        Fixed(o.startup_timeout, 0) + " s (received " + std::to_string(consumer.records()) +
        (o.relay ? "" : " of " + std::to_string(flow.warmup_records + 1)) + " event records)");
  }
  producer.Flush();
  const std::uint64_t warmup_records = consumer.records();
  const std::uint64_t warmup_messages = consumer.messages();

  RssSampler sampler(env.engine_pid());
  const std::int64_t start = NowNs();
  for (const auto& m : measured)
    producer.Publish(m);
  producer.Flush();
  const std::int64_t published = NowNs();
  if (!env.WaitFor([&] { return consumer.marker(2) != 0; }, [&] { return consumer.records(); },
                   idle)) {
    throw std::runtime_error(
        "events missing: no event for the last command after " + Fixed(o.timeout, 0) +
        " s without progress (received " + std::to_string(consumer.records() - warmup_records) +
        (o.relay ? "" : " of " + std::to_string(flow.measured_records + 1) + " expected") +
        " event records)");
  }
  const std::int64_t end = consumer.marker(2);
  sampler.Stop();

  RunResult r;
  r.shard = env.shard();
  r.commands = flow.measured.size();
  r.seconds = static_cast<double>(end - start) / 1e9;
  r.commands_per_second = static_cast<double>(r.commands) / r.seconds;
  r.publish_seconds = static_cast<double>(published - start) / 1e9;
  r.messages = measured.size();
  r.event_records = consumer.records() - warmup_records;
  r.event_messages = consumer.messages() - warmup_messages;
  r.rss = Summarize(sampler.samples());
  // A fresh engine must give exactly what the in-process engine gave (an
  // external one has older orders on the book, which change the trades; the
  // relay answers new orders only, with ACCEPTED).
  const std::uint64_t expected = flow.warmup_records + flow.measured_records + 2;
  if (!o.external && !o.relay && consumer.records() != expected) {
    throw std::runtime_error(
        "events " + std::string(consumer.records() < expected ? "missing" : "duplicated") +
        ": received " + std::to_string(consumer.records()) +
        " event records, the in-process engine gives " + std::to_string(expected));
  }
  r.engine_exit = env.StopEngine();
  consumer.Stop();
  return r;
}

RunResult RunOpenLoop(const Options& o, const std::string& instruments_path, Mode mode,
                      std::size_t run) {
  const AccountId base = RandomAccountBase();
  const double measured_seconds = mode == Mode::kSoak ? o.duration : o.seconds;
  const auto messages = static_cast<std::uint64_t>(
      std::ceil((o.warmup + measured_seconds) * o.rate / static_cast<double>(o.batch)));
  const std::uint64_t orders = messages * o.batch;
  // Order 1 is the readiness probe; the scheduled orders are 2..orders+1.
  RunEnvironment env(o, instruments_path, run, base + 1, base + 2, orders + 2);
  EventConsumer& consumer = env.consumer();
  Producer& producer = env.producer();
  Encoder encoder(o.symbol);
  const auto idle = std::chrono::milliseconds(static_cast<std::int64_t>(o.timeout * 1000));

  const Command probe = PairOrder(1, base);
  producer.Publish(encoder.Encode(std::span<const Command>(&probe, 1)));
  const auto startup =
      std::chrono::milliseconds(static_cast<std::int64_t>(o.startup_timeout * 1000));
  if (!env.WaitFor([&] { return consumer.answered() >= 1; }, [&] { return consumer.answered(); },
                   startup)) {
    throw std::runtime_error("no ACCEPTED event from shard " + env.shard() +
                             " for the first order after " + Fixed(o.startup_timeout, 0) + " s");
  }
  producer.Flush();

  ::prctl(PR_SET_TIMERSLACK, 1UL);  // sleep to the scheduled time, not 50 us past it
  RunResult r;
  r.shard = env.shard();
  const double interval = 1e9 * static_cast<double>(o.batch) / o.rate;
  const std::int64_t start = NowNs() + 2'000'000;
  const auto warmup_ns = static_cast<std::int64_t>(o.warmup * 1e9);
  auto scheduled = [&](std::uint64_t k) {
    return start + static_cast<std::int64_t>(static_cast<double>(k) * interval);
  };
  std::optional<RssSampler> sampler;
  std::vector<Command> chunk(o.batch);
  std::vector<std::int64_t> sent(messages, 0);
  std::uint64_t first_measured_message = messages;
  std::int64_t next_check = start, next_lag_sample = start + warmup_ns;
  std::int64_t last_send = start;
  for (std::uint64_t k = 0; k < messages; ++k) {
    const std::int64_t due = scheduled(k);
    Beat();
    if (NowNs() < due) SleepUntil(due);
    if (first_measured_message == messages && due >= start + warmup_ns) {
      first_measured_message = k;
      sampler.emplace(env.engine_pid());
    }
    for (std::size_t j = 0; j < o.batch; ++j)
      chunk[j] = PairOrder(2 + k * o.batch + j, base);
    const std::string& body = encoder.Encode(chunk);
    sent[k] = NowNs();
    producer.Publish(body);
    r.orders_sent += o.batch;
    last_send = NowNs();
    if (last_send >= next_check) {
      env.Check();
      producer.Poll();
      next_check = last_send + 50'000'000;
    }
    if (k >= first_measured_message && last_send >= next_lag_sample) {
      const std::uint64_t answered = consumer.answered() - 1;
      r.lag_samples.push_back(
          {static_cast<double>(last_send - start - warmup_ns) / 1e9, r.orders_sent, answered});
      r.max_lag = std::max(r.max_lag, r.orders_sent - std::min(r.orders_sent, answered));
      next_lag_sample += 1'000'000'000;
    }
  }
  const std::uint64_t answered_at_end = consumer.answered() - 1;
  r.lag_at_end = r.orders_sent - std::min(r.orders_sent, answered_at_end);
  r.max_lag = std::max(r.max_lag, r.lag_at_end);
  const bool complete = env.WaitFor([&] { return consumer.answered() >= orders + 1; },
                                    [&] { return consumer.answered(); }, idle);
  if (sampler) sampler->Stop();
  r.rss = sampler ? Summarize(sampler->samples()) : Rss{};
  r.engine_exit = env.StopEngine();
  consumer.Stop();

  // Latency of every order sent after the warm-up, from its message's
  // scheduled time to the receipt of its first ACCEPTED/REJECTED event.
  const auto& receipts = consumer.receipts();
  const std::int64_t last_scheduled = scheduled(messages - 1);
  r.drain_ms =
      static_cast<double>(*std::max_element(receipts.begin(), receipts.end()) - last_scheduled) /
      1e6;
  r.send_behind_ms = static_cast<double>(last_send - last_scheduled) / 1e6;
  const auto& stamps = consumer.stamps();
  const std::int64_t wall_minus_steady = std::chrono::duration_cast<std::chrono::nanoseconds>(
                                             std::chrono::system_clock::now().time_since_epoch())
                                             .count() -
                                         NowNs();
  const auto measured = static_cast<std::size_t>((messages - first_measured_message) * o.batch);
  LatencyRecorder latency(measured), send(measured), to_ingest(measured), after_ingest(measured);
  for (std::uint64_t k = first_measured_message; k < messages; ++k) {
    for (std::size_t j = 0; j < o.batch; ++j) {
      const std::uint64_t id = 2 + k * o.batch + j;
      const std::int64_t got = receipts[id];
      if (got == 0) {
        ++r.missing;
        continue;
      }
      latency.Record(got - scheduled(k));
      send.Record(sent[k] - scheduled(k));
      const std::int64_t ingest = stamps[id] - wall_minus_steady;
      to_ingest.Record(ingest - sent[k]);
      after_ingest.Record(got - ingest);
    }
  }
  for (LatencyRecorder* l : {&latency, &send, &to_ingest, &after_ingest})
    l->Finish();
  auto us = [](std::int64_t ns) { return static_cast<double>(ns) / 1e3; };
  r.send_p50 = us(send.Percentile(50));
  r.send_p99 = us(send.Percentile(99));
  r.to_ingest_p50 = us(to_ingest.Percentile(50));
  r.to_ingest_p99 = us(to_ingest.Percentile(99));
  r.ingest_to_receipt_p50 = us(after_ingest.Percentile(50));
  r.ingest_to_receipt_p99 = us(after_ingest.Percentile(99));
  r.orders_measured = (messages - first_measured_message) * o.batch;
  const double sending_seconds =
      static_cast<double>(last_send - scheduled(first_measured_message)) / 1e9;
  r.achieved_rate =
      sending_seconds > 0 ? static_cast<double>(r.orders_measured) / sending_seconds : 0;
  r.p50 = static_cast<double>(latency.Percentile(50)) / 1e3;
  r.p90 = static_cast<double>(latency.Percentile(90)) / 1e3;
  r.p99 = static_cast<double>(latency.Percentile(99)) / 1e3;
  r.p999 = static_cast<double>(latency.Percentile(99.9)) / 1e3;
  r.max = static_cast<double>(latency.Max()) / 1e3;
  r.event_records = consumer.records();
  r.event_messages = consumer.messages();
  // Kept up: everything answered, and within a second of the last send.
  r.kept_up = complete && r.missing == 0 && r.drain_ms <= 1000;
  return r;
}

// ---------------------------------------------------------------- output

// `relay`: the run had no engine process, only the relay thread.
std::string RssText(bool known, double start, double max, double end, bool relay) {
  if (relay) return "no engine RSS (relay)";
  if (!known) return "engine RSS unknown";
  return "engine RSS MB start " + Fixed(start, 1) + " max " + Fixed(max, 1) + " end " +
         Fixed(end, 1);
}

nlohmann::json RssJson(const Rss& r, bool with_samples) {
  if (!r.known) return nullptr;
  nlohmann::json j = {{"start", r.start}, {"max", r.max}, {"end", r.end}};
  if (with_samples) {
    j["second_half_growth"] = r.second_half_growth;
    nlohmann::json samples = nlohmann::json::array();
    for (const auto& s : r.samples)
      samples.push_back({std::round(s.seconds * 10) / 10, std::round(s.mb * 10) / 10});
    j["samples_s_mb"] = samples;
  }
  return j;
}

nlohmann::json RunJson(const RunResult& r, Mode mode) {
  nlohmann::json j = {{"shard", r.shard},
                      {"engine_exit", r.engine_exit.empty() ? "clean" : r.engine_exit},
                      {"rss_mb", RssJson(r.rss, mode == Mode::kSoak)},
                      {"event_records", r.event_records},
                      {"event_messages", r.event_messages}};
  if (mode == Mode::kThroughput) {
    j["commands"] = r.commands;
    j["seconds"] = r.seconds;
    j["commands_per_second"] = r.commands_per_second;
    j["publish_seconds"] = r.publish_seconds;
    j["messages"] = r.messages;
    return j;
  }
  j["orders_sent"] = r.orders_sent;
  j["orders_measured"] = r.orders_measured;
  j["achieved_rate"] = r.achieved_rate;
  j["latency_us"] = {
      {"p50", r.p50}, {"p90", r.p90}, {"p99", r.p99}, {"p99_9", r.p999}, {"max", r.max}};
  j["missing"] = r.missing;
  j["breakdown_us"] = {{"send_p50", r.send_p50},
                       {"send_p99", r.send_p99},
                       {"to_ingest_p50", r.to_ingest_p50},
                       {"to_ingest_p99", r.to_ingest_p99},
                       {"ingest_to_receipt_p50", r.ingest_to_receipt_p50},
                       {"ingest_to_receipt_p99", r.ingest_to_receipt_p99}};
  j["lag"] = {{"at_end", r.lag_at_end},
              {"max", r.max_lag},
              {"drain_ms", r.drain_ms},
              {"send_behind_ms", r.send_behind_ms},
              {"kept_up", r.kept_up}};
  if (mode == Mode::kSoak) {
    nlohmann::json samples = nlohmann::json::array();
    for (const auto& s : r.lag_samples)
      samples.push_back({std::round(s.seconds * 10) / 10, s.sent, s.answered});
    j["lag"]["samples_s_sent_answered"] = samples;
  }
  return j;
}

void PrintRun(std::size_t i, const RunResult& r, Mode mode, bool relay) {
  // The time stamped on the events: the engine's ingest, or the relay's receipt.
  const std::string at = relay ? "relay" : "ingest";
  std::cout << "  run " << i + 1 << " (" << r.shard << (relay ? ", relay (no engine)" : "")
            << "): ";
  if (mode == Mode::kThroughput) {
    std::cout << static_cast<std::uint64_t>(r.commands_per_second) << " commands/s end to end ("
              << r.commands << " commands in " << Fixed(r.seconds, 2) << " s; all published and "
              << "confirmed after " << Fixed(r.publish_seconds, 2) << " s), " << r.event_records
              << " event records in " << r.event_messages << " messages, "
              << RssText(r.rss.known, r.rss.start, r.rss.max, r.rss.end, relay);
  } else {
    std::cout << "achieved " << static_cast<std::uint64_t>(r.achieved_rate)
              << " orders/s; latency us p50 " << Fixed(r.p50, 0) << " p90 " << Fixed(r.p90, 0)
              << " p99 " << Fixed(r.p99, 0) << " p99.9 " << Fixed(r.p999, 0) << " max "
              << Fixed(r.max, 0) << "; missing " << r.missing << "\n    where (p50/p99 us): send "
              << Fixed(r.send_p50, 0) << "/" << Fixed(r.send_p99, 0) << ", publish->" << at << " "
              << Fixed(r.to_ingest_p50, 0) << "/" << Fixed(r.to_ingest_p99, 0) << ", " << at
              << "->consumer " << Fixed(r.ingest_to_receipt_p50, 0) << "/"
              << Fixed(r.ingest_to_receipt_p99, 0) << "; lag at end " << r.lag_at_end
              << " (all answered " << Fixed(r.drain_ms, 0) << " ms after the last scheduled send, "
              << "which went out " << Fixed(r.send_behind_ms, 0) << " ms late; max lag "
              << r.max_lag << ")" << (r.kept_up ? "" : " NOT KEPT UP") << "; "
              << RssText(r.rss.known, r.rss.start, r.rss.max, r.rss.end, relay);
    if (mode == Mode::kSoak && r.rss.known) {
      std::cout << " (" << Fixed(r.rss.second_half_growth, 1) << " MB over the second half)";
    }
  }
  if (!r.engine_exit.empty())
    std::cout << "\n    " << (relay ? "relay" : "engine") << ": " << r.engine_exit;
  std::cout << "\n";
}

// ---------------------------------------------------------------- command

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
  if (o.amqp_url.empty()) {
    const char* env = std::getenv("EXCHANGE_AMQP_URL");
    o.amqp_url = env != nullptr && *env != '\0' ? env : kDefaultAmqpUrl;
  }
  amqp::ParseUrl(o.amqp_url);  // throws on a malformed URL
  if (!o.external && !o.relay) {
    if (o.engine_bin.empty()) o.engine_bin = DefaultEngineBin();
    if (::access(o.engine_bin.c_str(), X_OK) != 0) {
      fail("engine binary " + o.engine_bin + " is missing or not executable (" +
           std::strerror(errno) + "); build it (ninja exchange-engine) or give --engine-bin");
    }
    if (o.data_root.empty()) o.data_root = std::filesystem::temp_directory_path().string();
  }
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
  InstrumentSpec spec;
  bool found = false;
  for (const auto& i : LoadInstruments(instruments_path)) {
    if (i.spec.symbol.view() == o.symbol) {
      spec = i.spec;
      found = true;
    }
  }
  if (!found) throw std::runtime_error(instruments_path + " does not define " + o.symbol);

  ThroughputFlow flow;
  if (mode == Mode::kThroughput) flow = BuildThroughputFlow(o, spec);
  const std::string flow_name = mode == Mode::kThroughput ? flow.name : kPairsName;

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

  std::vector<RunResult> runs;
  for (std::size_t i = 0; i < o.runs; ++i) {
    Beat();
    runs.push_back(mode == Mode::kThroughput ? RunThroughput(o, instruments_path, flow, i)
                                             : RunOpenLoop(o, instruments_path, mode, i));
    PrintRun(i, runs.back(), mode, o.relay);
  }

  nlohmann::json out = {{"bench", "e2e"},
                        {"mode", ModeName(mode)},
                        {"flow", flow_name},
                        {"batch", o.batch},
                        {"window", o.window},
                        {"engine", o.relay      ? "relay"
                                   : o.external ? "external"
                                                : "exchange-engine"},
                        {"external", o.external},
                        {"route", o.via_orders_exchange ? "orders_exchange" : "shard_queue"}};
  nlohmann::json med;
  auto m = [&](auto field) { return MedianOf(runs, field); };
  std::vector<RunResult> with_rss;
  for (const auto& r : runs)
    if (r.rss.known) with_rss.push_back(r);
  const bool rss_known = !with_rss.empty();
  const double rss_start = MedianOf(with_rss, [](auto& r) { return r.rss.start; });
  const double rss_max = MedianOf(with_rss, [](auto& r) { return r.rss.max; });
  const double rss_end = MedianOf(with_rss, [](auto& r) { return r.rss.end; });
  med["rss_mb"] = rss_known
                      ? nlohmann::json{{"start", rss_start}, {"max", rss_max}, {"end", rss_end}}
                      : nlohmann::json(nullptr);
  med["event_records"] = m([](auto& r) { return r.event_records; });
  med["event_messages"] = m([](auto& r) { return r.event_messages; });

  std::cout << "e2e " << ModeName(mode) << (o.relay ? ", relay (no engine)" : "") << ", median of "
            << runs.size() << " runs\n";
  const std::string stage = o.relay ? "relay" : "engine ingest";
  if (mode == Mode::kThroughput) {
    out["orders"] = flow.measured.size();
    out["warmup_commands"] = flow.warmup.size();
    med["commands_per_second"] = m([](auto& r) { return r.commands_per_second; });
    med["seconds"] = m([](auto& r) { return r.seconds; });
    med["publish_seconds"] = m([](auto& r) { return r.publish_seconds; });
    std::cout << "  " << static_cast<std::uint64_t>(med["commands_per_second"].get<double>())
              << " commands/s end to end (" << flow.measured.size() << " commands in "
              << Fixed(med["seconds"].get<double>(), 2) << " s; published and confirmed after "
              << Fixed(med["publish_seconds"].get<double>(), 2) << " s); "
              << static_cast<std::uint64_t>(med["event_records"].get<double>())
              << " event records in "
              << static_cast<std::uint64_t>(med["event_messages"].get<double>()) << " messages\n  "
              << RssText(rss_known, rss_start, rss_max, rss_end, o.relay) << "\n";
  } else {
    out["rate"] = o.rate;
    out["seconds"] = mode == Mode::kSoak ? o.duration : o.seconds;
    out["warmup_seconds"] = o.warmup;
    med["achieved_rate"] = m([](auto& r) { return r.achieved_rate; });
    med["latency_us"] = {{"p50", m([](auto& r) { return r.p50; })},
                         {"p90", m([](auto& r) { return r.p90; })},
                         {"p99", m([](auto& r) { return r.p99; })},
                         {"p99_9", m([](auto& r) { return r.p999; })},
                         {"max", m([](auto& r) { return r.max; })}};
    med["missing"] = m([](auto& r) { return r.missing; });
    med["breakdown_us"] = {
        {"send_p50", m([](auto& r) { return r.send_p50; })},
        {"send_p99", m([](auto& r) { return r.send_p99; })},
        {"to_ingest_p50", m([](auto& r) { return r.to_ingest_p50; })},
        {"to_ingest_p99", m([](auto& r) { return r.to_ingest_p99; })},
        {"ingest_to_receipt_p50", m([](auto& r) { return r.ingest_to_receipt_p50; })},
        {"ingest_to_receipt_p99", m([](auto& r) { return r.ingest_to_receipt_p99; })}};
    med["lag"] = {{"at_end", m([](auto& r) { return r.lag_at_end; })},
                  {"max", m([](auto& r) { return r.max_lag; })},
                  {"drain_ms", m([](auto& r) { return r.drain_ms; })},
                  {"send_behind_ms", m([](auto& r) { return r.send_behind_ms; })}};
    std::size_t kept_up = 0;
    for (const auto& r : runs)
      kept_up += r.kept_up;
    med["runs_kept_up"] = kept_up;
    const auto& l = med["latency_us"];
    const auto& b = med["breakdown_us"];
    std::cout << "  offered " << o.rate << " orders/s for " << out["seconds"] << " s (+" << o.warmup
              << " s warm-up), achieved "
              << static_cast<std::uint64_t>(med["achieved_rate"].get<double>())
              << "/s\n  latency us p50 " << Fixed(l["p50"].get<double>(), 0) << " p90 "
              << Fixed(l["p90"].get<double>(), 0) << " p99 " << Fixed(l["p99"].get<double>(), 0)
              << " p99.9 " << Fixed(l["p99_9"].get<double>(), 0) << " max "
              << Fixed(l["max"].get<double>(), 0) << "; missing "
              << static_cast<std::uint64_t>(med["missing"].get<double>())
              << "\n  where (p50/p99 us): send " << Fixed(b["send_p50"].get<double>(), 0) << "/"
              << Fixed(b["send_p99"].get<double>(), 0) << ", publish->" << stage << " "
              << Fixed(b["to_ingest_p50"].get<double>(), 0) << "/"
              << Fixed(b["to_ingest_p99"].get<double>(), 0) << ", " << stage << "->consumer "
              << Fixed(b["ingest_to_receipt_p50"].get<double>(), 0) << "/"
              << Fixed(b["ingest_to_receipt_p99"].get<double>(), 0) << "\n  consumer lag at end "
              << static_cast<std::uint64_t>(med["lag"]["at_end"].get<double>())
              << " orders; all answered " << Fixed(med["lag"]["drain_ms"].get<double>(), 0)
              << " ms after the last scheduled send (sent "
              << Fixed(med["lag"]["send_behind_ms"].get<double>(), 0)
              << " ms late); kept up (within 1 s) in " << kept_up << " of " << runs.size()
              << " runs\n  " << RssText(rss_known, rss_start, rss_max, rss_end, o.relay);
    if (mode == Mode::kSoak && rss_known) {
      const double growth = MedianOf(with_rss, [](auto& r) { return r.rss.second_half_growth; });
      med["rss_mb"]["second_half_growth"] = growth;
      std::cout << "; " << Fixed(growth, 1) << " MB growth over the second half";
    }
    std::cout << "\n";
  }
  out["median"] = med;
  for (const auto& r : runs)
    out["runs"].push_back(RunJson(r, mode));
  EmitJson(out, o.json_file);

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

}  // namespace

void AddE2eBenchCommand(CLI::App& app) {
  auto o = std::make_shared<Options>();
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
  cmd->add_option("--json", o->json_file, "Also write the JSON result to this file");
  cmd->callback([o, batch, flow] {
    const int rc = Run(*o, batch->count() > 0, flow->count() > 0);
    if (rc != 0) throw CLI::RuntimeError(rc);
  });
}

}  // namespace exchange::bench
