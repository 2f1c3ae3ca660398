#include "bench/e2e/runs.h"

#include <sys/prctl.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <optional>
#include <span>
#include <stdexcept>

#include "bench/bench_clock.h"
#include "bench/e2e/event_consumer.h"
#include "bench/e2e/producer.h"
#include "bench/e2e/run_environment.h"
#include "bench/e2e/watchdog.h"
#include "bench/latency_recorder.h"
#include "bench/latency_report.h"
#include "bench/run_summary.h"

namespace exchange::bench::e2e {

namespace {

// The open-loop run's figures from the consumer's receipts: the latency of
// every order sent after the warm-up, from its message's scheduled time to
// the receipt of its first ACCEPTED/REJECTED event, and where it went.
template <typename Scheduled>
void MeasureOpenLoop(const Options& o, Scheduled scheduled, std::uint64_t messages,
                     std::uint64_t first_measured_message, const std::vector<std::int64_t>& sent,
                     std::int64_t last_send, const EventConsumer& consumer, RunResult& r) {
  const auto& receipts = consumer.receipts();
  const std::int64_t last_scheduled = scheduled(messages - 1);
  r.drain_ms =
      static_cast<double>(*std::max_element(receipts.begin(), receipts.end()) - last_scheduled) /
      1e6;
  r.send_behind_ms = static_cast<double>(last_send - last_scheduled) / 1e6;
  const auto& stamps = consumer.stamps();
  const std::int64_t wall_minus_steady = WallNs() - NowNs();
  const auto measured = static_cast<std::size_t>((messages - first_measured_message) * o.batch);
  LatencyRecorder latency(measured), send(measured), to_ingest(measured), after_ingest(measured);
  const std::int64_t measured_start = scheduled(first_measured_message);
  LatencyTimeline timeline(last_scheduled - measured_start, measured);
  for (std::uint64_t k = first_measured_message; k < messages; ++k) {
    for (std::size_t j = 0; j < o.batch; ++j) {
      const std::uint64_t id = 2 + k * o.batch + j;
      const std::int64_t got = receipts[id];
      if (got == 0) {
        ++r.missing;
        continue;
      }
      latency.Record(got - scheduled(k));
      timeline.Record(scheduled(k) - measured_start, got - scheduled(k));
      send.Record(sent[k] - scheduled(k));
      const std::int64_t ingest = stamps[id] - wall_minus_steady;
      to_ingest.Record(ingest - sent[k]);
      after_ingest.Record(got - ingest);
    }
  }
  for (LatencyRecorder* l : {&latency, &send, &to_ingest, &after_ingest})
    l->Finish();
  r.latency_trace = timeline.Finish(latency);
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
}

}  // namespace

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

  MeasureOpenLoop(o, scheduled, messages, first_measured_message, sent, last_send, consumer, r);
  // Kept up: everything answered, and within a second of the last send.
  r.kept_up = complete && r.missing == 0 && r.drain_ms <= 1000;
  return r;
}

}  // namespace exchange::bench::e2e
