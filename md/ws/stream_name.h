// StreamName: a WebSocket stream as clients name it, Binance-style:
// `<symbol>@trade`, `<symbol>@depth` or `<symbol>@kline_<interval>` with
// the symbol in lower case (matched without regard to case) and Binance's
// interval names (1s 1m 3m 5m 15m 30m 1h 2h 4h 6h 8h 12h 1d 3d 1w 1M).
//
// Plain values and functions; any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "candles/candle_interval.h"

namespace exchange::md {

enum class StreamKind { kTrade, kDepth, kKline };

struct StreamName {
  std::string symbol;  // as the client wrote it, lower-cased
  StreamKind kind = StreamKind::kTrade;
  candles::CandleInterval interval = candles::CandleInterval::k1m;  // kKline only

  // The canonical name: lower-case symbol, "@trade", "@depth" or "@kline_1m".
  std::string ToString() const;
};

// nullopt and `error` set when `name` is not a stream name.
std::optional<StreamName> ParseStreamName(std::string_view name, std::string& error);

// The canonical name of a symbol's stream (symbol lower-cased).
std::string StreamKey(std::string_view symbol, StreamKind kind,
                      candles::CandleInterval interval = candles::CandleInterval::k1m);

std::string LowerCase(std::string_view s);

}  // namespace exchange::md
