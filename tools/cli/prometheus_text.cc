#include "tools/cli/prometheus_text.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <optional>

namespace exchange::cli {

namespace {

bool IsBlank(char c) {
  return c == ' ' || c == '\t';
}
bool IsNameStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
}
bool IsNameChar(char c) {
  return IsNameStart(c) || (c >= '0' && c <= '9');
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const char x = (a[i] >= 'A' && a[i] <= 'Z') ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
    if (x != b[i]) return false;
  }
  return true;
}

// A float as Prometheus writes it (Go's ParseFloat): decimal or exponent
// notation, an optional sign, Inf/+Inf/-Inf and NaN in any case.
std::optional<double> ParseValue(std::string_view s) {
  if (s.empty()) return std::nullopt;
  bool negative = false;
  std::string_view rest = s;
  if (rest.front() == '+' || rest.front() == '-') {
    negative = rest.front() == '-';
    rest.remove_prefix(1);
  }
  if (EqualsIgnoreCase(rest, "inf") || EqualsIgnoreCase(rest, "infinity")) {
    const double inf = std::numeric_limits<double>::infinity();
    return negative ? -inf : inf;
  }
  if (EqualsIgnoreCase(rest, "nan")) return std::numeric_limits<double>::quiet_NaN();
  if (rest.empty() || rest.front() == '+' || rest.front() == '-') return std::nullopt;
  double v = 0;
  const auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), v);
  if (ec != std::errc() || end != rest.data() + rest.size()) return std::nullopt;
  if (!std::isfinite(v)) return std::nullopt;  // "1e999": out of range
  return negative ? -v : v;
}

bool IsInteger(std::string_view s) {
  if (!s.empty() && s.front() == '-') s.remove_prefix(1);
  if (s.empty()) return false;
  for (const char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

// Reads one line; throws nothing, reports the first problem in `error`.
class LineReader {
 public:
  explicit LineReader(std::string_view line) : s_(line) {}

  std::optional<MetricSample> Read(std::string& error) {
    MetricSample m;
    SkipBlanks();
    m.name = Name(IsNameStart, "metric name");
    if (m.name.empty()) return Fail(error);
    std::size_t mark = pos_;
    SkipBlanks();
    if (Peek() == '{') {
      if (!Labels(m)) return Fail(error);
      mark = pos_;
      SkipBlanks();
    }
    if (pos_ == s_.size()) return Fail(error, "missing value");
    if (pos_ == mark) {
      return Fail(error, "unexpected '" + std::string(1, s_[pos_]) + "' at column " +
                             std::to_string(pos_ + 1) + " (expected a space before the value)");
    }
    m.value_text = std::string(Token());
    if (m.value_text.empty()) return Fail(error, "missing value");
    const std::optional<double> v = ParseValue(m.value_text);
    if (!v) return Fail(error, "value '" + m.value_text + "' is not a number");
    m.value = *v;
    SkipBlanks();
    const std::string_view timestamp = Token();
    if (!timestamp.empty() && !IsInteger(timestamp)) {
      return Fail(error, "timestamp '" + std::string(timestamp) + "' is not an integer");
    }
    SkipBlanks();
    if (pos_ != s_.size()) return Fail(error, "unexpected text after the value");
    return m;
  }

 private:
  char Peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }
  void SkipBlanks() {
    while (pos_ < s_.size() && IsBlank(s_[pos_]))
      ++pos_;
  }
  std::string_view Token() {
    const std::size_t start = pos_;
    while (pos_ < s_.size() && !IsBlank(s_[pos_]))
      ++pos_;
    return s_.substr(start, pos_ - start);
  }
  std::string Name(bool (*start_ok)(char), const char* what) {
    const std::size_t start = pos_;
    if (!start_ok(Peek())) {
      problem_ = std::string("expected a ") + what + " at column " + std::to_string(pos_ + 1);
      return std::string();
    }
    while (pos_ < s_.size() && IsNameChar(s_[pos_]))
      ++pos_;
    return std::string(s_.substr(start, pos_ - start));
  }

  // {name="value",...} with an optional trailing comma; `pos_` at '{'.
  bool Labels(MetricSample& m) {
    ++pos_;
    while (true) {
      SkipBlanks();
      if (Peek() == '}') break;
      std::string name = Name([](char c) { return IsNameStart(c) && c != ':'; }, "label name");
      if (name.empty()) return false;
      SkipBlanks();
      if (Peek() != '=') return Problem("expected '=' after label " + name);
      ++pos_;
      SkipBlanks();
      std::string value;
      if (!QuotedValue(name, value)) return false;
      m.labels.emplace_back(std::move(name), std::move(value));
      SkipBlanks();
      if (Peek() == ',') {
        ++pos_;
        continue;
      }
      if (Peek() != '}') return Problem("expected ',' or '}' after label " + m.labels.back().first);
    }
    ++pos_;
    return true;
  }

  bool QuotedValue(const std::string& label, std::string& value) {
    if (Peek() != '"') return Problem("label " + label + ": value must be in double quotes");
    ++pos_;
    while (pos_ < s_.size() && s_[pos_] != '"') {
      char c = s_[pos_++];
      if (c == '\\') {
        if (pos_ >= s_.size()) break;
        const char e = s_[pos_++];
        if (e == 'n') {
          c = '\n';
        } else if (e == '\\' || e == '"') {
          c = e;
        } else {
          return Problem("label " + label + ": unknown escape '\\" + std::string(1, e) + "'");
        }
      }
      value.push_back(c);
    }
    if (pos_ >= s_.size()) return Problem("label " + label + ": unterminated value");
    ++pos_;
    return true;
  }

  bool Problem(std::string what) {
    problem_ = std::move(what);
    return false;
  }
  std::optional<MetricSample> Fail(std::string& error, std::string what = std::string()) {
    error = what.empty() ? problem_ : std::move(what);
    return std::nullopt;
  }

  std::string_view s_;
  std::size_t pos_ = 0;
  std::string problem_;
};

std::string Escape(const std::string& value) {
  std::string out;
  for (const char c : value) {
    if (c == '\\' || c == '"') {
      out.push_back('\\');
      out.push_back(c);
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace

std::string MetricSample::Key() const {
  if (labels.empty()) return name;
  std::string key = name + "{";
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) key += ",";
    key += labels[i].first + "=\"" + Escape(labels[i].second) + "\"";
  }
  return key + "}";
}

std::string MetricSample::Label(std::string_view label) const {
  for (const auto& [k, v] : labels)
    if (k == label) return v;
  return std::string();
}

ParsedMetrics ParsePrometheusText(std::string_view text) {
  ParsedMetrics parsed;
  std::size_t number = 0;
  while (!text.empty()) {
    const std::size_t eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
    ++number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    std::size_t first = 0;
    while (first < line.size() && IsBlank(line[first]))
      ++first;
    if (first == line.size() || line[first] == '#') continue;
    std::string error;
    if (std::optional<MetricSample> m = LineReader(line).Read(error)) {
      parsed.samples.push_back(std::move(*m));
    } else {
      parsed.errors.push_back(MetricsLineError{number, error});
    }
  }
  return parsed;
}

std::string FormatMetricValue(const MetricSample& m) {
  const double v = m.value;
  if (std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 9.0e15) {
    return std::to_string(static_cast<long long>(v));
  }
  return m.value_text;
}

}  // namespace exchange::cli
