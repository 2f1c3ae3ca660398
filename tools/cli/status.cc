#include "tools/cli/status.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iomanip>
#include <sstream>

#include "amqp/amqp_client.h"
#include "amqp/topology.h"
#include "tools/cli/cli_error.h"
#include "tools/cli/http_get.h"

namespace exchange::cli {

namespace {

constexpr std::string_view kEnginePrefix = "exchange_engine_";
constexpr std::string_view kUpMetric = "exchange_engine_up";
constexpr std::string_view kQueueMetric = "rabbitmq_queue_messages_ready";
constexpr int kTitleWidth = 36;

struct KnownMetric {
  std::string_view name;
  std::string_view title;
};

// The summary's lines, in this order.
constexpr KnownMetric kKnown[] = {
    {"exchange_engine_up", "up"},
    {"exchange_engine_sequence", "engine sequence"},
    {"exchange_engine_journal_index", "journal index"},
    {"exchange_engine_published_up_to", "published up to"},
    {"exchange_engine_sink_sequence", "sink sequence"},
    {"exchange_engine_sink_lag", "sink lag"},
    {"exchange_engine_commands_total", "commands"},
    {"exchange_engine_amqp_connected", "amqp connected"},
    {kQueueMetric, "queue ready"},
};

bool IsKnown(std::string_view name) {
  return std::any_of(std::begin(kKnown), std::end(kKnown),
                     [&](const KnownMetric& k) { return k.name == name; });
}

bool IsEngineMetric(std::string_view name) {
  return name.substr(0, kEnginePrefix.size()) == kEnginePrefix;
}

// "sink=redis" or "a=x,b=y"; empty without labels.
std::string LabelText(const MetricSample& m) {
  std::string text;
  for (const auto& [k, v] : m.labels) {
    if (!text.empty()) text += ",";
    text += k + "=" + v;
  }
  return text;
}

void Line(std::ostream& out, const std::string& title, const std::string& value) {
  out << "  " << std::left << std::setw(kTitleWidth) << title << ' ' << value << '\n';
}

std::string Number(double v) {
  MetricSample m;
  m.value = v;
  std::ostringstream text;
  text << std::setprecision(17) << v;
  m.value_text = text.str();
  return FormatMetricValue(m);
}

std::string UpText(const std::vector<MetricSample>& samples) {
  const std::optional<double> up = EngineUp(samples);
  if (!up) return "UNKNOWN (no exchange_engine_up metric)";
  return *up == 1 ? "UP" : "DOWN (exchange_engine_up " + Number(*up) + ")";
}

std::optional<double> Value(const std::vector<MetricSample>& samples, std::string_view name) {
  for (const MetricSample& m : samples)
    if (m.name == name && m.labels.empty()) return m.value;
  return std::nullopt;
}

}  // namespace

Endpoint ParseEndpoint(std::string_view text) {
  const std::string original(text);
  if (text.substr(0, 7) == "http://") text.remove_prefix(7);
  if (!text.empty() && text.back() == '/') text.remove_suffix(1);
  const std::size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == text.size()) {
    throw CliError(kExitBadInput, "--metrics '" + original + "': expected HOST:PORT");
  }
  Endpoint e;
  e.host = std::string(text.substr(0, colon));
  e.port = std::string(text.substr(colon + 1));
  if (e.host.size() > 2 && e.host.front() == '[' && e.host.back() == ']') {
    e.host = e.host.substr(1, e.host.size() - 2);
  }
  if (e.port.find_first_not_of("0123456789") != std::string::npos || e.port.size() > 5 ||
      std::stoi(e.port) == 0 || std::stoi(e.port) > 65535) {
    throw CliError(kExitBadInput, "--metrics '" + original + "': port '" + e.port +
                                      "' is not a number from 1 to 65535");
  }
  return e;
}

std::optional<double> EngineUp(const std::vector<MetricSample>& samples) {
  return Value(samples, kUpMetric);
}

std::string FormatStatusText(const std::string& where, const std::vector<MetricSample>& samples,
                             bool all) {
  std::ostringstream out;
  out << "engine service at " << where << ": " << UpText(samples) << '\n';
  for (const KnownMetric& known : kKnown) {
    if (known.name == kUpMetric) continue;
    for (const MetricSample& m : samples) {
      if (m.name != known.name) continue;
      const std::string labels = LabelText(m);
      Line(out, std::string(known.title) + (labels.empty() ? "" : " " + labels),
           FormatMetricValue(m));
    }
  }
  const std::optional<double> sequence = Value(samples, "exchange_engine_sequence");
  const std::optional<double> published = Value(samples, "exchange_engine_published_up_to");
  if (sequence && published && std::isfinite(*sequence - *published)) {
    Line(out, "events not yet published", Number(*sequence - *published));
  }
  bool header = false;
  for (const MetricSample& m : samples) {
    if (IsKnown(m.name)) continue;
    if (!all && !IsEngineMetric(m.name)) continue;
    if (!header) {
      out << (all ? "other metrics:\n" : "other engine metrics:\n");
      header = true;
    }
    Line(out, m.Key(), FormatMetricValue(m));
  }
  return out.str();
}

nlohmann::ordered_json StatusJson(const std::vector<MetricSample>& samples, bool all) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  for (const MetricSample& m : samples) {
    if (!all && !IsEngineMetric(m.name) && m.name != kQueueMetric) continue;
    if (std::isfinite(m.value) && m.value == std::floor(m.value) && std::fabs(m.value) < 9.0e15) {
      j[m.Key()] = static_cast<std::int64_t>(m.value);
    } else if (std::isfinite(m.value)) {
      j[m.Key()] = m.value;
    } else {
      j[m.Key()] = m.value_text;
    }
  }
  return j;
}

int RunStatus(const StatusOptions& o, std::ostream& out, std::ostream& err) {
  const Endpoint endpoint = ParseEndpoint(o.metrics);
  const std::string where = endpoint.host + ":" + endpoint.port;
  HttpResponse response;
  try {
    response = HttpGet(endpoint.host, endpoint.port, "/metrics", o.timeout);
  } catch (const HttpError& e) {
    err << "engine service not reachable at " << where << ": " << e.what() << '\n';
    return kExitFailure;
  }
  if (response.status != 200) {
    err << "engine service at " << where << " answered HTTP " << response.status << ' '
        << response.reason << " for /metrics\n";
    return kExitFailure;
  }
  ParsedMetrics parsed = ParsePrometheusText(response.body);
  for (const MetricsLineError& e : parsed.errors) {
    err << "status: skipped malformed metrics line " << e.line << ": " << e.reason << '\n';
  }
  if (o.queue) {
    const std::string queue = topology::ShardQueue(o.shard);
    std::uint64_t depth = 0;
    try {
      amqp::AmqpClient client(amqp::ParseUrl(o.amqp_url));
      depth = client.QueueDepth(queue);
    } catch (const amqp::AmqpError& e) {
      throw CliError(kExitFailure, "queue depth of " + queue + ": " + e.what());
    }
    MetricSample m;
    m.name = std::string(kQueueMetric);
    m.labels = {{"queue", queue}};
    m.value = static_cast<double>(depth);
    m.value_text = std::to_string(depth);
    parsed.samples.push_back(std::move(m));
  }
  if (o.json) {
    out << StatusJson(parsed.samples, o.all).dump() << '\n';
  } else {
    out << FormatStatusText(where, parsed.samples, o.all);
  }
  const std::optional<double> up = EngineUp(parsed.samples);
  return up && *up == 0 ? kExitFailure : 0;
}

}  // namespace exchange::cli
