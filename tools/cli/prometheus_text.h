// A parser of the Prometheus text exposition format (version 0.0.4), what the
// engine service serves at /metrics, for `exchange-cli status`:
//   # HELP / # TYPE / other comments      skipped
//   name{label="value",...} value [timestamp]
// Values are floats, including +Inf, -Inf and NaN. Label values may hold
// escaped \\ \" \n. A malformed line is reported with its number and skipped;
// the other lines are still parsed.
//
// Plain functions and values: any thread.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace exchange::cli {

struct MetricSample {
  std::string name;
  std::vector<std::pair<std::string, std::string>> labels;  // as written, values unescaped
  double value = 0;
  std::string value_text;  // the value as written, e.g. "+Inf"

  // name{a="x",b="y"} (labels in the order written, values escaped again), or
  // just the name when there are no labels.
  std::string Key() const;
  // The value of label `name`; empty when absent.
  std::string Label(std::string_view name) const;
};

struct MetricsLineError {
  std::size_t line = 0;  // from 1
  std::string reason;
};

struct ParsedMetrics {
  std::vector<MetricSample> samples;  // in the order written
  std::vector<MetricsLineError> errors;
};

ParsedMetrics ParsePrometheusText(std::string_view text);

// A sample value as text: integral values without a fraction ("12345"),
// others as written.
std::string FormatMetricValue(const MetricSample& sample);

}  // namespace exchange::cli
