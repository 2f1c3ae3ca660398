#include "bench/e2e/report.h"

#include <cmath>
#include <iostream>

#include "bench/run_summary.h"

namespace exchange::bench::e2e {

std::string RssText(bool known, double start, double max, double end, bool relay) {
  if (relay) return "no engine RSS (relay)";
  if (!known) return "engine RSS unknown";
  return "engine RSS MB start " + Fixed(start, 1) + " max " + Fixed(max, 1) + " end " +
         Fixed(end, 1);
}

namespace {

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

}  // namespace

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

namespace {

// The medians of the engine's RSS over the runs that know it.
struct MedianRss {
  std::vector<RunResult> runs;  // those that know it
  bool known = false;
  double start = 0, max = 0, end = 0;
};

MedianRss MedianRssOf(const std::vector<RunResult>& runs) {
  MedianRss rss;
  for (const auto& r : runs)
    if (r.rss.known) rss.runs.push_back(r);
  rss.known = !rss.runs.empty();
  rss.start = MedianOf(rss.runs, [](auto& r) { return r.rss.start; });
  rss.max = MedianOf(rss.runs, [](auto& r) { return r.rss.max; });
  rss.end = MedianOf(rss.runs, [](auto& r) { return r.rss.end; });
  return rss;
}

void SummarizeThroughput(const Options& o, const ThroughputFlow& flow,
                         const std::vector<RunResult>& runs, const MedianRss& rss,
                         nlohmann::json& out, nlohmann::json& med) {
  auto m = [&](auto field) { return MedianOf(runs, field); };
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
            << RssText(rss.known, rss.start, rss.max, rss.end, o.relay) << "\n";
}

void SummarizeOpenLoop(const Options& o, Mode mode, const std::vector<RunResult>& runs,
                       const MedianRss& rss, nlohmann::json& out, nlohmann::json& med) {
  auto m = [&](auto field) { return MedianOf(runs, field); };
  const std::string stage = o.relay ? "relay" : "engine ingest";
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
            << " runs\n  " << RssText(rss.known, rss.start, rss.max, rss.end, o.relay);
  if (mode == Mode::kSoak && rss.known) {
    const double growth = MedianOf(rss.runs, [](auto& r) { return r.rss.second_half_growth; });
    med["rss_mb"]["second_half_growth"] = growth;
    std::cout << "; " << Fixed(growth, 1) << " MB growth over the second half";
  }
  std::cout << "\n";
}

}  // namespace

nlohmann::json Summarize(const Options& o, Mode mode, const std::string& flow_name,
                         const ThroughputFlow& flow, const std::vector<RunResult>& runs) {
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
  const MedianRss rss = MedianRssOf(runs);
  med["rss_mb"] = rss.known
                      ? nlohmann::json{{"start", rss.start}, {"max", rss.max}, {"end", rss.end}}
                      : nlohmann::json(nullptr);
  med["event_records"] = m([](auto& r) { return r.event_records; });
  med["event_messages"] = m([](auto& r) { return r.event_messages; });

  std::cout << "e2e " << ModeName(mode) << (o.relay ? ", relay (no engine)" : "") << ", median of "
            << runs.size() << " runs\n";
  if (mode == Mode::kThroughput) {
    SummarizeThroughput(o, flow, runs, rss, out, med);
  } else {
    SummarizeOpenLoop(o, mode, runs, rss, out, med);
  }
  out["median"] = med;
  for (const auto& r : runs)
    out["runs"].push_back(RunJson(r, mode));
  return out;
}

}  // namespace exchange::bench::e2e
