// exchange-bench fix: measures the order round trip of a FIX client through
// the whole exchange: FIX client -> exchange-gateway -> RabbitMQ ->
// exchange-engine -> RabbitMQ -> exchange-gateway -> FIX client. The client
// is this process: one sender thread (the main thread) and one receiver
// thread, so every time is one std::chrono::steady_clock.
//
// Each run starts from nothing of its own: it writes an instruments file
// with a symbol of its own (FX<random digits>; price_decimals 2, tick 0.01,
// lot 1, self-trade prevention CANCEL_RESTING), declares the shard's topology
// for it (so that nothing the gateway publishes before the engine consumes is
// lost), spawns a fresh exchange-engine (temporary data dir, shard
// bench-fix-<pid>-<run>, --symbols that symbol, --metrics "") and a fresh
// exchange-gateway (temporary data dir, name bench-fix-<pid>-<run> so that
// its event queue gateway.<name> is new, listening on a port the kernel
// picks, one [[session]] per --sessions with an account of its own, shifted
// by a random base per run so that no other run's events reach it, and
// max_messages_per_second above what the run sends on one session). Both get
// the AMQP URL in their environment. It waits until the gateway listens,
// connects the sessions, logs each on with ResetSeqNumFlag(141)=Y and waits
// for every Logon reply, then sends a probe order (a buy far below the
// flow's price, which rests for the whole run) and waits for its
// ExecutionReport: the engine consumes and the way back works. At the end it
// closes the sessions, stops the gateway and the engine with SIGTERM, and
// deletes the gateway's queue, the shard's queue and the temporary folder.
//
// The load: order k (from 0) is a NewOrderSingle, limit, GTC, quantity 1 at
// 100.00, ClOrdID(11) = k in decimal, on session k mod --sessions, a buy
// when k is even and a sell when k is odd. So each sell trades with a resting
// buy of another session (another account: self-trade prevention has
// nothing to do) and the book holds at most a few orders. With one session
// there is one account and orders cannot trade: the instrument's CANCEL_
// RESTING cancels the resting order and the new one rests instead (the
// engine cancels instead of filling; the book still holds one order). With
// an odd number of sessions above one, a session sends both sides, and when
// the gateway reads its connections out of order a session's order can meet
// its own resting one: that one is canceled, the rest trades.
//
// Open loop: order k is due at start + k / rate, whatever the gateway does.
// The sender sleeps until each due time (clock_nanosleep, timer slack 1 us)
// and writes the order to its session's non-blocking socket; what the socket
// does not take waits in the session's buffer, which the sender flushes
// while it waits for the next due time (ppoll for POLLOUT), so a slow gateway
// never holds the sender back. The receiver thread reads every session's
// socket (epoll), frames and parses the messages with the gateway's own
// codec, answers TestRequests with Heartbeats, and takes the steady clock
// once per read. An order's latency is the receipt of its first
// ExecutionReport minus its due time: a stall anywhere (the sender included)
// delays every order behind it and shows in the percentiles (no coordinated
// omission). That first report is normally the New (150=0), or a Rejected
// (150=8, counted as an error); but the gateway can report an order's fill
// before its New, or without one (the taker's ACCEPTED comes on
// exec.<taker>, the TRADE also on exec.<maker>, in another message that the
// gateway may handle first; the order, done, is then forgotten and its
// ACCEPTED ignored), so a first report of any ExecType answers the order, and
// the orders answered that way are counted and shown. Orders due in the
// first --warmup seconds are sent and answered but not counted. Reports by
// ExecType (New, fills 150=F, cancels 150=4, …) are counted over the whole
// run.
//
// "Kept up": every order answered within 2 s of the last order's due time,
// and the median latency of the second half of the measured orders not above
// twice the first half's (a growing backlog raises the median).
//
// Where the time goes, at millisecond resolution (the FIX UTCTimestamps the
// gateway writes have milliseconds): the ExecutionReport's TransactTime(60)
// is the command's timestamp, which the gateway stamps when its I/O thread
// reads the NewOrderSingle, and its SendingTime(52) is when the gateway's
// I/O thread wrote the report. So "in" = TransactTime - due time (the
// client's send lag, the kernel and the gateway's read), "gateway" =
// SendingTime - TransactTime (publisher, RabbitMQ, engine, RabbitMQ, event
// consumer, I/O thread), "out" = receipt - SendingTime. Each is off by up to
// a millisecond (the truncated times are taken as their millisecond's
// middle); useful when the queueing is in milliseconds; taken from the orders
// answered by a New or Rejected only. Besides, the CPU time
// of every thread of the gateway, of the engine and of this process, and
// their context switches, are sampled over the measured seconds
// (/proc/<pid>/task), with the CPU time of the RabbitMQ server (every
// beam.smp process visible) and how busy all cores were: a gateway thread
// near 100% of a core, or one waking up once per message, is where a
// bottleneck is; all cores near 100% means the machine is (this process's
// sender and receiver share it too, and are shown).
//
// The gateway's configuration differs from the defaults of
// config/gateway.toml in max_messages_per_second (4x what one session sends,
// at least 100000) and max_output_bytes (256 MiB, see kMaxOutputBytes), so
// that an overloaded run is measured rather than cut off; it logs at info
// (connections and why they closed; nothing per message).
#include "bench/fix_bench.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "amqp/amqp_client.h"
#include "amqp/shard_topology.h"
#include "bench/latency_recorder.h"
#include "bench/run_resources.h"
#include "bench/run_summary.h"
#include "gateway/fix_message.h"
#include "gateway/fix_tags.h"
#include "gateway/fix_writer.h"
#include "amqp/topology.h"

namespace exchange::bench {

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;
namespace tag = fix::tag;
namespace msg = fix::msg;

constexpr std::string_view kGatewayCompId = "EXCH";
constexpr std::string_view kPrice = "100.00";  // every order of the flow
constexpr std::string_view kProbePrice = "1.00";
constexpr std::string_view kProbeId = "probe";
constexpr int kHeartbeatSeconds = 30;
constexpr std::int64_t kKeptUpDrainNs = 2'000'000'000;
// The gateway's limit on replies a client has not read yet (default 16 MiB).
// Overloaded, the gateway answers a backlog in bursts faster than the
// receiver thread gets a core on a busy machine, and would drop the session;
// the bench lets it buffer instead (the wait shows in the "out" time).
constexpr std::uint64_t kMaxOutputBytes = 256ULL << 20;

struct Options {
  std::size_t runs = 5;
  double rate = 10'000;
  double seconds = 10;
  double warmup = 2;
  std::size_t sessions = 1;
  std::string engine_bin;
  std::string gateway_bin;
  std::string amqp_url;
  double timeout = 30;  // seconds: startup steps, and the wait for answers without progress
  std::string json_file;
};

std::int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
      .count();
}

std::int64_t WallNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::uint64_t RandomU64() {
  std::random_device rd;
  return std::uint64_t{rd()} << 32 | rd();
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string ReadTail(const std::string& path, std::size_t lines) {
  std::ifstream in(path);
  std::vector<std::string> all;
  for (std::string line; std::getline(in, line);)
    all.push_back(line);
  std::string out;
  for (std::size_t i = all.size() > lines ? all.size() - lines : 0; i < all.size(); ++i) {
    out += "    | ";
    out += all[i];
    out += "\n";
  }
  return out.empty() ? "    (its log is empty)\n" : out;
}

std::string DescribeStatus(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    std::string s = "was killed by signal ";
    s += std::to_string(WTERMSIG(status));
    s += " (";
    s += strsignal(WTERMSIG(status));
    s += ")";
    return s;
  }
  return "ended with wait status " + std::to_string(status);
}

// `name` beside this executable (build/bin/), or just `name`.
std::string BesideSelf(const std::string& name) {
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return name;
  return (self.parent_path() / name).string();
}

std::string ServicesHint() {
  return "start RabbitMQ and load its settings: scripts/services.sh start; eval \"$(scripts/"
         "services.sh env)\"";
}

// ---------------------------------------------------------------- processes

// A child process (exchange-engine or exchange-gateway). Its output goes to
// `log_path`; it gets the AMQP URL through its environment (not its command
// line, where `ps` would show the password) and SIGTERM if the benchmark
// dies. Killed (SIGKILL) when destroyed still running.
class ChildProcess {
 public:
  ChildProcess(std::string name, const std::vector<std::string>& args, const std::string& amqp_url,
               std::string log_path)
      : name_(std::move(name)), log_path_(std::move(log_path)) {
    std::vector<std::string> arg_strings = args;
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
      throw std::runtime_error("cannot prepare to start " + args[0] + ": " + std::strerror(errno));
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
      pid_ = -1;
      throw std::runtime_error("cannot execute " + args[0] + ": " + std::strerror(exec_errno));
    }
  }
  ~ChildProcess() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  int pid() const { return pid_; }
  const std::string& log_path() const { return log_path_; }

  // Throws when the process has exited, with how it ended and its log's tail.
  void Check() {
    if (pid_ <= 0) throw std::runtime_error(name_ + " is not running");
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error(name_ + " " + DescribeStatus(status) +
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
      const pid_t r = ::waitpid(pid_, &status, WNOHANG);
      if (r == pid_) break;
      if (r < 0) {
        pid_ = -1;
        return std::string("waitpid failed: ") + std::strerror(errno);
      }
      if (Clock::now() > deadline) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
        pid_ = -1;
        return "did not stop within " + std::to_string(timeout.count()) +
               " s of SIGTERM and was killed; the end of its log:\n" + ReadTail(log_path_, 20);
      }
      std::this_thread::sleep_for(10ms);
    }
    pid_ = -1;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return "";
    return DescribeStatus(status) + " after SIGTERM; the end of its log:\n" +
           ReadTail(log_path_, 20);
  }

 private:
  std::string name_;
  std::string log_path_;
  pid_t pid_ = -1;
};

// ---------------------------------------------------------------- CPU use

// CPU time and context switches of every thread of a process, from
// /proc/<pid>/task/<tid>/{stat,status}.
struct ThreadSample {
  int tid = 0;
  std::string name;  // comm
  double cpu_seconds = 0;
  std::uint64_t switches = 0;  // voluntary + involuntary
};

std::vector<ThreadSample> SampleThreads(int pid) {
  std::vector<ThreadSample> out;
  const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
  std::error_code ec;
  const std::string task = "/proc/" + std::to_string(pid) + "/task";
  for (const auto& entry : std::filesystem::directory_iterator(task, ec)) {
    ThreadSample t;
    t.tid = std::atoi(entry.path().filename().c_str());
    t.name = ReadFile(entry.path().string() + "/comm");
    while (!t.name.empty() && t.name.back() == '\n')
      t.name.pop_back();
    const std::string stat = ReadFile(entry.path().string() + "/stat");
    const std::size_t paren = stat.rfind(')');
    if (paren == std::string::npos) continue;
    std::istringstream fields(stat.substr(paren + 2));
    std::vector<std::string> f;
    for (std::string w; fields >> w;)
      f.push_back(w);
    if (f.size() < 13) continue;
    // After the name: state is field 3, utime 14, stime 15.
    t.cpu_seconds =
        (std::strtod(f[11].c_str(), nullptr) + std::strtod(f[12].c_str(), nullptr)) / ticks;
    std::istringstream status(ReadFile(entry.path().string() + "/status"));
    for (std::string line; std::getline(status, line);) {
      if (line.rfind("voluntary_ctxt_switches:", 0) == 0 ||
          line.rfind("nonvoluntary_ctxt_switches:", 0) == 0) {
        t.switches += std::strtoull(line.c_str() + line.find(':') + 1, nullptr, 10);
      }
    }
    out.push_back(t);
  }
  std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.tid < b.tid; });
  return out;
}

struct ThreadUse {
  std::string name;
  double cpu_pct = 0;         // of one core
  double switches_per_s = 0;  // context switches per second
};

struct ProcessUse {
  bool known = false;
  double cpu_pct = 0;              // all threads, of one core
  std::vector<ThreadUse> threads;  // by thread id (creation order)
};

ProcessUse Difference(const std::vector<ThreadSample>& a, const std::vector<ThreadSample>& b,
                      double seconds) {
  ProcessUse u;
  if (b.empty() || seconds <= 0) return u;
  u.known = true;
  for (const ThreadSample& t : b) {
    ThreadSample before;
    for (const ThreadSample& s : a)
      if (s.tid == t.tid) before = s;
    ThreadUse tu;
    tu.name = t.name;
    tu.cpu_pct = (t.cpu_seconds - before.cpu_seconds) / seconds * 100;
    tu.switches_per_s = static_cast<double>(t.switches - before.switches) / seconds;
    u.cpu_pct += tu.cpu_pct;
    u.threads.push_back(tu);
  }
  return u;
}

// The first line of /proc/stat: (busy, total) jiffies of all cores.
std::pair<double, double> MachineJiffies() {
  std::istringstream in(ReadFile("/proc/stat"));
  std::string cpu;
  in >> cpu;
  double total = 0, idle = 0, v = 0;
  for (int i = 0; i < 10 && in >> v; ++i) {
    total += v;
    if (i == 3 || i == 4) idle += v;  // idle, iowait
  }
  return {total - idle, total};
}

// The pids of the RabbitMQ server (Erlang's beam.smp) this process can see:
// its CPU is part of the path (the bench does not know which node is the
// one in EXCHANGE_AMQP_URL, so it takes all of them).
std::vector<int> RabbitMqPids() {
  std::vector<int> pids;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    if (ReadFile(entry.path().string() + "/comm").rfind("beam.smp", 0) == 0) {
      pids.push_back(std::atoi(name.c_str()));
    }
  }
  return pids;
}

// Samples the threads of some processes at two steady-clock times on a thread
// of its own (the sender is never held up by reading /proc).
class CpuSampler {
 public:
  CpuSampler(std::vector<int> pids, std::int64_t from_ns, std::int64_t to_ns)
      : pids_(std::move(pids)), from_ns_(from_ns), to_ns_(to_ns) {
    thread_ = std::thread([this] { Loop(); });
  }
  ~CpuSampler() { Stop(); }
  CpuSampler(const CpuSampler&) = delete;
  CpuSampler& operator=(const CpuSampler&) = delete;

  void Stop() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }
  // After Stop(): per process (in the order of the pids), or unknown ones.
  std::vector<ProcessUse> Result() const {
    std::vector<ProcessUse> out(pids_.size());
    if (!done_) return out;
    const double seconds = static_cast<double>(end_ns_ - start_ns_) / 1e9;
    for (std::size_t i = 0; i < pids_.size(); ++i)
      out[i] = Difference(start_[i], end_[i], seconds);
    return out;
  }
  // After Stop(): how busy all cores were, 0..100 (-1: unknown).
  double MachineBusyPct() const {
    if (!done_ || machine_end_.second <= machine_start_.second) return -1;
    return (machine_end_.first - machine_start_.first) /
           (machine_end_.second - machine_start_.second) * 100;
  }

 private:
  bool WaitUntil(std::int64_t ns) {
    std::unique_lock lock(mutex_);
    const auto until = Clock::time_point(std::chrono::nanoseconds(ns));
    return !cv_.wait_until(lock, until, [this] { return stop_; });
  }
  void Loop() {
    if (!WaitUntil(from_ns_)) return;
    start_ns_ = NowNs();
    machine_start_ = MachineJiffies();
    for (int pid : pids_)
      start_.push_back(SampleThreads(pid));
    if (!WaitUntil(to_ns_)) return;
    end_ns_ = NowNs();
    machine_end_ = MachineJiffies();
    for (int pid : pids_)
      end_.push_back(SampleThreads(pid));
    done_ = true;
  }

  std::vector<int> pids_;
  std::int64_t from_ns_, to_ns_;
  std::int64_t start_ns_ = 0, end_ns_ = 0;
  std::vector<std::vector<ThreadSample>> start_, end_;
  std::pair<double, double> machine_start_, machine_end_;
  bool done_ = false;  // read after the thread is joined
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

// ---------------------------------------------------------------- FIX client

// One FIX session of the client: its socket (non-blocking after the connect),
// its outgoing sequence numbers and the bytes the socket did not take yet
// (both guarded by a mutex: the sender thread sends orders, the receiver
// thread answers TestRequests), and its incoming buffer (receiver thread).
class ClientSession {
 public:
  ClientSession(std::size_t index, std::uint32_t account)
      : index_(index),
        account_(account),
        comp_id_("BENCH" + std::to_string(index + 1)),
        password_("pw-" + std::to_string(index + 1)) {}
  ~ClientSession() { Close(); }
  ClientSession(const ClientSession&) = delete;
  ClientSession& operator=(const ClientSession&) = delete;

  std::size_t index() const { return index_; }
  std::uint32_t account() const { return account_; }
  const std::string& comp_id() const { return comp_id_; }
  const std::string& password() const { return password_; }
  int fd() const { return fd_; }

  void Connect(std::uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) throw std::runtime_error("socket: " + std::string(std::strerror(errno)));
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      const int error = errno;
      Close();
      throw std::runtime_error("session " + comp_id_ + ": cannot connect to the gateway on port " +
                               std::to_string(port) + ": " + std::strerror(error));
    }
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) | O_NONBLOCK);
  }
  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  // Builds a message with the next MsgSeqNum (add(writer) adds the body) and
  // writes it, or queues what the socket does not take. Any thread; throws
  // when the connection failed.
  template <typename AddBody>
  void Send(std::string_view type, std::int64_t wall_ns, AddBody add) {
    std::lock_guard lock(mutex_);
    writer_.Start(type, comp_id_, kGatewayCompId, next_seq_++, wall_ns);
    add(writer_);
    const std::string_view bytes = writer_.Finish();
    if (pending_start_ == pending_.size()) {
      const std::size_t n = WriteSome(bytes);
      if (n == bytes.size()) return;
      pending_.assign(bytes.substr(n));
      pending_start_ = 0;
    } else {
      pending_.append(bytes);
      FlushLocked();
    }
    pending_bytes_.store(pending_.size() - pending_start_, std::memory_order_relaxed);
  }
  // Builds a message like Send() but only queues it: Flush() writes it.
  template <typename AddBody>
  void Queue(std::string_view type, std::int64_t wall_ns, AddBody add) {
    std::lock_guard lock(mutex_);
    writer_.Start(type, comp_id_, kGatewayCompId, next_seq_++, wall_ns);
    add(writer_);
    pending_.append(writer_.Finish());
  }
  // Writes what it can of the queued bytes. Any thread.
  void Flush() {
    std::lock_guard lock(mutex_);
    FlushLocked();
    pending_bytes_.store(pending_.size() - pending_start_, std::memory_order_relaxed);
  }
  // Bytes queued because the socket was full (a hint: no lock).
  std::size_t pending_bytes() const { return pending_bytes_.load(std::memory_order_relaxed); }

  // Receiver thread only.
  std::string input;
  std::size_t input_start = 0;
  std::string logout_text;  // the gateway's Logout(35=5) Text(58), if it sent one

  std::atomic<bool> logged_on{false};

 private:
  // Writes what the socket takes now; returns how much.
  std::size_t WriteSome(std::string_view bytes) {
    std::size_t done = 0;
    while (done < bytes.size()) {
      const ssize_t n =
          ::send(fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n > 0) {
        done += static_cast<std::size_t>(n);
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
      throw std::runtime_error("session " + comp_id_ + ": writing to the gateway failed: " +
                               (n < 0 ? std::strerror(errno) : "connection closed"));
    }
    return done;
  }
  void FlushLocked() {
    if (pending_start_ < pending_.size()) {
      pending_start_ += WriteSome(std::string_view(pending_).substr(pending_start_));
    }
    if (pending_start_ == pending_.size()) {
      pending_.clear();
      pending_start_ = 0;
    } else if (pending_start_ > (1u << 20) && pending_start_ > pending_.size() / 2) {
      pending_.erase(0, pending_start_);
      pending_start_ = 0;
    }
  }

  const std::size_t index_;
  const std::uint32_t account_;
  const std::string comp_id_, password_;
  int fd_ = -1;
  std::mutex mutex_;
  fix::FixWriter writer_;       // guarded by mutex_
  std::uint64_t next_seq_ = 1;  // guarded by mutex_
  std::string pending_;         // guarded by mutex_
  std::size_t pending_start_ = 0;
  std::atomic<std::size_t> pending_bytes_{0};
};

// The receiver thread: reads every session (epoll), frames and parses, and
// records for order k (ClOrdID k) the receipt of its first ExecutionReport
// with ExecType New or Rejected, with that report's TransactTime and
// SendingTime.
class Receiver {
 public:
  Receiver(std::vector<std::unique_ptr<ClientSession>>& sessions, std::size_t orders)
      : sessions_(sessions),
        receipt_(orders, 0),
        transact_(orders, 0),
        sending_(orders, 0),
        first_type_(orders, 0) {
    epoll_ = ::epoll_create1(EPOLL_CLOEXEC);
    if (epoll_ < 0) throw std::runtime_error("epoll_create1: " + std::string(strerror(errno)));
    for (auto& s : sessions_) {
      epoll_event ev{};
      ev.events = EPOLLIN;
      ev.data.u64 = s->index();
      if (::epoll_ctl(epoll_, EPOLL_CTL_ADD, s->fd(), &ev) != 0) {
        ::close(epoll_);
        throw std::runtime_error("epoll_ctl: " + std::string(strerror(errno)));
      }
    }
    thread_ = std::thread([this] { Loop(); });
  }
  ~Receiver() { Stop(); }
  Receiver(const Receiver&) = delete;
  Receiver& operator=(const Receiver&) = delete;

  void Stop() {
    stop_.store(true);
    if (thread_.joinable()) thread_.join();
    if (epoll_ >= 0) ::close(epoll_);
    epoll_ = -1;
  }
  // Throws when the thread failed (a session closed, logged out, garbled…).
  void Check() const {
    if (failed_.load()) throw std::runtime_error(error_);
  }

  std::uint64_t answered() const { return answered_.load(std::memory_order_relaxed); }
  // 0: the probe is not answered yet; '0' New; '8' Rejected.
  char probe() const { return probe_.load(); }
  std::string probe_text() const {
    std::lock_guard lock(text_mutex_);
    return probe_text_;
  }

  // After Stop().
  const std::vector<std::int64_t>& receipt() const { return receipt_; }
  const std::vector<std::int64_t>& transact_time() const { return transact_; }
  const std::vector<std::int64_t>& sending_time() const { return sending_; }
  // The ExecType(150) of each order's first report (0: none).
  const std::vector<char>& first_type() const { return first_type_; }
  std::uint64_t news() const { return news_; }
  std::uint64_t rejects() const { return rejects_; }
  std::uint64_t fills() const { return fills_; }
  std::uint64_t cancels() const { return cancels_; }
  std::uint64_t other_reports() const { return other_reports_; }
  std::uint64_t session_rejects() const { return session_rejects_; }
  std::uint64_t test_requests() const { return test_requests_; }
  std::uint64_t messages() const { return messages_; }
  std::uint64_t reads() const { return reads_; }
  const std::string& first_error_text() const { return first_error_text_; }

 private:
  void Loop() {
    try {
      epoll_event events[64];
      char buffer[1 << 16];
      while (!stop_.load(std::memory_order_relaxed)) {
        const int n = ::epoll_wait(epoll_, events, 64, 10);
        if (n < 0) {
          if (errno == EINTR) continue;
          throw std::runtime_error("epoll_wait: " + std::string(strerror(errno)));
        }
        for (int i = 0; i < n; ++i) {
          ClientSession& s = *sessions_[events[i].data.u64];
          for (;;) {
            const ssize_t got = ::recv(s.fd(), buffer, sizeof buffer, MSG_DONTWAIT);
            if (got > 0) {
              const std::int64_t now = NowNs();
              ++reads_;
              s.input.append(buffer, static_cast<std::size_t>(got));
              Frame(s, now);
              if (static_cast<std::size_t>(got) < sizeof buffer) break;
              continue;
            }
            if (got < 0 && errno == EINTR) continue;
            if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
            std::string what = "the gateway closed session " + s.comp_id() + "'s connection";
            if (got < 0) what = "reading session " + s.comp_id() + ": " + strerror(errno);
            if (!s.logout_text.empty()) what += " after a Logout: " + s.logout_text;
            throw std::runtime_error(what);
          }
        }
      }
    } catch (const std::exception& e) {
      error_ = e.what();
      failed_.store(true);
    }
  }

  void Frame(ClientSession& s, std::int64_t now) {
    while (s.input_start < s.input.size()) {
      const std::string_view rest(s.input.data() + s.input_start, s.input.size() - s.input_start);
      const fix::Frame frame = fix::FrameMessage(rest);
      if (frame.status == fix::FrameStatus::kIncomplete) break;
      if (frame.status == fix::FrameStatus::kGarbled) {
        throw std::runtime_error("session " + s.comp_id() +
                                 ": garbled message from the gateway: " + frame.error);
      }
      const std::string_view bytes = rest.substr(0, frame.length);
      s.input_start += frame.length;
      if (const auto error = message_.Parse(bytes)) {
        throw std::runtime_error("session " + s.comp_id() + ": unparsable message (" + error->text +
                                 "): " + fix::Printable(bytes));
      }
      ++messages_;
      Handle(s, message_, now);
    }
    if (s.input_start == s.input.size()) {
      s.input.clear();
      s.input_start = 0;
    } else if (s.input_start > (1u << 16)) {
      s.input.erase(0, s.input_start);
      s.input_start = 0;
    }
  }

  static std::int64_t FixTime(const fix::FixMessage& m, int t) {
    const auto ns = fix::ParseUtcTimestamp(m.Get(t));
    return ns ? *ns : 0;
  }

  void NoteError(std::string_view what, const fix::FixMessage& m) {
    if (first_error_text_.empty()) {
      first_error_text_ = std::string(what) + ": " + fix::Printable(m.raw());
    }
  }

  void Handle(ClientSession& s, const fix::FixMessage& m, std::int64_t now) {
    const std::string_view type = m.msg_type();
    if (type == msg::kExecutionReport) {
      const std::string_view exec = m.Get(tag::kExecType);
      const char e = exec.size() == 1 ? exec[0] : '?';
      switch (e) {
        case '0': ++news_; break;
        case '8':
          ++rejects_;
          NoteError("order rejected", m);
          break;
        case 'F': ++fills_; break;
        case '4': ++cancels_; break;
        default: ++other_reports_; break;
      }
      // The order's first report answers it, whatever its ExecType: the
      // gateway may report a fill before (or without) the New.
      const std::string_view id = m.Get(tag::kClOrdID);
      if (id == kProbeId) {
        if (probe_.load() != 0) return;
        {
          std::lock_guard lock(text_mutex_);
          probe_text_ = std::string(m.Get(tag::kText));
        }
        probe_.store(e);
        return;
      }
      std::uint64_t k = 0;
      const auto [end, ec] = std::from_chars(id.data(), id.data() + id.size(), k);
      if (ec != std::errc() || end != id.data() + id.size() || k >= receipt_.size()) {
        NoteError("report for an unknown ClOrdID", m);
        return;
      }
      if (receipt_[k] != 0) return;
      receipt_[k] = now;
      transact_[k] = FixTime(m, tag::kTransactTime);
      sending_[k] = FixTime(m, tag::kSendingTime);
      first_type_[k] = e;
      answered_.fetch_add(1, std::memory_order_relaxed);
    } else if (type == msg::kTestRequest) {
      ++test_requests_;
      const std::string id(m.Get(tag::kTestReqID));
      s.Send(msg::kHeartbeat, WallNs(), [&](fix::FixWriter& w) { w.Add(tag::kTestReqID, id); });
    } else if (type == msg::kLogon) {
      s.logged_on.store(true);
    } else if (type == msg::kLogout) {
      s.logout_text = m.Has(tag::kText) ? std::string(m.Get(tag::kText)) : "(no Text)";
    } else if (type == msg::kReject || type == msg::kBusinessMessageReject) {
      ++session_rejects_;
      NoteError(type == msg::kReject ? "session Reject(35=3)" : "BusinessMessageReject(35=j)", m);
    } else if (type == msg::kResendRequest) {
      throw std::runtime_error(
          "session " + s.comp_id() +
          ": the gateway asked for a resend (a sequence gap): " + fix::Printable(m.raw()));
    }
    // Heartbeats and anything else: nothing to do.
  }

  std::vector<std::unique_ptr<ClientSession>>& sessions_;
  int epoll_ = -1;
  std::vector<std::int64_t> receipt_, transact_, sending_;
  std::vector<char> first_type_;  // ExecType of each order's first report
  fix::FixMessage message_;
  std::uint64_t news_ = 0, rejects_ = 0, fills_ = 0, cancels_ = 0, other_reports_ = 0;
  std::uint64_t session_rejects_ = 0, test_requests_ = 0, messages_ = 0, reads_ = 0;
  std::string first_error_text_;
  std::atomic<std::uint64_t> answered_{0};
  std::atomic<char> probe_{0};
  mutable std::mutex text_mutex_;
  std::string probe_text_;  // guarded by text_mutex_
  std::atomic<bool> stop_{false}, failed_{false};
  std::string error_;  // written before failed_ is set
  std::thread thread_;
};

// ---------------------------------------------------------------- results

struct RunResult {
  std::string shard;
  std::string symbol;
  std::uint64_t orders_sent = 0;
  std::uint64_t orders_measured = 0;
  std::uint64_t answered = 0;  // measured orders with a New or Rejected report
  std::uint64_t missing = 0;   // measured orders without one
  std::uint64_t rejected = 0;  // measured orders Rejected
  std::uint64_t rejects_all = 0, news_all = 0, fills = 0, cancels = 0, session_rejects = 0;
  std::uint64_t messages_received = 0, reads = 0;
  std::uint64_t writes = 0;         // the sender's wake-ups that wrote orders
  std::uint64_t first_not_new = 0;  // measured orders whose first report was not New/Rejected
  double achieved_rate = 0;
  double p50 = 0, p90 = 0, p99 = 0, p999 = 0, max = 0;  // microseconds
  double first_half_p50 = 0, second_half_p50 = 0;
  double send_lag_p50 = 0, send_lag_p99 = 0, send_lag_max = 0;  // microseconds
  // Milliseconds (FIX timestamps: millisecond resolution).
  double in_p50 = 0, in_p99 = 0, gateway_p50 = 0, gateway_p99 = 0, out_p50 = 0, out_p99 = 0;
  double drain_ms = 0;        // last answer minus the last due time (-1: some never came)
  double send_behind_ms = 0;  // how late the last order was written
  double max_backlog_kb = 0;  // most bytes waiting in one session's buffer (socket full)
  ProcessUse gateway_cpu, engine_cpu, bench_cpu;
  double rabbitmq_cpu_pct = -1;  // every beam.smp seen (-1: none)
  double machine_busy_pct = -1;  // all cores, 0..100
  bool kept_up = false;
  std::string gateway_exit, engine_exit;  // "" when it stopped cleanly
  std::string first_error;
};

std::string Where(const amqp::Url& url) {
  return url.host + ":" + std::to_string(url.port) + "/" + url.vhost;
}

// ---------------------------------------------------------------- one run

void WriteInstruments(const std::string& path, const std::string& symbol) {
  std::ofstream(path) << "[[instrument]]\nsymbol = \"" << symbol
                      << "\"\nprice_decimals = 2\nquantity_decimals = 0\ntick_size = 1\n"
                         "lot_size = 1\nmin_quantity = 1\nmax_quantity = 1000000\n"
                         "market_protection_ticks = 1000\n"
                         "self_trade_prevention = \"CANCEL_RESTING\"\n";
}

void WriteGatewayConfig(const std::string& path, const std::string& name,
                        const std::string& data_dir, const std::string& instruments,
                        std::uint64_t max_messages_per_second,
                        const std::vector<std::unique_ptr<ClientSession>>& sessions) {
  std::ofstream c(path);
  c << "[gateway]\nname = \"" << name << "\"\nlisten = \"127.0.0.1:0\"\ndata_dir = \"" << data_dir
    << "\"\ninstruments = \"" << instruments
    << "\"\nlogon_timeout_ms = 10000\nmax_messages_per_second = " << max_messages_per_second
    << "\nmax_output_bytes = " << kMaxOutputBytes << "\n[log]\nlevel = \"info\"\n";
  for (const auto& s : sessions) {
    c << "[[session]]\nname = \"s" << s->index() + 1 << "\"\nclient_comp_id = \"" << s->comp_id()
      << "\"\ngateway_comp_id = \"" << kGatewayCompId << "\"\npassword = \"" << s->password()
      << "\"\naccount = " << s->account() << "\n";
  }
}

// The port from the gateway's "exchange-gateway: listening on port N" line.
std::optional<std::uint16_t> ListeningPort(const std::string& log_path) {
  const std::string log = ReadFile(log_path);
  static constexpr std::string_view kLine = "exchange-gateway: listening on port ";
  const std::size_t at = log.find(kLine);
  if (at == std::string::npos) return std::nullopt;
  const std::size_t from = at + kLine.size();
  const std::size_t to = log.find('\n', from);
  if (to == std::string::npos) return std::nullopt;  // not the whole line yet
  const int port = std::atoi(log.substr(from, to - from).c_str());
  if (port <= 0 || port > 65535) return std::nullopt;
  return static_cast<std::uint16_t>(port);
}

RunResult RunOnce(const Options& o, const amqp::Url& url, std::size_t run) {
  RunResult r;
  const std::string tag_name =
      "bench-fix-" + std::to_string(::getpid()) + "-" + std::to_string(run + 1);
  r.shard = tag_name;
  r.symbol = "FX" + std::to_string(RandomU64() % 1'000'000'000ULL);
  const std::string shard_queue = topology::ShardQueue(r.shard);
  const std::string gateway_queue = "gateway." + tag_name;
  // Accounts base+1..base+sessions, random per run: no other run's events.
  const auto base =
      static_cast<std::uint32_t>(1'000'000'000ULL + (RandomU64() % 3'000'000ULL) * 1000ULL);

  TempDir dir(std::filesystem::temp_directory_path().string(), "exchange-fix-bench");
  const std::string instruments = dir.path() + "/instruments.toml";
  WriteInstruments(instruments, r.symbol);

  std::optional<QueueGuard> shard_guard, gateway_guard;
  try {
    amqp::AmqpClient admin(url, std::chrono::seconds(10));
    amqp::DeclareShardTopology(admin, r.shard, {r.symbol});
    shard_guard.emplace(url, shard_queue);
    gateway_guard.emplace(url, gateway_queue);
    amqp::DeclareEventsExchange(admin);
  } catch (const amqp::AmqpError& e) {
    throw std::runtime_error("cannot use RabbitMQ at " + Where(url) + ": " + e.what() +
                             " (is it running? " + ServicesHint() + ")");
  }

  const auto deadline_after = [&](double seconds) {
    return NowNs() + static_cast<std::int64_t>(seconds * 1e9);
  };
  ChildProcess engine(
      "exchange-engine",
      {o.engine_bin, "--shard", r.shard, "--data-dir", dir.path() + "/engine", "--instruments",
       instruments, "--symbols", r.symbol, "--metrics", "", "--log-level", "warn"},
      o.amqp_url, dir.path() + "/engine.log");

  std::vector<std::unique_ptr<ClientSession>> sessions;
  for (std::size_t i = 0; i < o.sessions; ++i)
    sessions.push_back(
        std::make_unique<ClientSession>(i, base + 1 + static_cast<std::uint32_t>(i)));
  // The gateway's per-connection limit, well above what one session sends
  // (a burst after a stall must not log a session out).
  const auto per_session = static_cast<std::uint64_t>(o.rate / static_cast<double>(o.sessions));
  const std::uint64_t max_per_second = std::max<std::uint64_t>(100'000, 4 * per_session);
  const std::string config = dir.path() + "/gateway.toml";
  WriteGatewayConfig(config, tag_name, dir.path() + "/gateway", instruments, max_per_second,
                     sessions);
  ChildProcess gateway("exchange-gateway",
                       {o.gateway_bin, "--config", config, "--log-level", "info"}, o.amqp_url,
                       dir.path() + "/gateway.log");
  // The gateway's log says why it closed a connection, but its logger
  // (spdlog to a redirected stdout) is buffered until it exits: stop it first.
  auto gateway_log = [&] {
    gateway.Stop(std::chrono::seconds(5));
    return "; the end of the gateway's log:\n" + ReadTail(gateway.log_path(), 20);
  };
  auto check_processes = [&] {
    engine.Check();
    gateway.Check();
  };

  // (The gateway logs at info: connections, logons and why a connection was
  // closed, nothing per message.)
  // The gateway listens once its RabbitMQ publisher and consumer are up.
  std::uint16_t port = 0;
  for (const std::int64_t deadline = deadline_after(o.timeout);;) {
    check_processes();
    if (const auto p = ListeningPort(gateway.log_path())) {
      port = *p;
      break;
    }
    if (NowNs() > deadline) {
      throw std::runtime_error("exchange-gateway did not listen within " + Fixed(o.timeout, 0) +
                               " s" + gateway_log());
    }
    std::this_thread::sleep_for(10ms);
  }
  for (auto& s : sessions)
    s->Connect(port);

  const auto total = static_cast<std::uint64_t>(std::ceil((o.warmup + o.seconds) * o.rate));
  const auto first_measured =
      std::min<std::uint64_t>(total, static_cast<std::uint64_t>(std::ceil(o.warmup * o.rate)));
  Receiver receiver(sessions, total);
  auto check = [&] {
    check_processes();
    try {
      receiver.Check();
    } catch (const std::exception& e) {
      throw std::runtime_error(e.what() + gateway_log());
    }
  };

  // Logons, then every Logon reply.
  for (auto& s : sessions) {
    s->Send(msg::kLogon, WallNs(), [&](fix::FixWriter& w) {
      w.Add(98, '0');
      w.Add(tag::kHeartBtInt, kHeartbeatSeconds);
      w.Add(tag::kPassword, s->password());
      w.Add(tag::kResetSeqNumFlag, 'Y');
    });
  }
  for (const std::int64_t deadline = deadline_after(o.timeout);;) {
    std::size_t on = 0;
    for (auto& s : sessions)
      on += s->logged_on.load();
    if (on == sessions.size()) break;
    try {
      check();
    } catch (const std::exception& e) {
      throw std::runtime_error(std::string("logon failed: ") + e.what());
    }
    if (NowNs() > deadline) {
      throw std::runtime_error("logon failed: " + std::to_string(sessions.size() - on) + " of " +
                               std::to_string(sessions.size()) + " sessions got no Logon reply" +
                               gateway_log());
    }
    std::this_thread::sleep_for(1ms);
  }

  // The probe: the engine consumes and the way back works.
  sessions[0]->Send(msg::kNewOrderSingle, WallNs(), [&](fix::FixWriter& w) {
    const std::int64_t now = WallNs();
    w.Add(tag::kClOrdID, kProbeId);
    w.Add(tag::kSymbol, r.symbol);
    w.Add(tag::kSide, '1');
    w.Add(tag::kOrderQty, std::string_view("1"));
    w.Add(tag::kOrdType, '2');
    w.Add(tag::kPrice, kProbePrice);
    w.Add(tag::kTimeInForce, '1');
    w.AddTime(tag::kTransactTime, now);
  });
  for (const std::int64_t deadline = deadline_after(o.timeout); receiver.probe() == 0;) {
    check();
    if (NowNs() > deadline) {
      throw std::runtime_error("no ExecutionReport for the first order after " +
                               Fixed(o.timeout, 0) +
                               " s (engine or gateway not consuming?); the end of the engine's "
                               "log:\n" +
                               ReadTail(engine.log_path(), 10) + gateway_log());
    }
    std::this_thread::sleep_for(1ms);
  }
  if (receiver.probe() == '8') {
    throw std::runtime_error("the first order was rejected: " + receiver.probe_text());
  }

  // ---- the open loop
  ::prctl(PR_SET_TIMERSLACK, 1UL);  // sleep to the due time, not 50 us past it
  const double interval = 1e9 / o.rate;
  const std::int64_t start = NowNs() + 5'000'000;
  auto due = [&](std::uint64_t k) {
    return start + static_cast<std::int64_t>(static_cast<double>(k) * interval);
  };
  const std::int64_t last_due = due(total - 1);
  std::vector<int> sampled = {gateway.pid(), engine.pid(), static_cast<int>(::getpid())};
  for (const int pid : RabbitMqPids())
    sampled.push_back(pid);
  CpuSampler cpu(sampled, due(first_measured), last_due);
  // Writes a session's queued orders; a failed write (the gateway closed the
  // connection) says why the gateway did.
  auto flush = [&](ClientSession& s) {
    try {
      s.Flush();
    } catch (const std::exception& e) {
      throw std::runtime_error(e.what() + gateway_log());
    }
  };
  std::vector<std::int64_t> sent(total, 0);
  std::vector<pollfd> polls;
  std::size_t max_backlog = 0;
  // Waits until `until`, writing the sessions' queued bytes meanwhile.
  auto wait_until = [&](std::int64_t until) {
    for (;;) {
      const std::int64_t now = NowNs();
      if (now >= until) return;
      polls.clear();
      for (auto& s : sessions) {
        const std::size_t pending = s->pending_bytes();
        if (pending == 0) continue;
        max_backlog = std::max(max_backlog, pending);
        polls.push_back({s->fd(), POLLOUT, 0});
      }
      if (polls.empty()) {
        SleepUntil(until);
        return;
      }
      const std::int64_t left = until - now;
      timespec ts{static_cast<time_t>(left / 1'000'000'000),
                  static_cast<long>(left % 1'000'000'000)};
      if (::ppoll(polls.data(), polls.size(), &ts, nullptr) > 0) {
        for (auto& s : sessions)
          if (s->pending_bytes() > 0) flush(*s);
      }
    }
  };
  // Every order due by now goes into its session's buffer, then each session
  // is written once: on time that is one order per wake-up; behind (a late
  // wake-up, a busy machine), one write per session for all that is due.
  char id[24];
  std::vector<char> touched(sessions.size(), 0);
  std::int64_t next_check = start;
  for (std::uint64_t k = 0; k < total;) {
    wait_until(due(k));
    const std::int64_t now = NowNs();
    const std::uint64_t first = k;
    do {
      ClientSession& s = *sessions[k % sessions.size()];
      touched[s.index()] = 1;
      const auto [end, ec] = std::to_chars(id, id + sizeof id, k);
      const std::string_view cl_ord_id(id, static_cast<std::size_t>(end - id));
      const std::int64_t wall = WallNs();
      s.Queue(msg::kNewOrderSingle, wall, [&](fix::FixWriter& w) {
        w.Add(tag::kClOrdID, cl_ord_id);
        w.Add(tag::kSymbol, r.symbol);
        w.Add(tag::kSide, k % 2 == 0 ? '1' : '2');
        w.Add(tag::kOrderQty, std::string_view("1"));
        w.Add(tag::kOrdType, '2');
        w.Add(tag::kPrice, kPrice);
        w.Add(tag::kTimeInForce, '1');
        w.AddTime(tag::kTransactTime, wall);
      });
      ++k;
    } while (k < total && due(k) <= now);
    for (auto& s : sessions) {
      if (!touched[s->index()]) continue;
      touched[s->index()] = 0;
      flush(*s);
    }
    const std::int64_t written = NowNs();
    for (std::uint64_t j = first; j < k; ++j)
      sent[j] = written;
    ++r.writes;
    if (written >= next_check) {
      check();
      next_check = written + 50'000'000;
    }
  }
  r.orders_sent = total;
  const std::int64_t last_send = sent[total - 1];

  // Every answer, or --timeout seconds without progress.
  {
    std::uint64_t last = receiver.answered();
    std::int64_t last_change = NowNs();
    while (receiver.answered() < total) {
      wait_until(NowNs() + 1'000'000);
      check();
      const std::uint64_t now_answered = receiver.answered();
      if (now_answered != last) {
        last = now_answered;
        last_change = NowNs();
      } else if (NowNs() - last_change > static_cast<std::int64_t>(o.timeout * 1e9)) {
        break;
      }
    }
  }
  cpu.Stop();
  receiver.Stop();
  for (auto& s : sessions)
    s->Close();
  r.gateway_exit = gateway.Stop(std::chrono::seconds(30));
  r.engine_exit = engine.Stop(std::chrono::seconds(30));
  const auto use = cpu.Result();
  r.gateway_cpu = use[0];
  r.engine_cpu = use[1];
  r.bench_cpu = use[2];
  for (std::size_t i = 3; i < use.size(); ++i) {
    r.rabbitmq_cpu_pct = std::max(0.0, r.rabbitmq_cpu_pct) + use[i].cpu_pct;
  }
  r.machine_busy_pct = cpu.MachineBusyPct();

  // ---- statistics
  const auto& receipt = receiver.receipt();
  const auto& transact = receiver.transact_time();
  const auto& sending = receiver.sending_time();
  const auto& first_type = receiver.first_type();
  const std::int64_t wall_minus_steady = WallNs() - NowNs();
  const std::uint64_t measured = total - first_measured;
  const std::uint64_t mid = first_measured + measured / 2;
  r.orders_measured = measured;
  LatencyRecorder latency(measured), first_half(measured / 2 + 1), second_half(measured / 2 + 1),
      send_lag(measured), in(measured), through(measured), out(measured);
  bool all_answered = true;
  std::int64_t last_receipt = 0;
  for (std::uint64_t k = 0; k < total; ++k) {
    if (receipt[k] == 0) {
      all_answered = false;
      continue;
    }
    last_receipt = std::max(last_receipt, receipt[k]);
  }
  constexpr std::int64_t kHalfMs = 500'000;  // a truncated FIX time taken as its ms's middle
  for (std::uint64_t k = first_measured; k < total; ++k) {
    send_lag.Record(sent[k] - due(k));
    if (receipt[k] == 0) {
      ++r.missing;
      continue;
    }
    ++r.answered;
    r.rejected += first_type[k] == '8';
    r.first_not_new += first_type[k] != '0' && first_type[k] != '8';
    const std::int64_t ns = receipt[k] - due(k);
    latency.Record(ns);
    (k < mid ? first_half : second_half).Record(ns);
    if ((first_type[k] == '0' || first_type[k] == '8') && transact[k] != 0 && sending[k] != 0) {
      const std::int64_t gateway_in = transact[k] + kHalfMs - wall_minus_steady;
      const std::int64_t gateway_out = sending[k] + kHalfMs - wall_minus_steady;
      in.Record(gateway_in - due(k));
      through.Record(gateway_out - gateway_in);
      out.Record(receipt[k] - gateway_out);
    }
  }
  for (LatencyRecorder* l : {&latency, &first_half, &second_half, &send_lag, &in, &through, &out})
    l->Finish();
  auto us = [](std::int64_t ns) { return static_cast<double>(ns) / 1e3; };
  auto ms = [](std::int64_t ns) { return static_cast<double>(ns) / 1e6; };
  r.p50 = us(latency.Percentile(50));
  r.p90 = us(latency.Percentile(90));
  r.p99 = us(latency.Percentile(99));
  r.p999 = us(latency.Percentile(99.9));
  r.max = us(latency.Max());
  r.first_half_p50 = us(first_half.Percentile(50));
  r.second_half_p50 = us(second_half.Percentile(50));
  r.send_lag_p50 = us(send_lag.Percentile(50));
  r.send_lag_p99 = us(send_lag.Percentile(99));
  r.send_lag_max = us(send_lag.Max());
  r.in_p50 = ms(in.Percentile(50));
  r.in_p99 = ms(in.Percentile(99));
  r.gateway_p50 = ms(through.Percentile(50));
  r.gateway_p99 = ms(through.Percentile(99));
  r.out_p50 = ms(out.Percentile(50));
  r.out_p99 = ms(out.Percentile(99));
  const double sending_seconds =
      measured > 1 ? static_cast<double>(sent[total - 1] - sent[first_measured]) / 1e9 : 0;
  r.achieved_rate = sending_seconds > 0 ? static_cast<double>(measured - 1) / sending_seconds : 0;
  r.drain_ms = all_answered ? ms(last_receipt - last_due) : -1;
  r.send_behind_ms = ms(last_send - last_due);
  r.max_backlog_kb = static_cast<double>(max_backlog) / 1024;
  r.news_all = receiver.news();
  r.rejects_all = receiver.rejects();
  r.fills = receiver.fills();
  r.cancels = receiver.cancels();
  r.session_rejects = receiver.session_rejects();
  r.messages_received = receiver.messages();
  r.reads = receiver.reads();
  r.first_error = receiver.first_error_text();
  r.kept_up = all_answered && last_receipt - last_due <= kKeptUpDrainNs &&
              r.second_half_p50 <= 2 * r.first_half_p50;
  return r;
}

// ---------------------------------------------------------------- output

// "12% (I/O 8% 1.2k cs/s, ...)": the process's CPU time, then each thread's
// with its context switches per second. `labels` name the threads in
// creation order when there are exactly that many; otherwise their names
// (comm) are shown.
std::string CpuText(const ProcessUse& u, const std::vector<std::string>& labels) {
  if (!u.known) return "unknown";
  std::string s = Fixed(u.cpu_pct, 0) + "%";
  if (u.threads.empty()) return s;
  s += " (";
  for (std::size_t i = 0; i < u.threads.size(); ++i) {
    if (i > 0) s += ", ";
    if (u.threads.size() == labels.size()) {
      s += labels[i];
    } else {
      s += u.threads[i].name;
      s += "#";
      s += std::to_string(i + 1);
    }
    s += " ";
    s += Fixed(u.threads[i].cpu_pct, 0);
    s += "% ";
    s += Fixed(u.threads[i].switches_per_s / 1000, 1);
    s += "k cs/s";
  }
  s += ")";
  return s;
}

// The gateway's threads in creation order (gateway_main.cc): the I/O thread
// (main), the RabbitMQ publisher, the RabbitMQ event consumer. This
// process's: the sender (main), the receiver, the CPU sampler.
const std::vector<std::string> kGatewayThreads = {"I/O", "publisher", "consumer"};
const std::vector<std::string> kBenchThreads = {"sender", "receiver", "sampler"};

nlohmann::json CpuJson(const ProcessUse& u) {
  if (!u.known) return nullptr;
  nlohmann::json threads = nlohmann::json::array();
  for (const ThreadUse& t : u.threads)
    threads.push_back(
        {{"name", t.name}, {"cpu_pct", t.cpu_pct}, {"context_switches_per_s", t.switches_per_s}});
  return {{"cpu_pct", u.cpu_pct}, {"threads", threads}};
}

nlohmann::json RunJson(const RunResult& r) {
  return {
      {"shard", r.shard},
      {"symbol", r.symbol},
      {"orders_sent", r.orders_sent},
      {"orders_measured", r.orders_measured},
      {"answered", r.answered},
      {"missing", r.missing},
      {"rejected", r.rejected},
      {"achieved_rate", r.achieved_rate},
      {"latency_us",
       {{"p50", r.p50}, {"p90", r.p90}, {"p99", r.p99}, {"p99_9", r.p999}, {"max", r.max}}},
      {"halves_p50_us", {r.first_half_p50, r.second_half_p50}},
      {"send_lag_us", {{"p50", r.send_lag_p50}, {"p99", r.send_lag_p99}, {"max", r.send_lag_max}}},
      {"where_ms",
       {{"in_p50", r.in_p50},
        {"in_p99", r.in_p99},
        {"gateway_p50", r.gateway_p50},
        {"gateway_p99", r.gateway_p99},
        {"out_p50", r.out_p50},
        {"out_p99", r.out_p99}}},
      {"drain_ms", r.drain_ms},
      {"send_behind_ms", r.send_behind_ms},
      {"max_backlog_kb", r.max_backlog_kb},
      {"kept_up", r.kept_up},
      {"reports",
       {{"new", r.news_all},
        {"rejected", r.rejects_all},
        {"fills", r.fills},
        {"canceled", r.cancels},
        {"session_rejects", r.session_rejects},
        {"messages", r.messages_received},
        {"reads", r.reads}}},
      {"first_report_not_new", r.first_not_new},
      {"sender_writes", r.writes},
      {"cpu",
       {{"gateway", CpuJson(r.gateway_cpu)},
        {"engine", CpuJson(r.engine_cpu)},
        {"bench", CpuJson(r.bench_cpu)},
        {"rabbitmq_pct",
         r.rabbitmq_cpu_pct < 0 ? nlohmann::json(nullptr) : nlohmann::json(r.rabbitmq_cpu_pct)},
        {"machine_busy_pct",
         r.machine_busy_pct < 0 ? nlohmann::json(nullptr) : nlohmann::json(r.machine_busy_pct)},
        {"cores", std::thread::hardware_concurrency()}}},
      {"gateway_exit", r.gateway_exit.empty() ? "clean" : r.gateway_exit},
      {"engine_exit", r.engine_exit.empty() ? "clean" : r.engine_exit}};
}

void PrintRun(std::size_t i, const RunResult& r, const Options& o) {
  std::ostringstream t;
  t << "  run " << i + 1 << " (" << r.shard << ", " << r.symbol << "): offered " << Fixed(o.rate, 0)
    << "/s, sent " << Fixed(r.achieved_rate, 0) << "/s; answered " << r.answered << " of "
    << r.orders_measured << " (" << r.rejected << " rejected, " << r.missing << " missing)\n";
  t << "    latency us p50 " << Fixed(r.p50, 0) << " p90 " << Fixed(r.p90, 0) << " p99 "
    << Fixed(r.p99, 0) << " p99.9 " << Fixed(r.p999, 0) << " max " << Fixed(r.max, 0)
    << "; halves p50 " << Fixed(r.first_half_p50, 0) << "/" << Fixed(r.second_half_p50, 0) << "; ";
  if (r.drain_ms >= 0) {
    t << "all answered " << Fixed(r.drain_ms, 0) << " ms after the last due time";
  } else {
    t << "NOT all answered";
  }
  t << (r.kept_up ? ", kept up" : ", NOT KEPT UP") << "\n";
  t << "    where (ms, p50/p99): in " << Fixed(r.in_p50, 1) << "/" << Fixed(r.in_p99, 1)
    << ", gateway->engine->gateway " << Fixed(r.gateway_p50, 1) << "/" << Fixed(r.gateway_p99, 1)
    << ", out " << Fixed(r.out_p50, 1) << "/" << Fixed(r.out_p99, 1) << "; send lag us p50/p99/max "
    << Fixed(r.send_lag_p50, 0) << "/" << Fixed(r.send_lag_p99, 0) << "/"
    << Fixed(r.send_lag_max, 0) << ", last send " << Fixed(r.send_behind_ms, 1)
    << " ms late, client backlog max " << Fixed(r.max_backlog_kb, 0) << " KB\n";
  t << "    reports: " << r.news_all << " new, " << r.fills << " fills, " << r.cancels
    << " canceled, " << r.rejects_all << " rejected, " << r.session_rejects << " session rejects; "
    << r.messages_received << " messages in " << r.reads << " reads; orders written in " << r.writes
    << " wake-ups\n";
  t << "    CPU of a core over the measured time: gateway "
    << CpuText(r.gateway_cpu, kGatewayThreads) << "; engine " << CpuText(r.engine_cpu, {})
    << "; bench " << CpuText(r.bench_cpu, kBenchThreads) << "; RabbitMQ "
    << (r.rabbitmq_cpu_pct < 0 ? std::string("unknown") : Fixed(r.rabbitmq_cpu_pct, 0) + "%")
    << "; all " << std::thread::hardware_concurrency() << " cores "
    << (r.machine_busy_pct < 0 ? std::string("unknown") : Fixed(r.machine_busy_pct, 0) + "% busy")
    << "\n";
  if (r.first_not_new > 0) {
    t << "    " << r.first_not_new
      << " orders' first report was a fill or cancel, not New: the gateway reported the order's "
         "fill before (or instead of) its acceptance\n";
  }
  if (!r.first_error.empty()) t << "    first error: " << r.first_error << "\n";
  if (!r.gateway_exit.empty()) t << "    gateway: " << r.gateway_exit << "\n";
  if (!r.engine_exit.empty()) t << "    engine: " << r.engine_exit << "\n";
  std::cout << t.str() << std::flush;
}

// ---------------------------------------------------------------- command

void Validate(Options& o) {
  auto fail = [](const std::string& what) { throw std::runtime_error(what); };
  if (o.runs == 0) fail("--runs must be at least 1");
  if (!(o.rate > 0)) fail("--rate must be positive (orders/s)");
  if (!(o.seconds > 0) || o.warmup < 0) fail("--seconds must be positive, --warmup not negative");
  if (o.rate * o.seconds < 2) fail("--rate x --seconds must be at least 2 orders");
  if (o.sessions == 0 || o.sessions > 1000) fail("--sessions must be 1..1000");
  if (!(o.timeout > 0)) fail("--timeout must be positive");
  if (o.rate * (o.seconds + o.warmup) > 200'000'000)
    fail("--rate x (--seconds + --warmup) too big");
  if (o.amqp_url.empty()) {
    const char* env = std::getenv("EXCHANGE_AMQP_URL");
    if (env == nullptr || *env == '\0') {
      fail("EXCHANGE_AMQP_URL is not set (or give --amqp-url): " + ServicesHint());
    }
    o.amqp_url = env;
  }
  amqp::ParseUrl(o.amqp_url);  // throws on a malformed URL
  if (o.engine_bin.empty()) o.engine_bin = BesideSelf("exchange-engine");
  if (o.gateway_bin.empty()) o.gateway_bin = BesideSelf("exchange-gateway");
  for (const auto& [bin, target] :
       {std::pair{o.engine_bin, "exchange-engine"}, std::pair{o.gateway_bin, "exchange-gateway"}}) {
    if (::access(bin.c_str(), X_OK) != 0) {
      fail(std::string(target) + " binary " + bin + " is missing or not executable (" +
           std::strerror(errno) + "); build it (cmake --build build --target " + target +
           ") or give --" + (std::string(target) == "exchange-engine" ? "engine" : "gateway") +
           "-bin");
    }
  }
}

int Run(Options o) {
  Validate(o);
  ::signal(SIGPIPE, SIG_IGN);
  const amqp::Url url = amqp::ParseUrl(o.amqp_url);
  // Reachable at all? (Each run declares its topology again.)
  try {
    amqp::AmqpClient probe(url, std::chrono::seconds(5));
  } catch (const amqp::AmqpError& e) {
    throw std::runtime_error("RabbitMQ at " + Where(url) + " is unreachable: " + e.what() + "; " +
                             ServicesHint());
  }
  std::cout << "fix: NewOrderSingle limit GTC quantity 1 at one price, buys and sells alternating "
               "round-robin over "
            << o.sessions << " session" << (o.sessions == 1 ? "" : "s")
            << (o.sessions == 1 ? " (one account: self-trade prevention cancels instead of fills)"
                                : " (one account each: each sell trades with a buy)")
            << "\n  client -> " << o.gateway_bin << " -> RabbitMQ " << Where(url) << " -> "
            << o.engine_bin << " -> back, fresh engine and gateway per run; open loop at "
            << Fixed(o.rate, 0) << " orders/s for " << Fixed(o.seconds, 1) << " s after "
            << Fixed(o.warmup, 1) << " s of warm-up\n";

  std::vector<RunResult> runs;
  for (std::size_t i = 0; i < o.runs; ++i) {
    runs.push_back(RunOnce(o, url, i));
    PrintRun(i, runs.back(), o);
  }

  auto m = [&](auto field) { return MedianOf(runs, field); };
  std::size_t kept_up = 0;
  std::uint64_t missing = 0, rejected = 0, session_rejects = 0, unclean = 0;
  for (const auto& r : runs) {
    kept_up += r.kept_up;
    missing += r.missing;
    rejected += r.rejects_all;
    session_rejects += r.session_rejects;
    unclean += !r.gateway_exit.empty() || !r.engine_exit.empty();
  }
  const double achieved = m([](auto& r) { return r.achieved_rate; });
  const double answered = m([](auto& r) { return r.answered; });
  const double fills = m([](auto& r) { return r.fills; });
  nlohmann::json med = {{"achieved_rate", achieved},
                        {"answered", answered},
                        {"missing", m([](auto& r) { return r.missing; })},
                        {"rejected", m([](auto& r) { return r.rejected; })},
                        {"fills", fills},
                        {"canceled", m([](auto& r) { return r.cancels; })},
                        {"latency_us",
                         {{"p50", m([](auto& r) { return r.p50; })},
                          {"p90", m([](auto& r) { return r.p90; })},
                          {"p99", m([](auto& r) { return r.p99; })},
                          {"p99_9", m([](auto& r) { return r.p999; })},
                          {"max", m([](auto& r) { return r.max; })}}},
                        {"where_ms",
                         {{"in_p50", m([](auto& r) { return r.in_p50; })},
                          {"in_p99", m([](auto& r) { return r.in_p99; })},
                          {"gateway_p50", m([](auto& r) { return r.gateway_p50; })},
                          {"gateway_p99", m([](auto& r) { return r.gateway_p99; })},
                          {"out_p50", m([](auto& r) { return r.out_p50; })},
                          {"out_p99", m([](auto& r) { return r.out_p99; })}}},
                        {"send_lag_us",
                         {{"p50", m([](auto& r) { return r.send_lag_p50; })},
                          {"p99", m([](auto& r) { return r.send_lag_p99; })}}},
                        {"gateway_cpu_pct", m([](auto& r) { return r.gateway_cpu.cpu_pct; })},
                        {"engine_cpu_pct", m([](auto& r) { return r.engine_cpu.cpu_pct; })},
                        {"bench_cpu_pct", m([](auto& r) { return r.bench_cpu.cpu_pct; })},
                        {"rabbitmq_cpu_pct", m([](auto& r) { return r.rabbitmq_cpu_pct; })},
                        {"machine_busy_pct", m([](auto& r) { return r.machine_busy_pct; })},
                        {"first_report_not_new", m([](auto& r) { return r.first_not_new; })},
                        {"runs_kept_up", kept_up}};
  const auto& l = med["latency_us"];
  const auto& w = med["where_ms"];
  std::cout << "fix, median of " << runs.size() << " runs\n  offered " << Fixed(o.rate, 0)
            << " orders/s over " << o.sessions << " session" << (o.sessions == 1 ? "" : "s")
            << " for " << Fixed(o.seconds, 1) << " s (+" << Fixed(o.warmup, 1)
            << " s warm-up), sent " << Fixed(achieved, 0) << "/s, answered " << Fixed(answered, 0)
            << " orders, " << Fixed(fills, 0) << " fills\n  latency us p50 "
            << Fixed(l["p50"].get<double>(), 0) << " p90 " << Fixed(l["p90"].get<double>(), 0)
            << " p99 " << Fixed(l["p99"].get<double>(), 0) << " p99.9 "
            << Fixed(l["p99_9"].get<double>(), 0) << " max " << Fixed(l["max"].get<double>(), 0)
            << "\n  where (ms, p50/p99): in " << Fixed(w["in_p50"].get<double>(), 1) << "/"
            << Fixed(w["in_p99"].get<double>(), 1) << ", gateway->engine->gateway "
            << Fixed(w["gateway_p50"].get<double>(), 1) << "/"
            << Fixed(w["gateway_p99"].get<double>(), 1) << ", out "
            << Fixed(w["out_p50"].get<double>(), 1) << "/" << Fixed(w["out_p99"].get<double>(), 1)
            << "\n  CPU of a core: gateway " << Fixed(med["gateway_cpu_pct"].get<double>(), 0)
            << "%, engine " << Fixed(med["engine_cpu_pct"].get<double>(), 0) << "%, bench "
            << Fixed(med["bench_cpu_pct"].get<double>(), 0) << "%, RabbitMQ "
            << Fixed(med["rabbitmq_cpu_pct"].get<double>(), 0) << "%; all cores "
            << Fixed(med["machine_busy_pct"].get<double>(), 0) << "% busy; kept up in " << kept_up
            << " of " << runs.size() << " runs\n";

  nlohmann::json out = {{"bench", "fix"},
                        {"flow",
                         "NewOrderSingle limit GTC quantity 1 at one price, buy/sell alternating "
                         "round-robin over the sessions"},
                        {"rate", o.rate},
                        {"seconds", o.seconds},
                        {"warmup_seconds", o.warmup},
                        {"sessions", o.sessions},
                        {"median", med}};
  for (const auto& r : runs)
    out["runs"].push_back(RunJson(r));
  EmitJson(out, o.json_file);

  int rc = 0;
  if (missing > 0) {
    std::cerr << "exchange-bench: " << missing << " measured orders got no ExecutionReport (New or "
              << "Rejected) within " << Fixed(o.timeout, 0) << " s without progress\n";
    rc = 1;
  }
  if (rejected > 0 || session_rejects > 0) {
    std::cerr << "exchange-bench: errors: " << rejected << " orders rejected, " << session_rejects
              << " session-level rejects\n";
    rc = 1;
  }
  if (unclean > 0) {
    std::cerr << "exchange-bench: the gateway or the engine did not stop cleanly in " << unclean
              << " run(s)\n";
    rc = 1;
  }
  return rc;
}

}  // namespace

void AddFixBenchCommand(CLI::App& app) {
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "fix",
      "Benchmark the order round trip FIX client -> exchange-gateway -> RabbitMQ -> "
      "exchange-engine -> RabbitMQ -> exchange-gateway -> FIX client (open loop)");
  cmd->add_option("--runs", o->runs,
                  "Runs (each with a fresh engine and gateway); medians reported")
      ->capture_default_str();
  cmd->add_option("--rate", o->rate, "Orders per second offered, over all sessions")
      ->capture_default_str();
  cmd->add_option("--seconds", o->seconds, "Measured seconds (after the warm-up)")
      ->capture_default_str();
  cmd->add_option("--warmup", o->warmup, "Seconds sent first and not counted")
      ->capture_default_str();
  cmd->add_option("--sessions", o->sessions,
                  "FIX sessions (connections), one account each; orders go round-robin")
      ->capture_default_str();
  cmd->add_option("--engine-bin", o->engine_bin,
                  "exchange-engine to run (default: the one beside exchange-bench)");
  cmd->add_option("--gateway-bin", o->gateway_bin,
                  "exchange-gateway to run (default: the one beside exchange-bench)");
  cmd->add_option("--amqp-url", o->amqp_url, "RabbitMQ URL (default: EXCHANGE_AMQP_URL)");
  cmd->add_option("--timeout", o->timeout,
                  "Seconds for each startup step (gateway listening, first report), and without "
                  "progress while waiting for the last answers")
      ->capture_default_str();
  cmd->add_option("--json", o->json_file, "Also write the JSON result to this file");
  cmd->callback([o] {
    const int rc = Run(*o);
    if (rc != 0) throw CLI::RuntimeError(rc);
  });
}

}  // namespace exchange::bench
