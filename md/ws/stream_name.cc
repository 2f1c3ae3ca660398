#include "md/ws/stream_name.h"

#include <cctype>

namespace exchange::md {
namespace {

constexpr std::string_view kFast = "@100ms";

constexpr std::string_view kEvery = "@arr";

std::string Unknown(std::string_view name, std::string_view kind) {
  return "stream '" + std::string(name) + "': unknown kind '" + std::string(kind) +
         "'; use trade, aggTrade, bookTicker, depth, depth@100ms, depth<5|10|20>[@100ms], "
         "kline_<interval>, miniTicker, ticker, ticker_<1h|4h|1d> or avgPrice";
}

std::optional<TickerWindow> ParseTickerWindow(std::string_view text) {
  for (TickerWindow window : kTickerWindows) {
    if (text == TickerWindowName(window)) return window;
  }
  return std::nullopt;
}

// The ticker kinds (miniTicker, ticker, ticker_<window>, and avgPrice when
// `avg` is allowed) into `out`; false when `kind` is none of them.
bool ParseTickerKind(std::string_view kind, bool avg, StreamName& out) {
  if (kind == "miniTicker") {
    out.kind = StreamKind::kMiniTicker;
  } else if (kind == "ticker") {
    out.kind = StreamKind::kTicker;
  } else if (kind == "avgPrice" && avg) {
    out.kind = StreamKind::kAvgPrice;
  } else if (kind.starts_with("ticker_")) {
    const auto window = ParseTickerWindow(kind.substr(7));
    if (!window) return false;
    out.kind = StreamKind::kWindowTicker;
    out.window = *window;
  } else {
    return false;
  }
  return true;
}

// !miniTicker@arr, !ticker@arr, !ticker_<window>@arr.
std::optional<StreamName> ParseEverySymbol(std::string_view name, std::string& error) {
  StreamName out;
  out.every_symbol = true;
  std::string_view kind = name.substr(1);
  if (!kind.ends_with(kEvery) || !ParseTickerKind(kind.substr(0, kind.size() - kEvery.size()),
                                                  /*avg=*/false, out)) {
    error = "stream '" + std::string(name) +
            "': use !miniTicker@arr, !ticker@arr or !ticker_<1h|4h|1d>@arr";
    return std::nullopt;
  }
  return out;
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

std::string_view TickerWindowName(TickerWindow window) {
  switch (window) {
    case TickerWindow::k1h: return "1h";
    case TickerWindow::k4h: return "4h";
    case TickerWindow::k1d: return "1d";
  }
  return "1h";
}

std::string EverySymbolKey(StreamKind kind, TickerWindow window) {
  StreamName name;
  name.every_symbol = true;
  name.kind = kind;
  name.window = window;
  return name.ToString();
}

std::string StreamName::ToString() const {
  std::string out = every_symbol ? "!" : symbol + "@";
  switch (kind) {
    case StreamKind::kTrade: out += "trade"; break;
    case StreamKind::kAggTrade: out += "aggTrade"; break;
    case StreamKind::kBookTicker: out += "bookTicker"; break;
    case StreamKind::kDepth: out += "depth"; break;
    case StreamKind::kPartialDepth:
      out += "depth";
      out += std::to_string(levels);
      break;
    case StreamKind::kKline:
      out += "kline_";
      out += candles::IntervalName(interval);
      break;
    case StreamKind::kMiniTicker: out += "miniTicker"; break;
    case StreamKind::kTicker: out += "ticker"; break;
    case StreamKind::kWindowTicker:
      out += "ticker_";
      out += TickerWindowName(window);
      break;
    case StreamKind::kAvgPrice: out += "avgPrice"; break;
  }
  if (every_symbol) out += kEvery;
  if ((kind == StreamKind::kDepth || kind == StreamKind::kPartialDepth) &&
      speed == DepthSpeed::k100ms) {
    out += kFast;
  }
  return out;
}

std::optional<StreamName> ParseStreamName(std::string_view name, std::string& error) {
  if (name.starts_with('!')) return ParseEverySymbol(name, error);
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
  } else if (ParseTickerKind(kind, /*avg=*/true, out)) {
    // miniTicker, ticker, ticker_<window>, avgPrice
  } else {
    error = Unknown(name, kind);
    return std::nullopt;
  }
  return out;
}

}  // namespace exchange::md
