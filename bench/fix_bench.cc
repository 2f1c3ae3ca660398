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
// omission). That first report is the New (150=0), or a Rejected (150=8,
// counted as an error); the engine's events reach the gateway in sequence
// order, one message per batch (amqp/event_routes.h), so a fill never comes
// first. A first report of any other ExecType still answers the order, and
// the orders answered that way are counted and shown (it would be a bug of
// the gateway: the figure must stay 0). Orders due in the
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
#include "bench/logged_process.h"

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
#include "amqp/topology.h"
#include "bench/fix_bench.h"
#include "bench/latency_recorder.h"
#include "bench/run_resources.h"
#include "bench/run_summary.h"
#include "gateway/fix_message.h"
#include "gateway/fix_tags.h"
#include "gateway/fix_writer.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "amqp/amqp_client.h"
#include "bench/fix/options.h"
#include "bench/fix/report.h"
#include "bench/fix/run.h"
#include "bench/latency_report.h"
#include "bench/run_summary.h"
#include "testing/service_env.h"

namespace exchange::bench {

namespace fix_bench {
namespace {

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
  if (o.amqp_url.empty()) o.amqp_url = testing::ServiceUrl("EXCHANGE_AMQP_URL");
  if (o.amqp_url.empty()) {
    fail("EXCHANGE_AMQP_URL is not set (or give --amqp-url): " + ServicesHint());
  }
  amqp::ParseUrl(o.amqp_url);  // throws on a malformed URL
  if (o.rabbitmqctl.empty()) o.rabbitmqctl = testing::ServiceUrl("EXCHANGE_RABBITMQCTL");
  if (o.rabbitmqctl == "none") o.rabbitmqctl.clear();
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

// 1 when orders went unanswered or were rejected, or a process did not stop
// cleanly.
int ExitCode(const Options& o, const std::vector<RunResult>& runs) {
  std::uint64_t missing = 0, rejected = 0, session_rejects = 0, unclean = 0;
  for (const auto& r : runs) {
    missing += r.missing;
    rejected += r.rejects_all;
    session_rejects += r.session_rejects;
    unclean += !r.gateway_exit.empty() || !r.engine_exit.empty();
  }
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

// What the latency pictures show.
std::string PicturesTitle(const Options& o) {
  return "exchange-bench fix: FIX client -> exchange-gateway -> RabbitMQ -> exchange-engine -> "
         "back, " +
         Fixed(o.rate, 0) + " orders/s over " + std::to_string(o.sessions) + " session" +
         (o.sessions == 1 ? "" : "s") + ", " + Fixed(o.seconds, 1) + " s measured";
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

  const nlohmann::json result = Summarize(o, runs);
  WriteLatencyPictures(o.json_file, PicturesTitle(o), NamedTraces(runs));
  EmitJson(result, o.json_file);
  return ExitCode(o, runs);
}

}  // namespace
}  // namespace fix_bench

void AddFixBenchCommand(CLI::App& app) {
  auto o = std::make_shared<fix_bench::Options>();
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
  cmd->add_option("--rabbitmqctl", o->rabbitmqctl,
                  "Command line of rabbitmqctl for the broker's message counters (default: "
                  "EXCHANGE_RABBITMQCTL, which scripts/services.sh env exports; 'none': off)");
  cmd->add_option("--timeout", o->timeout,
                  "Seconds for each startup step (gateway listening, first report), and without "
                  "progress while waiting for the last answers")
      ->capture_default_str();
  cmd->add_option("--json", o->json_file,
                  "Also write the JSON result to this file, and beside it the latency pictures "
                  "(<file without .json>-percentiles.png, -over-time.png; needs gnuplot)");
  cmd->callback([o] {
    const int rc = fix_bench::Run(*o);
    if (rc != 0) throw CLI::RuntimeError(rc);
  });
}

}  // namespace exchange::bench
