#include "md/ws/stream_name.h"

#include <cctype>

namespace exchange::md {
namespace {

constexpr std::string_view kFast = "@100ms";

std::string Unknown(std::string_view name, std::string_view kind) {
  return "stream '" + std::string(name) + "': unknown kind '" + std::string(kind) +
         "'; use trade, aggTrade, bookTicker, depth, depth@100ms, depth<5|10|20>[@100ms] or "
         "kline_<interval>";
}

}  // namespace

std::string LowerCase(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string StreamKey(std::string_view symbol, StreamKind kind, candles::CandleInterval interval) {
  StreamName name;
  name.symbol = LowerCase(symbol);
  name.kind = kind;
  name.interval = interval;
  return name.ToString();
}

std::string StreamName::ToString() const {
  std::string out = symbol;
  switch (kind) {
    case StreamKind::kTrade: out += "@trade"; break;
    case StreamKind::kAggTrade: out += "@aggTrade"; break;
    case StreamKind::kBookTicker: out += "@bookTicker"; break;
    case StreamKind::kDepth: out += "@depth"; break;
    case StreamKind::kPartialDepth:
      out += "@depth";
      out += std::to_string(levels);
      break;
    case StreamKind::kKline:
      out += "@kline_";
      out += candles::IntervalName(interval);
      break;
  }
  if ((kind == StreamKind::kDepth || kind == StreamKind::kPartialDepth) &&
      speed == DepthSpeed::k100ms) {
    out += kFast;
  }
  return out;
}

std::optional<StreamName> ParseStreamName(std::string_view name, std::string& error) {
  const std::size_t at = name.find('@');
  if (at == std::string_view::npos || at == 0) {
    error = "stream '" + std::string(name) + "' is not <symbol>@<kind>";
    return std::nullopt;
  }
  StreamName out;
  out.symbol = LowerCase(name.substr(0, at));
  std::string_view kind = name.substr(at + 1);
  if (kind == "trade") {
    out.kind = StreamKind::kTrade;
  } else if (kind == "aggTrade") {
    out.kind = StreamKind::kAggTrade;
  } else if (kind == "bookTicker") {
    out.kind = StreamKind::kBookTicker;
  } else if (kind.starts_with("depth")) {
    if (kind.ends_with(kFast)) {
      out.speed = DepthSpeed::k100ms;
      kind.remove_suffix(kFast.size());
    }
    const std::string_view levels = kind.substr(5);
    out.kind = levels.empty() ? StreamKind::kDepth : StreamKind::kPartialDepth;
    if (!levels.empty()) {
      for (int n : kPartialLevels) {
        if (levels == std::to_string(n)) out.levels = n;
      }
      if (out.levels == 0) {
        error = Unknown(name, name.substr(at + 1));
        return std::nullopt;
      }
    }
  } else if (kind.starts_with("kline_")) {
    const auto interval = candles::ParseInterval(kind.substr(6));
    if (!interval) {
      error = "stream '" + std::string(name) +
              "': unknown interval; use one of 1s 1m 3m 5m 15m 30m 1h 2h 4h 6h 8h 12h 1d 3d 1w 1M";
      return std::nullopt;
    }
    out.kind = StreamKind::kKline;
    out.interval = *interval;
  } else {
    error = Unknown(name, kind);
    return std::nullopt;
  }
  return out;
}

}  // namespace exchange::md
