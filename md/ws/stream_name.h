// StreamName: a WebSocket stream as clients name it, Binance's spot names:
//   <symbol>@trade, <symbol>@aggTrade, <symbol>@bookTicker,
//   <symbol>@depth, <symbol>@depth@100ms            (diff depth, 1000/100 ms)
//   <symbol>@depth<5|10|20>, <symbol>@depth<N>@100ms (partial book)
//   <symbol>@kline_<interval>
//   <symbol>@miniTicker, <symbol>@ticker, <symbol>@ticker_<1h|4h|1d>,
//   <symbol>@avgPrice                                 (1000 ms)
//   !miniTicker@arr, !ticker@arr, !ticker_<1h|4h|1d>@arr (every symbol)
// with the symbol in lower case (matched without regard to case; the
// exchange's name or its Binance form, base/binance_symbol.h) and Binance's
// interval names (1s 1m 3m 5m 15m 30m 1h 2h 4h 6h 8h 12h 1d 3d 1w 1M).
//
// Plain values and functions; any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "candles/candle_interval.h"

namespace exchange::md {

enum class StreamKind {
  kTrade,
  kAggTrade,
  kBookTicker,
  kDepth,
  kPartialDepth,
  kKline,
  kMiniTicker,    // 24hrMiniTicker
  kTicker,        // 24hrTicker
  kWindowTicker,  // <window>Ticker: 1hTicker, 4hTicker, 1dTicker
  kAvgPrice,
};

// The rolling windows of @ticker_<window> (Binance's: 1h, 4h, 1d).
enum class TickerWindow { k1h = 0, k4h = 1, k1d = 2 };
inline constexpr TickerWindow kTickerWindows[] = {TickerWindow::k1h, TickerWindow::k4h,
                                                  TickerWindow::k1d};
std::string_view TickerWindowName(TickerWindow window);  // "1h", "4h", "1d"

// The update speeds of the depth streams.
enum class DepthSpeed { k1000ms = 0, k100ms = 1 };
inline constexpr int kDepthSpeeds = 2;
// The partial books' sizes: 5, 10 and 20 levels.
inline constexpr int kPartialLevels[] = {5, 10, 20};

struct StreamName {
  std::string symbol;  // as the client wrote it, lower-cased
  StreamKind kind = StreamKind::kTrade;
  candles::CandleInterval interval = candles::CandleInterval::k1m;  // kKline only
  DepthSpeed speed = DepthSpeed::k1000ms;                           // kDepth, kPartialDepth
  int levels = 0;                                                   // kPartialDepth: 5, 10, 20
  TickerWindow window = TickerWindow::k1h;                          // kWindowTicker
  // !<kind>@arr: every symbol's ticker in one message (symbol empty);
  // kMiniTicker, kTicker and kWindowTicker only.
  bool every_symbol = false;

  // The canonical name: lower-case symbol, then "@trade", "@depth@100ms",
  // "@depth5", "@kline_1m" ...; "!miniTicker@arr" ... for every symbol.
  std::string ToString() const;
};

// nullopt and `error` set when `name` is not a stream name.
std::optional<StreamName> ParseStreamName(std::string_view name, std::string& error);

// The canonical name of a symbol's stream (symbol lower-cased).
std::string StreamKey(std::string_view symbol, StreamKind kind,
                      candles::CandleInterval interval = candles::CandleInterval::k1m);
// The canonical name of an every-symbol stream: "!miniTicker@arr",
// "!ticker@arr", "!ticker_1h@arr" ...
std::string EverySymbolKey(StreamKind kind, TickerWindow window = TickerWindow::k1h);

std::string LowerCase(std::string_view s);

}  // namespace exchange::md
