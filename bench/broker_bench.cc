// exchange-bench broker: the floor RabbitMQ sets under every leg of the
// exchange, measured with nothing of the exchange on the path. It talks to
// RabbitMQ through rabbitmq-c directly rather than through amqp::AmqpClient,
// because it needs what the exchange never declares (queue types, stream
// offsets, consuming without acks) and nothing of ours may be measured here.
//
// Each case declares a fresh queue of its kind (deleted after), publishes
// --body-bytes messages open loop at --rate per second for --seconds on one
// connection (message k due at start + k / rate; its due time travels in
// the body), consumes them on a second connection (prefetch 1000, an ack per
// message unless the case consumes without acks) and waits until all have
// arrived. Figures: RabbitMQ's CPU time over the run (every beam.smp
// process visible, from /proc) divided by the messages published, and the
// latency from due time to delivery (steady clock; publisher and consumer
// are threads of this process). Cases run one after another within a run,
// runs repeat the sequence (interleaved, so drift touches every case alike),
// medians over runs are reported.
#include "bench/broker_bench.h"

#include <amqp.h>
#include <amqp_tcp_socket.h>
#include <sys/time.h>

#include <atomic>
#include <cstring>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "amqp/amqp_client.h"
#include "bench/bench_clock.h"
#include "bench/latency_recorder.h"
#include "bench/run_summary.h"
#include "testing/proc_stats.h"

namespace exchange::bench {
namespace {

struct BrokerCase {
  std::string name;
  std::string what;
  std::string queue_type;  // "" (no queue), "classic", "classic-v2", "quorum", "stream"
  bool persistent = false;
  bool confirms = false;
  bool acks = true;
};

std::vector<BrokerCase> AllCases() {
  return {
      {"nowhere", "transient, routed to no queue, no confirms: a message arriving", "", false,
       false, false},
      {"transient", "classic queue, transient, confirms and acks", "classic", false, true, true},
      {"classic", "classic queue v1, persistent, confirms and acks (each leg of ours)", "classic",
       true, true, true},
      {"classic-v2", "classic queue v2 (x-queue-version 2), persistent, confirms and acks",
       "classic-v2", true, true, true},
      {"quorum", "quorum queue, persistent, confirms and acks", "quorum", true, true, true},
      {"stream", "stream (AMQP 0-9-1), persistent, confirms, acks as credit", "stream", true, true,
       true},
  };
}

struct Options {
  double rate = 1000;
  double seconds = 5;
  unsigned runs = 3;
  std::size_t body_bytes = 100;
  std::string amqp_url;
  std::vector<std::string> cases;
  std::string json_file;
};

struct CaseResult {
  std::string name;
  std::uint64_t sent = 0;
  std::uint64_t received = 0;
  double broker_cpu_s = 0;
  double us_per_message = 0;
  double broker_pct = 0;  // of one core
  std::int64_t p50_ns = 0, p99_ns = 0, max_ns = 0;
};

// One rabbitmq-c connection with channel 1 open.
class Connection {
 public:
  explicit Connection(const amqp::Url& url) : conn_(amqp_new_connection()) {
    amqp_socket_t* socket = amqp_tcp_socket_new(conn_);
    if (socket == nullptr || amqp_socket_open(socket, url.host.c_str(), url.port) != 0) {
      throw std::runtime_error("cannot connect to RabbitMQ at " + url.host + ":" +
                               std::to_string(url.port));
    }
    Check(amqp_login(conn_, url.vhost.c_str(), 0, 131072, 0, AMQP_SASL_METHOD_PLAIN,
                     url.user.c_str(), url.password.c_str()),
          "login");
    amqp_channel_open(conn_, 1);
    Check(amqp_get_rpc_reply(conn_), "channel.open");
  }
  ~Connection() {
    amqp_channel_close(conn_, 1, AMQP_REPLY_SUCCESS);
    amqp_connection_close(conn_, AMQP_REPLY_SUCCESS);
    amqp_destroy_connection(conn_);
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  amqp_connection_state_t get() const { return conn_; }
  void Check(amqp_rpc_reply_t reply, const std::string& what) const {
    if (reply.reply_type == AMQP_RESPONSE_NORMAL) return;
    std::string detail = "error " + std::to_string(reply.reply_type);
    if (reply.reply_type == AMQP_RESPONSE_SERVER_EXCEPTION &&
        reply.reply.id == AMQP_CHANNEL_CLOSE_METHOD) {
      const auto* close = static_cast<amqp_channel_close_t*>(reply.reply.decoded);
      detail.assign(static_cast<const char*>(close->reply_text.bytes), close->reply_text.len);
    }
    throw std::runtime_error("RabbitMQ " + what + ": " + detail);
  }

 private:
  amqp_connection_state_t conn_;
};

amqp_bytes_t Bytes(const std::string& s) {
  return amqp_bytes_t{s.size(), const_cast<char*>(s.data())};
}

double BrokerCpuSeconds() {
  double total = 0;
  for (const int pid : testing::PidsNamed("beam.smp"))
    total += testing::ProcessCpuSeconds(pid);
  return total;
}

void DeclareQueue(Connection& c, const BrokerCase& k, const std::string& queue) {
  amqp_queue_delete(c.get(), 1, Bytes(queue), 0, 0);
  c.Check(amqp_get_rpc_reply(c.get()), "queue.delete");
  std::vector<amqp_table_entry_t> args;
  amqp_table_entry_t e;
  if (k.queue_type == "classic-v2") {
    e.key = amqp_cstring_bytes("x-queue-version");
    e.value.kind = AMQP_FIELD_KIND_I32;
    e.value.value.i32 = 2;
    args.push_back(e);
  } else if (k.queue_type == "quorum" || k.queue_type == "stream") {
    e.key = amqp_cstring_bytes("x-queue-type");
    e.value.kind = AMQP_FIELD_KIND_UTF8;
    e.value.value.bytes = amqp_cstring_bytes(k.queue_type.c_str());
    args.push_back(e);
  }
  amqp_queue_declare(c.get(), 1, Bytes(queue), 0, /*durable=*/1, 0, 0,
                     amqp_table_t{static_cast<int>(args.size()), args.data()});
  c.Check(amqp_get_rpc_reply(c.get()), "queue.declare " + queue);
}

void StartConsuming(Connection& c, const BrokerCase& k, const std::string& queue) {
  amqp_basic_qos(c.get(), 1, 0, 1000, 0);
  c.Check(amqp_get_rpc_reply(c.get()), "basic.qos");
  amqp_table_entry_t offset;
  offset.key = amqp_cstring_bytes("x-stream-offset");
  offset.value.kind = AMQP_FIELD_KIND_UTF8;
  offset.value.value.bytes = amqp_cstring_bytes("next");
  const bool stream = k.queue_type == "stream";
  amqp_basic_consume(c.get(), 1, Bytes(queue), amqp_empty_bytes, 0, /*no_ack=*/k.acks ? 0 : 1, 0,
                     amqp_table_t{stream ? 1 : 0, &offset});
  c.Check(amqp_get_rpc_reply(c.get()), "basic.consume " + queue);
}

// The consumer thread's loop: records due-to-delivery latency until `stop`.
void Consume(Connection& c, const BrokerCase& k, LatencyRecorder& latency,
             std::atomic<std::uint64_t>& received, const std::atomic<bool>& stop) {
  while (!stop.load()) {
    amqp_envelope_t envelope;
    timeval timeout{0, 50'000};
    amqp_maybe_release_buffers(c.get());
    const amqp_rpc_reply_t r = amqp_consume_message(c.get(), &envelope, &timeout, 0);
    if (r.reply_type == AMQP_RESPONSE_NORMAL) {
      std::int64_t due = 0;
      if (envelope.message.body.len >= sizeof due)
        std::memcpy(&due, envelope.message.body.bytes, sizeof due);
      latency.Record(NowNs() - due);
      if (k.acks) amqp_basic_ack(c.get(), 1, envelope.delivery_tag, 0);
      amqp_destroy_envelope(&envelope);
      received.fetch_add(1);
    } else if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION &&
               r.library_error == AMQP_STATUS_TIMEOUT) {
      continue;
    } else if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION &&
               r.library_error == AMQP_STATUS_UNEXPECTED_STATE) {
      amqp_frame_t frame;  // a method other than a delivery: skip it
      amqp_simple_wait_frame(c.get(), &frame);
    } else {
      throw std::runtime_error("consuming failed");
    }
  }
}

// Reads whatever publisher confirms have arrived, without waiting.
void DrainConfirms(Connection& c) {
  amqp_frame_t frame;
  timeval zero{0, 0};
  while (amqp_simple_wait_frame_noblock(c.get(), &frame, &zero) == AMQP_STATUS_OK) {
  }
}

CaseResult RunCase(const Options& o, const BrokerCase& k, unsigned run) {
  const amqp::Url url = amqp::ParseUrl(o.amqp_url);
  const std::string queue = "bench.broker." + std::to_string(::getpid()) + "." + k.name;
  Connection publisher(url), consumer(url);
  const bool has_queue = !k.queue_type.empty();
  if (has_queue) DeclareQueue(publisher, k, queue);
  if (k.confirms) {
    amqp_confirm_select(publisher.get(), 1);
    publisher.Check(amqp_get_rpc_reply(publisher.get()), "confirm.select");
  }
  const auto total = static_cast<std::uint64_t>(o.rate * o.seconds);
  LatencyRecorder latency(total);
  std::atomic<std::uint64_t> received{0};
  std::atomic<bool> stop{false};
  std::thread consuming;
  if (has_queue) {
    StartConsuming(consumer, k, queue);
    consuming = std::thread([&] { Consume(consumer, k, latency, received, stop); });
  }
  amqp_basic_properties_t props;
  props._flags = AMQP_BASIC_DELIVERY_MODE_FLAG;
  props.delivery_mode = k.persistent ? 2 : 1;
  std::string body(std::max<std::size_t>(o.body_bytes, 8), 'x');
  const std::string routing_key = has_queue ? queue : "bench.broker.nowhere";
  const double cpu_before = BrokerCpuSeconds();
  const std::int64_t start = NowNs() + 1'000'000;
  for (std::uint64_t i = 0; i < total; ++i) {
    const std::int64_t due =
        start + static_cast<std::int64_t>(static_cast<double>(i) * 1e9 / o.rate);
    SleepUntil(due);
    std::memcpy(body.data(), &due, sizeof due);
    if (amqp_basic_publish(publisher.get(), 1, amqp_empty_bytes, Bytes(routing_key), 0, 0, &props,
                           Bytes(body)) != AMQP_STATUS_OK) {
      throw std::runtime_error("publish failed");
    }
    if (k.confirms) DrainConfirms(publisher);
  }
  const std::int64_t deadline = NowNs() + 30'000'000'000;
  while (has_queue && received.load() < total && NowNs() < deadline) {
    if (k.confirms) DrainConfirms(publisher);
    SleepUntil(NowNs() + 1'000'000);
  }
  const double cpu = BrokerCpuSeconds() - cpu_before;
  const double elapsed = static_cast<double>(NowNs() - start) / 1e9;
  stop = true;
  if (consuming.joinable()) consuming.join();
  if (has_queue) amqp_queue_delete(publisher.get(), 1, Bytes(queue), 0, 0);
  latency.Finish();
  CaseResult r{k.name, total, has_queue ? received.load() : 0, cpu};
  r.us_per_message = total > 0 ? cpu / static_cast<double>(total) * 1e6 : 0;
  r.broker_pct = cpu / elapsed * 100;
  r.p50_ns = latency.Percentile(50);
  r.p99_ns = latency.Percentile(99);
  r.max_ns = latency.Max();
  std::cout << "  run " << run << " " << k.name << ": " << r.sent << " sent, " << r.received
            << " received; RabbitMQ " << Fixed(r.us_per_message, 1) << " us of CPU per message ("
            << Fixed(r.broker_pct, 0) << "% of a core)";
  if (has_queue) {
    std::cout << "; latency us p50 " << r.p50_ns / 1000 << " p99 " << r.p99_ns / 1000 << " max "
              << r.max_ns / 1000;
  }
  std::cout << std::endl;
  if (has_queue && r.received < r.sent) {
    throw std::runtime_error(k.name + ": " + std::to_string(r.sent - r.received) +
                             " messages did not arrive within 30 s");
  }
  return r;
}

nlohmann::json CaseJson(const BrokerCase& k, const std::vector<CaseResult>& runs) {
  nlohmann::json j;
  j["case"] = k.name;
  j["what"] = k.what;
  j["us_per_message"] = MedianOf(runs, [](const CaseResult& r) { return r.us_per_message; });
  j["broker_pct"] = MedianOf(runs, [](const CaseResult& r) { return r.broker_pct; });
  if (!k.queue_type.empty()) {
    j["latency_us"] = {{"p50", MedianOf(runs, [](const CaseResult& r) { return r.p50_ns / 1e3; })},
                       {"p99", MedianOf(runs, [](const CaseResult& r) { return r.p99_ns / 1e3; })},
                       {"max", MedianOf(runs, [](const CaseResult& r) { return r.max_ns / 1e3; })}};
  }
  j["runs"] = nlohmann::json::array();
  for (const CaseResult& r : runs)
    j["runs"].push_back({{"us_per_message", r.us_per_message},
                         {"p50_us", r.p50_ns / 1e3},
                         {"p99_us", r.p99_ns / 1e3},
                         {"sent", r.sent},
                         {"received", r.received}});
  return j;
}

void Run(Options o) {
  if (o.amqp_url.empty()) {
    const char* env = std::getenv("EXCHANGE_AMQP_URL");
    if (env == nullptr) throw std::runtime_error("no --amqp-url and no EXCHANGE_AMQP_URL");
    o.amqp_url = env;
  }
  if (testing::PidsNamed("beam.smp").empty()) {
    throw std::runtime_error("no beam.smp process visible: RabbitMQ's CPU cannot be measured here");
  }
  std::vector<BrokerCase> cases;
  for (const BrokerCase& k : AllCases()) {
    if (o.cases.empty() || std::find(o.cases.begin(), o.cases.end(), k.name) != o.cases.end())
      cases.push_back(k);
  }
  if (cases.empty()) throw std::runtime_error("no known case in --cases");
  std::cout << "broker: RabbitMQ alone, " << o.body_bytes << "-byte messages open loop at "
            << o.rate << "/s for " << o.seconds << " s per case, " << o.runs
            << " runs, cases interleaved" << std::endl;
  std::vector<std::vector<CaseResult>> results(cases.size());
  for (unsigned run = 1; run <= o.runs; ++run) {
    for (std::size_t c = 0; c < cases.size(); ++c)
      results[c].push_back(RunCase(o, cases[c], run));
  }
  nlohmann::json out{{"bench", "broker"},          {"rate", o.rate},
                     {"seconds", o.seconds},       {"runs", o.runs},
                     {"body_bytes", o.body_bytes}, {"cases", nlohmann::json::array()}};
  std::cout << "broker, medians of " << o.runs << " runs at " << o.rate << " messages/s:\n";
  for (std::size_t c = 0; c < cases.size(); ++c) {
    nlohmann::json j = CaseJson(cases[c], results[c]);
    std::cout << "  " << cases[c].name << ": " << Fixed(j["us_per_message"].get<double>(), 1)
              << " us of RabbitMQ CPU per message";
    if (j.contains("latency_us")) {
      std::cout << ", latency us p50 " << Fixed(j["latency_us"]["p50"].get<double>(), 0) << " p99 "
                << Fixed(j["latency_us"]["p99"].get<double>(), 0);
    }
    std::cout << "  (" << cases[c].what << ")\n";
    out["cases"].push_back(std::move(j));
  }
  EmitJson(out, o.json_file);
}

}  // namespace

void AddBrokerBenchCommand(CLI::App& app) {
  auto options = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "broker",
      "RabbitMQ's own cost per message (CPU and latency) by queue type and delivery mode, with "
      "nothing of the exchange on the path: the floor under every leg");
  cmd->add_option("--rate", options->rate, "Messages per second, open loop")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--seconds", options->seconds, "Seconds per case")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--runs", options->runs, "Runs (every case once per run); medians reported")
      ->capture_default_str()
      ->check(CLI::Range(1u, 100u));
  cmd->add_option("--body-bytes", options->body_bytes, "Message body size (at least 8)")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{8}, std::size_t{1} << 20));
  cmd->add_option("--cases", options->cases,
                  "Cases to run (default all): nowhere transient classic classic-v2 quorum stream");
  cmd->add_option("--amqp-url", options->amqp_url, "RabbitMQ URL (default: EXCHANGE_AMQP_URL)");
  cmd->add_option("--json", options->json_file, "Also write the JSON result to this file");
  cmd->callback([options] { Run(*options); });
}

}  // namespace exchange::bench
