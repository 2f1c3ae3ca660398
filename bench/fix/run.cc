#include "bench/fix/run.h"

#include <poll.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "amqp/shard_topology.h"
#include "amqp/topology.h"
#include "bench/bench_clock.h"
#include "bench/fix/client_session.h"
#include "bench/fix/receiver.h"
#include "bench/latency_recorder.h"
#include "bench/latency_report.h"
#include "bench/logged_process.h"
#include "bench/run_resources.h"
#include "bench/run_summary.h"
#include "testing/proc_stats.h"

namespace exchange::bench::fix_bench {

using namespace std::chrono_literals;

namespace {

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
  const std::string log = testing::ReadWholeFile(log_path);
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

std::int64_t DeadlineAfter(double seconds) {
  return NowNs() + static_cast<std::int64_t>(seconds * 1e9);
}

std::string TagName(std::size_t run) {
  return "bench-fix-" + std::to_string(::getpid()) + "-" + std::to_string(run + 1);
}

// One run's resources, made in this order and given back in reverse: the
// temporary folder, the queues' deletion, the engine, the client sessions,
// the gateway, the receiver thread, the CPU sampler.
class FixRun {
 public:
  FixRun(const Options& o, const amqp::Url& url, std::size_t run);
  RunResult Run();

 private:
  std::optional<BrokerCounts> ReadCounters();
  void DeclareTopology();
  void StartGateway();
  // The gateway's log says why it closed a connection, but its logger
  // (spdlog to a redirected stdout) is buffered until it exits: stop it first.
  std::string GatewayLog();
  // Throws when a process exited or the receiver failed.
  void Check();
  std::uint16_t WaitForPort();
  void LogOn();
  void Probe();
  void SendOrders();
  void WaitUntil(std::int64_t until);
  void Flush(ClientSession& s);
  void AwaitAnswers();
  void StopAll();
  void MeasureLatencies();
  void CountReports();
  std::int64_t Due(std::uint64_t k) const {
    return start_ + static_cast<std::int64_t>(static_cast<double>(k) * interval_);
  }

  const Options& o_;
  const amqp::Url& url_;
  RunResult r_;
  const std::string tag_name_;
  std::uint32_t base_ = 0;  // accounts base+1..base+sessions, random per run
  TempDir dir_;
  std::string instruments_;
  std::optional<QueueGuard> shard_guard_, gateway_guard_;
  std::optional<LoggedProcess> engine_;
  std::vector<std::unique_ptr<ClientSession>> sessions_;
  std::optional<LoggedProcess> gateway_;
  std::optional<Receiver> receiver_;
  std::optional<CpuSampler> cpu_;
  // The open loop: order k is due at start_ + k * interval_.
  std::uint64_t total_ = 0, first_measured_ = 0;
  std::int64_t start_ = 0, last_due_ = 0, last_send_ = 0;
  double interval_ = 0;
  std::vector<std::int64_t> sent_;
  std::vector<pollfd> polls_;
  std::size_t max_backlog_ = 0;
  bool all_answered_ = true;
  std::int64_t last_receipt_ = 0;
};

FixRun::FixRun(const Options& o, const amqp::Url& url, std::size_t run)
    : o_(o),
      url_(url),
      tag_name_(TagName(run)),
      dir_(std::filesystem::temp_directory_path().string(), "exchange-fix-bench") {
  r_.shard = tag_name_;
  r_.symbol = "FX" + std::to_string(RandomU64() % 1'000'000'000ULL);
  base_ = static_cast<std::uint32_t>(1'000'000'000ULL + (RandomU64() % 3'000'000ULL) * 1000ULL);
  instruments_ = dir_.path() + "/instruments.toml";
  WriteInstruments(instruments_, r_.symbol);
  DeclareTopology();
  engine_.emplace(
      "exchange-engine",
      std::vector<std::string>{o.engine_bin, "--shard", r_.shard, "--data-dir",
                               dir_.path() + "/engine", "--instruments", instruments_, "--symbols",
                               r_.symbol, "--metrics", "", "--log-level", "warn"},
      o.amqp_url, dir_.path() + "/engine.log");
  for (std::size_t i = 0; i < o.sessions; ++i)
    sessions_.push_back(
        std::make_unique<ClientSession>(i, base_ + 1 + static_cast<std::uint32_t>(i)));
  StartGateway();
}

void FixRun::DeclareTopology() {
  try {
    amqp::AmqpClient admin(url_, std::chrono::seconds(10));
    amqp::DeclareShardTopology(admin, r_.shard, {r_.symbol});
    shard_guard_.emplace(url_, topology::ShardQueue(r_.shard));
    gateway_guard_.emplace(url_, "gateway." + tag_name_);
    amqp::DeclareEventsExchange(admin);
  } catch (const amqp::AmqpError& e) {
    throw std::runtime_error("cannot use RabbitMQ at " + Where(url_) + ": " + e.what() +
                             " (is it running? " + ServicesHint() + ")");
  }
}

// (The gateway logs at info: connections, logons and why a connection was
// closed, nothing per message.)
void FixRun::StartGateway() {
  // The gateway's per-connection limit, well above what one session sends
  // (a burst after a stall must not log a session out).
  const auto per_session = static_cast<std::uint64_t>(o_.rate / static_cast<double>(o_.sessions));
  const std::uint64_t max_per_second = std::max<std::uint64_t>(100'000, 4 * per_session);
  const std::string config = dir_.path() + "/gateway.toml";
  WriteGatewayConfig(config, tag_name_, dir_.path() + "/gateway", instruments_, max_per_second,
                     sessions_);
  gateway_.emplace(
      "exchange-gateway",
      std::vector<std::string>{o_.gateway_bin, "--config", config, "--log-level", "info"},
      o_.amqp_url, dir_.path() + "/gateway.log");
}

std::string FixRun::GatewayLog() {
  gateway_->Stop(std::chrono::seconds(5));
  return "; the end of the gateway's log:\n" + ReadTail(gateway_->log_path(), 20);
}

void FixRun::Check() {
  engine_->Check();
  gateway_->Check();
  if (!receiver_) return;
  try {
    receiver_->Check();
  } catch (const std::exception& e) {
    throw std::runtime_error(e.what() + GatewayLog());
  }
}

// The gateway listens once its RabbitMQ publisher and consumer are up.
std::uint16_t FixRun::WaitForPort() {
  for (const std::int64_t deadline = DeadlineAfter(o_.timeout);;) {
    Check();
    if (const auto p = ListeningPort(gateway_->log_path())) return *p;
    if (NowNs() > deadline) {
      throw std::runtime_error("exchange-gateway did not listen within " + Fixed(o_.timeout, 0) +
                               " s" + GatewayLog());
    }
    std::this_thread::sleep_for(10ms);
  }
}

// Logons, then every Logon reply.
void FixRun::LogOn() {
  for (auto& s : sessions_) {
    s->Send(msg::kLogon, WallNs(), [&](fix::FixWriter& w) {
      w.Add(98, '0');
      w.Add(tag::kHeartBtInt, kHeartbeatSeconds);
      w.Add(tag::kPassword, s->password());
      w.Add(tag::kResetSeqNumFlag, 'Y');
    });
  }
  for (const std::int64_t deadline = DeadlineAfter(o_.timeout);;) {
    std::size_t on = 0;
    for (auto& s : sessions_)
      on += s->logged_on.load();
    if (on == sessions_.size()) break;
    try {
      Check();
    } catch (const std::exception& e) {
      throw std::runtime_error(std::string("logon failed: ") + e.what());
    }
    if (NowNs() > deadline) {
      throw std::runtime_error("logon failed: " + std::to_string(sessions_.size() - on) + " of " +
                               std::to_string(sessions_.size()) + " sessions got no Logon reply" +
                               GatewayLog());
    }
    std::this_thread::sleep_for(1ms);
  }
}

// The probe: the engine consumes and the way back works.
void FixRun::Probe() {
  sessions_[0]->Send(msg::kNewOrderSingle, WallNs(), [&](fix::FixWriter& w) {
    const std::int64_t now = WallNs();
    w.Add(tag::kClOrdID, kProbeId);
    w.Add(tag::kSymbol, r_.symbol);
    w.Add(tag::kSide, '1');
    w.Add(tag::kOrderQty, std::string_view("1"));
    w.Add(tag::kOrdType, '2');
    w.Add(tag::kPrice, kProbePrice);
    w.Add(tag::kTimeInForce, '1');
    w.AddTime(tag::kTransactTime, now);
  });
  for (const std::int64_t deadline = DeadlineAfter(o_.timeout); receiver_->probe() == 0;) {
    Check();
    if (NowNs() > deadline) {
      throw std::runtime_error("no ExecutionReport for the first order after " +
                               Fixed(o_.timeout, 0) +
                               " s (engine or gateway not consuming?); the end of the engine's "
                               "log:\n" +
                               ReadTail(engine_->log_path(), 10) + GatewayLog());
    }
    std::this_thread::sleep_for(1ms);
  }
  if (receiver_->probe() == '8') {
    throw std::runtime_error("the first order was rejected: " + receiver_->probe_text());
  }
}

// Writes a session's queued orders; a failed write (the gateway closed the
// connection) says why the gateway did.
void FixRun::Flush(ClientSession& s) {
  try {
    s.Flush();
  } catch (const std::exception& e) {
    throw std::runtime_error(e.what() + GatewayLog());
  }
}

// Waits until `until`, writing the sessions' queued bytes meanwhile.
void FixRun::WaitUntil(std::int64_t until) {
  for (;;) {
    const std::int64_t now = NowNs();
    if (now >= until) return;
    polls_.clear();
    for (auto& s : sessions_) {
      const std::size_t pending = s->pending_bytes();
      if (pending == 0) continue;
      max_backlog_ = std::max(max_backlog_, pending);
      polls_.push_back({s->fd(), POLLOUT, 0});
    }
    if (polls_.empty()) {
      SleepUntil(until);
      return;
    }
    const std::int64_t left = until - now;
    timespec ts{static_cast<time_t>(left / 1'000'000'000), static_cast<long>(left % 1'000'000'000)};
    if (::ppoll(polls_.data(), polls_.size(), &ts, nullptr) > 0) {
      for (auto& s : sessions_)
        if (s->pending_bytes() > 0) Flush(*s);
    }
  }
}

// The open loop. Every order due by now goes into its session's buffer, then
// each session is written once: on time that is one order per wake-up;
// behind (a late wake-up, a busy machine), one write per session for all
// that is due.
void FixRun::SendOrders() {
  ::prctl(PR_SET_TIMERSLACK, 1UL);  // sleep to the due time, not 50 us past it
  interval_ = 1e9 / o_.rate;
  start_ = NowNs() + 5'000'000;
  last_due_ = Due(total_ - 1);
  std::vector<int> sampled = {gateway_->pid(), engine_->pid(), static_cast<int>(::getpid())};
  for (const int pid : testing::PidsNamed("beam.smp"))
    sampled.push_back(pid);
  cpu_.emplace(sampled, Due(first_measured_), last_due_);
  sent_.assign(total_, 0);
  char id[24];
  std::vector<char> touched(sessions_.size(), 0);
  std::int64_t next_check = start_;
  for (std::uint64_t k = 0; k < total_;) {
    WaitUntil(Due(k));
    const std::int64_t now = NowNs();
    const std::uint64_t first = k;
    do {
      ClientSession& s = *sessions_[k % sessions_.size()];
      touched[s.index()] = 1;
      const auto [end, ec] = std::to_chars(id, id + sizeof id, k);
      const std::string_view cl_ord_id(id, static_cast<std::size_t>(end - id));
      const std::int64_t wall = WallNs();
      s.Queue(msg::kNewOrderSingle, wall, [&](fix::FixWriter& w) {
        w.Add(tag::kClOrdID, cl_ord_id);
        w.Add(tag::kSymbol, r_.symbol);
        w.Add(tag::kSide, k % 2 == 0 ? '1' : '2');
        w.Add(tag::kOrderQty, std::string_view("1"));
        w.Add(tag::kOrdType, '2');
        w.Add(tag::kPrice, kPrice);
        w.Add(tag::kTimeInForce, '1');
        w.AddTime(tag::kTransactTime, wall);
      });
      ++k;
    } while (k < total_ && Due(k) <= now);
    for (auto& s : sessions_) {
      if (!touched[s->index()]) continue;
      touched[s->index()] = 0;
      Flush(*s);
    }
    const std::int64_t written = NowNs();
    for (std::uint64_t j = first; j < k; ++j)
      sent_[j] = written;
    ++r_.writes;
    if (written >= next_check) {
      Check();
      next_check = written + 50'000'000;
    }
  }
  r_.orders_sent = total_;
  last_send_ = sent_[total_ - 1];
}

// Every answer, or --timeout seconds without progress.
void FixRun::AwaitAnswers() {
  std::uint64_t last = receiver_->answered();
  std::int64_t last_change = NowNs();
  while (receiver_->answered() < total_) {
    WaitUntil(NowNs() + 1'000'000);
    Check();
    const std::uint64_t now_answered = receiver_->answered();
    if (now_answered != last) {
      last = now_answered;
      last_change = NowNs();
    } else if (NowNs() - last_change > static_cast<std::int64_t>(o_.timeout * 1e9)) {
      break;
    }
  }
}

void FixRun::StopAll() {
  cpu_->Stop();
  receiver_->Stop();
  for (auto& s : sessions_)
    s->Close();
  r_.gateway_exit = gateway_->Stop(std::chrono::seconds(30));
  r_.engine_exit = engine_->Stop(std::chrono::seconds(30));
  const auto use = cpu_->Result();
  r_.gateway_cpu = use[0];
  r_.engine_cpu = use[1];
  r_.bench_cpu = use[2];
  for (std::size_t i = 3; i < use.size(); ++i) {
    r_.rabbitmq_cpu_pct = std::max(0.0, r_.rabbitmq_cpu_pct) + use[i].cpu_pct;
  }
  r_.machine_busy_pct = cpu_->MachineBusyPct();
}

void FixRun::MeasureLatencies() {
  const auto& receipt = receiver_->receipt();
  const auto& transact = receiver_->transact_time();
  const auto& sending = receiver_->sending_time();
  const auto& first_type = receiver_->first_type();
  const std::int64_t wall_minus_steady = WallNs() - NowNs();
  const std::uint64_t measured = total_ - first_measured_;
  const std::uint64_t mid = first_measured_ + measured / 2;
  r_.orders_measured = measured;
  LatencyRecorder latency(measured), first_half(measured / 2 + 1), second_half(measured / 2 + 1),
      send_lag(measured), in(measured), through(measured), out(measured);
  const std::int64_t measured_start = Due(first_measured_);
  LatencyTimeline timeline(last_due_ - measured_start, measured);
  for (std::uint64_t k = 0; k < total_; ++k) {
    if (receipt[k] == 0) {
      all_answered_ = false;
      continue;
    }
    last_receipt_ = std::max(last_receipt_, receipt[k]);
  }
  constexpr std::int64_t kHalfMs = 500'000;  // a truncated FIX time taken as its ms's middle
  for (std::uint64_t k = first_measured_; k < total_; ++k) {
    send_lag.Record(sent_[k] - Due(k));
    if (receipt[k] == 0) {
      ++r_.missing;
      continue;
    }
    ++r_.answered;
    r_.rejected += first_type[k] == '8';
    r_.first_not_new += first_type[k] != '0' && first_type[k] != '8';
    const std::int64_t ns = receipt[k] - Due(k);
    latency.Record(ns);
    timeline.Record(Due(k) - measured_start, ns);
    (k < mid ? first_half : second_half).Record(ns);
    if ((first_type[k] == '0' || first_type[k] == '8') && transact[k] != 0 && sending[k] != 0) {
      const std::int64_t gateway_in = transact[k] + kHalfMs - wall_minus_steady;
      const std::int64_t gateway_out = sending[k] + kHalfMs - wall_minus_steady;
      in.Record(gateway_in - Due(k));
      through.Record(gateway_out - gateway_in);
      out.Record(receipt[k] - gateway_out);
    }
  }
  for (LatencyRecorder* l : {&latency, &first_half, &second_half, &send_lag, &in, &through, &out})
    l->Finish();
  r_.latency_trace = timeline.Finish(latency);
  auto us = [](std::int64_t ns) { return static_cast<double>(ns) / 1e3; };
  auto ms = [](std::int64_t ns) { return static_cast<double>(ns) / 1e6; };
  r_.p50 = us(latency.Percentile(50));
  r_.p90 = us(latency.Percentile(90));
  r_.p99 = us(latency.Percentile(99));
  r_.p999 = us(latency.Percentile(99.9));
  r_.max = us(latency.Max());
  r_.first_half_p50 = us(first_half.Percentile(50));
  r_.second_half_p50 = us(second_half.Percentile(50));
  r_.send_lag_p50 = us(send_lag.Percentile(50));
  r_.send_lag_p99 = us(send_lag.Percentile(99));
  r_.send_lag_max = us(send_lag.Max());
  r_.in_p50 = ms(in.Percentile(50));
  r_.in_p99 = ms(in.Percentile(99));
  r_.gateway_p50 = ms(through.Percentile(50));
  r_.gateway_p99 = ms(through.Percentile(99));
  r_.out_p50 = ms(out.Percentile(50));
  r_.out_p99 = ms(out.Percentile(99));
  const double sending_seconds =
      measured > 1 ? static_cast<double>(sent_[total_ - 1] - sent_[first_measured_]) / 1e9 : 0;
  r_.achieved_rate = sending_seconds > 0 ? static_cast<double>(measured - 1) / sending_seconds : 0;
  r_.drain_ms = all_answered_ ? ms(last_receipt_ - last_due_) : -1;
  r_.send_behind_ms = ms(last_send_ - last_due_);
  r_.max_backlog_kb = static_cast<double>(max_backlog_) / 1024;
}

void FixRun::CountReports() {
  r_.news_all = receiver_->news();
  r_.rejects_all = receiver_->rejects();
  r_.fills = receiver_->fills();
  r_.cancels = receiver_->cancels();
  r_.session_rejects = receiver_->session_rejects();
  r_.messages_received = receiver_->messages();
  r_.reads = receiver_->reads();
  r_.first_error = receiver_->first_error_text();
  r_.kept_up = all_answered_ && last_receipt_ - last_due_ <= kKeptUpDrainNs &&
               r_.second_half_p50 <= 2 * r_.first_half_p50;
}

// RabbitMQ's counters, when --rabbitmqctl names a way to read them; a
// failure is said once and the run goes on without them.
std::optional<BrokerCounts> FixRun::ReadCounters() {
  if (o_.rabbitmqctl.empty()) return std::nullopt;
  std::string error;
  std::optional<BrokerCounts> counts = ReadBrokerCounts(o_.rabbitmqctl, &error);
  if (!counts) std::cerr << "exchange-bench fix: no broker counters: " << error << std::endl;
  return counts;
}

RunResult FixRun::Run() {
  const std::uint16_t port = WaitForPort();
  for (auto& s : sessions_)
    s->Connect(port);
  total_ = static_cast<std::uint64_t>(std::ceil((o_.warmup + o_.seconds) * o_.rate));
  first_measured_ =
      std::min<std::uint64_t>(total_, static_cast<std::uint64_t>(std::ceil(o_.warmup * o_.rate)));
  receiver_.emplace(sessions_, total_);
  LogOn();
  Probe();
  const std::optional<BrokerCounts> before = ReadCounters();
  SendOrders();
  AwaitAnswers();
  if (const std::optional<BrokerCounts> after = ReadCounters(); before && after)
    r_.broker_per_order = CountsPer(*before, *after, static_cast<double>(total_));
  StopAll();
  MeasureLatencies();
  CountReports();
  return r_;
}

}  // namespace

RunResult RunOnce(const Options& o, const amqp::Url& url, std::size_t run) {
  FixRun fix_run(o, url, run);
  return fix_run.Run();
}

}  // namespace exchange::bench::fix_bench
