#include "bookstate/live_candle.h"

#include "bookstate/view_keys.h"

namespace exchange::bookstate {

std::vector<std::string> LiveCandleCommand(const candles::Candle& c) {
  const auto n = [](auto v) { return std::to_string(v); };
  return {"HSET",
          CandleKeyOf(c.symbol.view(), candles::IntervalName(c.interval)),
          "open_time",
          n(c.open_time),
          "close_time",
          n(c.close_time),
          "open",
          n(c.open),
          "high",
          n(c.high),
          "low",
          n(c.low),
          "close",
          n(c.close),
          "volume",
          n(c.volume),
          "quote_volume",
          candles::QuoteVolumeString(c.quote_volume),
          "trades",
          n(c.trade_count),
          "first_trade_id",
          n(c.first_trade_id),
          "last_trade_id",
          n(c.last_trade_id)};
}

}  // namespace exchange::bookstate
