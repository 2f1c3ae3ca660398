#include "md/history/candle_series.h"

namespace exchange::md {

void MergeLiveCandle(std::vector<candles::Candle>& stored,
                     const std::optional<candles::Candle>& live, const CandleWindow& window) {
  MergeLiveRow(
      stored, live ? &*live : nullptr,
      [](const candles::Candle& c) -> const candles::Candle& { return c; }, window);
}

}  // namespace exchange::md
