#include "md/ws/stream_name.h"

#include <cctype>

namespace exchange::md {

std::string LowerCase(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string StreamKey(std::string_view symbol, StreamKind kind, candles::CandleInterval interval) {
  std::string out = LowerCase(symbol);
  switch (kind) {
    case StreamKind::kTrade: out += "@trade"; break;
    case StreamKind::kDepth: out += "@depth"; break;
    case StreamKind::kKline:
      out += "@kline_";
      out += candles::IntervalName(interval);
      break;
  }
  return out;
}

std::string StreamName::ToString() const {
  return StreamKey(symbol, kind, interval);
}

std::optional<StreamName> ParseStreamName(std::string_view name, std::string& error) {
  const std::size_t at = name.find('@');
  if (at == std::string_view::npos || at == 0) {
    error = "stream '" + std::string(name) +
            "' is not <symbol>@trade, <symbol>@depth or <symbol>@kline_<interval>";
    return std::nullopt;
  }
  StreamName out;
  out.symbol = LowerCase(name.substr(0, at));
  const std::string_view kind = name.substr(at + 1);
  if (kind == "trade") {
    out.kind = StreamKind::kTrade;
  } else if (kind == "depth") {
    out.kind = StreamKind::kDepth;
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
    error = "stream '" + std::string(name) + "': unknown kind '" + std::string(kind) +
            "'; use trade, depth or kline_<interval>";
    return std::nullopt;
  }
  return out;
}

}  // namespace exchange::md
