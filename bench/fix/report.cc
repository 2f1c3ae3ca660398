#include "bench/fix/report.h"

#include <iostream>
#include <sstream>
#include <string>
#include <thread>

#include "bench/run_summary.h"
#include "testing/proc_stats.h"

namespace exchange::bench::fix_bench {

namespace {

// RabbitMQ's CPU per order sent over the measured time (-1: unknown).
double BrokerUsPerOrder(const RunResult& r) {
  if (r.rabbitmq_cpu_pct < 0 || r.achieved_rate <= 0) return -1;
  return r.rabbitmq_cpu_pct / 100 * 1e6 / r.achieved_rate;
}


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

}  // namespace

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
      {"rabbitmq_us_per_order", BrokerUsPerOrder(r)},
      {"broker_messages_per_order",
       r.broker_per_order ? ToJson(*r.broker_per_order) : nlohmann::json(nullptr)},
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
  t << "    RabbitMQ per order: " << Fixed(BrokerUsPerOrder(r), 0) << " us of CPU";
  if (r.broker_per_order) t << "; by its own counters " << Describe(*r.broker_per_order);
  t << "\n";
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

namespace {

// The medians over the runs.
nlohmann::json MedianJson(const std::vector<RunResult>& runs) {
  auto m = [&](auto field) { return MedianOf(runs, field); };
  std::size_t kept_up = 0;
  for (const auto& r : runs)
    kept_up += r.kept_up;
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
                        {"rabbitmq_us_per_order", m([](auto& r) { return BrokerUsPerOrder(r); })},
                        {"broker_published_per_order", m([](auto& r) {
                           return r.broker_per_order ? r.broker_per_order->published : -1;
                         })},
                        {"machine_busy_pct", m([](auto& r) { return r.machine_busy_pct; })},
                        {"first_report_not_new", m([](auto& r) { return r.first_not_new; })},
                        {"runs_kept_up", kept_up}};
  return med;
}

void PrintSummary(const Options& o, std::size_t runs, const nlohmann::json& med) {
  const double achieved = med["achieved_rate"].get<double>();
  const double answered = med["answered"].get<double>();
  const double fills = med["fills"].get<double>();
  const auto kept_up = med["runs_kept_up"].get<std::size_t>();
  const auto& l = med["latency_us"];
  const auto& w = med["where_ms"];
  std::cout << "fix, median of " << runs << " runs\n  offered " << Fixed(o.rate, 0)
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
            << " of " << runs << " runs\n  RabbitMQ per order: "
            << Fixed(med["rabbitmq_us_per_order"].get<double>(), 0) << " us of CPU";
  if (const double published = med["broker_published_per_order"].get<double>(); published >= 0)
    std::cout << ", " << Fixed(published, 2) << " messages published (its own counters)";
  std::cout << "\n";
}

}  // namespace

nlohmann::json Summarize(const Options& o, const std::vector<RunResult>& runs) {
  const nlohmann::json med = MedianJson(runs);
  PrintSummary(o, runs.size(), med);
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
  return out;
}

}  // namespace exchange::bench::fix_bench
