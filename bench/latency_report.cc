#include "bench/latency_report.h"

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench/run_summary.h"
#include "testing/child_process.h"

namespace exchange::bench {

namespace {

constexpr double kFirstInverseTail = 2;      // p50
constexpr double kLastInverseTail = 10'000;  // p99.99
constexpr int kCurvePointsPerDecade = 100;   // of 1/(1-p)
constexpr std::chrono::seconds kGnuplotTimeout{120};
// One colour per run (cycled), for the curve, the line and the dots.
const char* const kRunColours[] = {"1f77b4", "d62728", "2ca02c", "ff7f0e",
                                   "9467bd", "8c564b", "e377c2", "17becf"};

double Microseconds(std::int64_t ns) {
  // A log scale has no 0: a latency below a nanosecond is drawn at 1 ns.
  return static_cast<double>(std::max<std::int64_t>(ns, 1)) / 1e3;
}

}  // namespace

std::vector<PercentilePoint> PercentileCurve(const LatencyRecorder& finished) {
  std::vector<PercentilePoint> curve;
  if (finished.count() == 0) return curve;
  const double decades = std::log10(kLastInverseTail / kFirstInverseTail);
  const int steps = static_cast<int>(std::ceil(decades * kCurvePointsPerDecade));
  for (int i = 0; i <= steps; ++i) {
    const double inverse_tail =
        kFirstInverseTail * std::pow(10.0, decades * static_cast<double>(i) / steps);
    const double percentile = 100.0 * (1.0 - 1.0 / inverse_tail);
    curve.push_back({inverse_tail, Microseconds(finished.Percentile(percentile))});
  }
  return curve;
}

LatencyTimeline::LatencyTimeline(std::int64_t span_ns, std::uint64_t orders)
    : span_ns_(std::max<std::int64_t>(span_ns, 1)),
      decimated_(orders > kMaxPoints),
      buckets_(static_cast<std::size_t>(std::clamp<std::uint64_t>(orders, 1, kMaxPoints))) {}

void LatencyTimeline::Record(std::int64_t since_start_ns, std::int64_t latency_ns) {
  const auto at = std::clamp<std::int64_t>(since_start_ns, 0, span_ns_);
  // at * buckets / (span + 1), in floating point: at * buckets overflows.
  const auto index =
      static_cast<std::size_t>(static_cast<double>(at) * static_cast<double>(buckets_.size()) /
                               (static_cast<double>(span_ns_) + 1));
  Bucket& b = buckets_[std::min(index, buckets_.size() - 1)];
  if (latency_ns > b.latency_ns) b = {since_start_ns, latency_ns};
}

LatencyTrace LatencyTimeline::Finish(const LatencyRecorder& finished) const {
  LatencyTrace trace;
  trace.samples = finished.count();
  trace.p50_us = Microseconds(finished.Percentile(50));
  trace.p99_us = Microseconds(finished.Percentile(99));
  trace.max_us = Microseconds(finished.Max());
  trace.percentiles = PercentileCurve(finished);
  for (const Bucket& b : buckets_) {
    if (b.latency_ns < 0) continue;
    trace.over_time.push_back(
        {static_cast<double>(b.since_start_ns) / 1e9, Microseconds(b.latency_ns)});
  }
  trace.bucket_us =
      decimated_ ? static_cast<double>(span_ns_) / 1e3 / static_cast<double>(buckets_.size()) : 0;
  return trace;
}

namespace {

// Where one benchmark's pictures go: beside its JSON file.
struct PicturePaths {
  std::string data, script, percentiles, over_time, log;

  explicit PicturePaths(const std::string& json_file) {
    std::string stem = json_file;
    if (stem.size() > 5 && stem.ends_with(".json")) stem.resize(stem.size() - 5);
    data = stem + "-latency.dat";
    script = stem + "-latency.gp";
    percentiles = stem + "-percentiles.png";
    over_time = stem + "-over-time.png";
    log = stem + "-latency.gnuplot.log";
  }
};

// The executable `name` in a folder of $PATH, or nullopt.
std::optional<std::string> FindOnPath(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::stringstream folders(path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin");
  for (std::string folder; std::getline(folders, folder, ':');) {
    const std::string candidate = (folder.empty() ? "." : folder) + "/" + name;
    struct stat st {};
    if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
        ::access(candidate.c_str(), X_OK) == 0) {
      return candidate;
    }
  }
  return std::nullopt;
}

// `s` as a gnuplot double-quoted string ("\n" starts a new line).
std::string Quoted(const std::string& s) {
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c == '\n' ? std::string("\\n") : std::string(1, c);
  }
  return out + "\"";
}

std::string AbsolutePath(const std::string& path) {
  std::error_code ec;
  const auto absolute = std::filesystem::absolute(path, ec);
  return ec ? path : absolute.lexically_normal().string();
}

// What both pictures are drawn from.
struct Pictures {
  PicturePaths paths;
  std::string title;
  std::vector<NamedTrace> runs;  // each with samples
  double line_window_s = 0;      // the over-time line: the max per this many seconds
};

// The over-time line's window: 10 ms, or when that would draw more than
// kMaxLineWindows of them over the longest run, the first of 20 ms, 50 ms,
// 100 ms, 200 ms, ... that does not (a line of ten thousand zigzags across a
// picture 1200 pixels wide is a band, not a line).
double LineWindowSeconds(const std::vector<NamedTrace>& runs) {
  constexpr double kMaxLineWindows = 1500;
  double span_s = 0;
  for (const NamedTrace& run : runs)
    if (!run.trace->over_time.empty())
      span_s = std::max(span_s, run.trace->over_time.back().seconds);
  for (double window = 0.010;; window *= 10) {
    for (const double step : {1.0, 2.0, 5.0})
      if (span_s / (window * step) <= kMaxLineWindows) return window * step;
  }
}

// "10 ms", "200 ms", "2 s".
std::string WindowText(double seconds) {
  return seconds < 1 ? Fixed(seconds * 1e3, 0) + " ms" : Fixed(seconds, 0) + " s";
}

// The largest latency of each `window` seconds (from 0): the line of the
// over-time picture.
std::vector<TimePoint> MaxPerWindow(const std::vector<TimePoint>& points, double window) {
  std::vector<TimePoint> line;
  std::int64_t current = -1;
  for (const TimePoint& p : points) {
    const auto w = static_cast<std::int64_t>(std::floor(p.seconds / window));
    if (w != current) {
      line.push_back({static_cast<double>(w) * window, p.latency_us});
      current = w;
    } else {
      line.back().latency_us = std::max(line.back().latency_us, p.latency_us);
    }
  }
  return line;
}

void CheckWritten(std::ofstream& out, const std::string& path) {
  out.flush();
  if (!out) throw std::runtime_error("cannot write " + path + ": " + std::strerror(errno));
}

// The data file: per run, three blocks (gnuplot's `index`), separated by two
// blank lines: 3i the percentile curve, 3i+1 the latencies over time, 3i+2
// the maximum per line window.
void WriteData(const Pictures& pictures) {
  const std::string& path = pictures.paths.data;
  const std::string window = WindowText(pictures.line_window_s);
  std::ofstream out(path);
  if (!out) throw std::runtime_error("cannot create " + path + ": " + std::strerror(errno));
  out << "# " << pictures.title << "\n# latency data of exchange-bench, drawn by "
      << pictures.paths.script << "; per run, three blocks (gnuplot index 3i, 3i+1, 3i+2):\n"
      << "#   percentiles: 1/(1-p)  percentile_%  latency_us\n"
      << "#   over time:   seconds_since_measured_start  latency_us  (each order, or the max "
         "of its bucket when decimated)\n"
      << "#   max per " << window << ": window_start_seconds  max_latency_us\n"
      << std::setprecision(9);
  for (const NamedTrace& run : pictures.runs) {
    const LatencyTrace& t = *run.trace;
    // Two blank lines end a block; none before the first (index 0).
    out << (&run == &pictures.runs.front() ? "" : "\n\n") << "# " << run.name << ": percentiles of "
        << t.samples << " orders\n";
    for (const PercentilePoint& p : t.percentiles)
      out << p.inverse_tail << " " << 100.0 * (1.0 - 1.0 / p.inverse_tail) << " " << p.latency_us
          << "\n";
    out << "\n\n# " << run.name << ": over time"
        << (t.bucket_us > 0 ? ", max per " + Fixed(t.bucket_us, 1) + " us bucket" : "") << "\n";
    for (const TimePoint& p : t.over_time)
      out << p.seconds << " " << p.latency_us << "\n";
    out << "\n\n# " << run.name << ": max per " << window << "\n";
    for (const TimePoint& p : MaxPerWindow(t.over_time, pictures.line_window_s))
      out << p.seconds << " " << p.latency_us << "\n";
  }
  CheckWritten(out, path);
}

std::string RunColour(std::size_t i, const char* alpha = "") {
  return Quoted(std::string("#") + alpha + kRunColours[i % std::size(kRunColours)]);
}

// "run 1: 3000 orders, p50 4116 us, p99 17036 us, max 21668 us".
std::string CurveTitle(const NamedTrace& run) {
  const LatencyTrace& t = *run.trace;
  return run.name + ": " + std::to_string(t.samples) + " orders, p50 " + Fixed(t.p50_us, 0) +
         " us, p99 " + Fixed(t.p99_us, 0) + " us, max " + Fixed(t.max_us, 0) + " us";
}

void WritePercentilePlot(std::ostream& gp, const Pictures& pictures) {
  gp << "set output " << Quoted(AbsolutePath(pictures.paths.percentiles)) << "\n"
     << "set title "
     << Quoted(pictures.title + "\nlatency by percentile (from each order's due time)")
     << "\nset logscale xy\nset xrange [" << kFirstInverseTail << ":" << kLastInverseTail
     << "]\n"
     // (A tic label is a format: "%%" is a percent sign.)
     << "set xtics (\"50%%\" 2, \"90%%\" 10, \"99%%\" 100, \"99.9%%\" 1000, \"99.99%%\" 10000)\n"
     << "set xlabel \"percentile\"\nset ylabel \"latency (microseconds, log scale)\"\n"
     << "set format y \"%.10g\"\nset grid xtics ytics mytics\nset key top left box opaque\nplot";
  for (std::size_t i = 0; i < pictures.runs.size(); ++i) {
    gp << (i == 0 ? " " : ", \\\n     ") << "data index " << 3 * i
       << " using 1:3 with lines linewidth 2 linecolor rgb " << RunColour(i) << " title "
       << Quoted(CurveTitle(pictures.runs[i]));
  }
  gp << "\n";
}

// "each order (dots)", or "the slowest order of each 500 us (dots)" when
// decimated.
std::string DotsText(const std::vector<NamedTrace>& runs) {
  double bucket_us = 0;
  for (const NamedTrace& run : runs)
    bucket_us = std::max(bucket_us, run.trace->bucket_us);
  return bucket_us > 0 ? "the slowest order of each " + Fixed(bucket_us, 0) + " us (dots)"
                       : "each order (dots)";
}

// Every run's dots first, then every run's line on top (so that no run's
// dots hide another's stall); the key names each run once.
void WriteOverTimePlot(std::ostream& gp, const Pictures& pictures) {
  const auto& runs = pictures.runs;
  gp << "set output " << Quoted(AbsolutePath(pictures.paths.over_time)) << "\n"
     << "set title "
     << Quoted(pictures.title + "\nlatency by due time: " + DotsText(runs) + " and the max per " +
               WindowText(pictures.line_window_s) + " (lines)")
     << "\nunset logscale x\nset xrange [0:*]\nunset xtics\nset xtics\n"
     << "set xlabel \"seconds since the measured start (the order's due time)\"\n"
     << "set ylabel \"latency (microseconds, log scale)\"\nset logscale y\n"
     << "set grid xtics ytics mytics\nset bmargin 6\n"
     << "set key at screen 0.5, screen 0.01 center bottom horizontal box\nplot";
  for (std::size_t i = 0; i < runs.size(); ++i) {
    gp << (i == 0 ? " " : ", \\\n     ") << "data index " << 3 * i + 1
       << " using 1:2 with points pointtype 7 pointsize 0.3 linecolor rgb " << RunColour(i, "b0")
       << " notitle";
  }
  for (std::size_t i = 0; i < runs.size(); ++i) {
    gp << ", \\\n     data index " << 3 * i + 2
       << " using 1:2 with lines linewidth 1.5 linecolor rgb " << RunColour(i) << " notitle";
  }
  for (std::size_t i = 0; i < runs.size(); ++i) {
    gp << ", \\\n     keyentry with linespoints pointtype 7 linewidth 1.5 linecolor rgb "
       << RunColour(i) << " title " << Quoted(runs[i].name);
  }
  gp << "\n";
}

void WriteScript(const Pictures& pictures) {
  const std::string& path = pictures.paths.script;
  std::ofstream gp(path);
  if (!gp) throw std::runtime_error("cannot create " + path + ": " + std::strerror(errno));
  gp << "# The latency pictures of exchange-bench (" << pictures.title
     << "), from the data beside it.\n# Re-render: gnuplot " << path << "\n"
     << "data = " << Quoted(AbsolutePath(pictures.paths.data)) << "\n"
     << "if (strstrt(GPVAL_TERMINALS, \"pngcairo\") > 0) {\n"
     << "  set terminal pngcairo size 1280,800 font \"sans,11\" noenhanced\n"
     << "} else {\n  set terminal png size 1280,800 noenhanced\n}\n";
  WritePercentilePlot(gp, pictures);
  WriteOverTimePlot(gp, pictures);
  gp << "unset output\n";
  CheckWritten(gp, path);
}

// The last non-empty line of a file ("" when none).
std::string LastLine(const std::string& path) {
  std::ifstream in(path);
  std::string last;
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) last = line;
  return last;
}

// Runs gnuplot on the script; throws with what went wrong. Returns what
// gnuplot said (warnings) as " (gnuplot's warnings: <file>)", or "".
std::string Render(const std::string& gnuplot, const PicturePaths& paths) {
  std::error_code ec;
  for (const std::string& png : {paths.percentiles, paths.over_time})
    std::filesystem::remove(png, ec);  // a picture of an earlier run is not this one's
  testing::ChildOptions options;
  options.path = gnuplot;
  options.args = {gnuplot, paths.script};
  options.output_file = paths.log;
  options.null_stdin = true;
  options.die_with_parent = true;
  testing::ChildProcess child(options);
  const std::optional<int> status = child.WaitFor(kGnuplotTimeout);
  if (!status) {
    child.SignalAndWait(SIGKILL);
    throw std::runtime_error("gnuplot did not finish within " +
                             std::to_string(kGnuplotTimeout.count()) + " s (killed)");
  }
  if (!WIFEXITED(*status) || WEXITSTATUS(*status) != 0) {
    throw std::runtime_error("gnuplot " + testing::DescribeWaitStatus(*status) + ": " +
                             LastLine(paths.log) + " (its output: " + paths.log + ")");
  }
  for (const std::string& png : {paths.percentiles, paths.over_time}) {
    if (std::filesystem::file_size(png, ec) == 0 || ec) {
      throw std::runtime_error("gnuplot wrote no " + png + " (its output: " + paths.log + ")");
    }
  }
  // Warnings, or nothing: keep the log only when it says something.
  if (std::filesystem::file_size(paths.log, ec) > 0 && !ec) {
    return " (gnuplot's warnings: " + paths.log + ")";
  }
  std::filesystem::remove(paths.log, ec);
  return "";
}

}  // namespace

void WriteLatencyPictures(const std::string& json_file, const std::string& title,
                          const std::vector<NamedTrace>& runs) {
  if (json_file.empty()) return;
  std::vector<NamedTrace> drawn;
  for (const NamedTrace& run : runs)
    if (run.trace != nullptr && run.trace->samples > 0) drawn.push_back(run);
  if (drawn.empty()) {
    std::cout << "latency pictures: none (no run measured a latency)\n";
    return;
  }
  const std::optional<std::string> gnuplot = FindOnPath("gnuplot");
  if (!gnuplot) {
    std::cout << "latency pictures: skipped, gnuplot is not installed (apt-get install "
                 "gnuplot-nox, or scripts/install-deps.sh)\n";
    return;
  }
  const Pictures pictures{PicturePaths(json_file), title, drawn, LineWindowSeconds(drawn)};
  std::string warnings;
  try {
    WriteData(pictures);
    WriteScript(pictures);
    warnings = Render(*gnuplot, pictures.paths);
  } catch (const std::exception& e) {
    std::cout << "latency pictures: not drawn: " << e.what() << "\n";
    return;
  }
  const PicturePaths& paths = pictures.paths;
  std::cout << "latency pictures: " << paths.percentiles << " and " << paths.over_time
            << " (re-render: gnuplot " << paths.script << ")" << warnings << "\n";
}

}  // namespace exchange::bench
