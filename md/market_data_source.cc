#include "md/market_data_source.h"

#include <spdlog/spdlog.h>

#include "md/candle_series.h"

namespace exchange::md {

MarketDataSource::MarketDataSource(const SourceOptions& options)
    : redis_(options.redis_url, options.retry),
      history_(options.pg_url, options.pg_schema, options.retry),
      catalog_(history_) {}

const persistence::InstrumentRow& MarketDataSource::Instrument(std::string_view symbol) {
  if (const auto* row = catalog_.Find(symbol)) return *row;
  std::string message = "Invalid symbol: '";
  message += symbol;
  message += "' is not an instrument of this exchange";
  throw RequestError(400, binance_code::kBadSymbol, message);
}

std::optional<candles::Candle> MarketDataSource::LiveCandleIfReachable(
    std::string_view symbol, candles::CandleInterval interval) {
  try {
    auto live = redis_.LiveCandle(symbol, interval);
    redis_away_logged_ = false;
    return live;
  } catch (const BackendUnavailable& e) {
    if (!redis_away_logged_) {
      spdlog::warn("md: {}; candles are served from PostgreSQL alone meanwhile", e.what());
    }
    redis_away_logged_ = true;
    return std::nullopt;
  }
}

std::vector<candles::Candle> MarketDataSource::Candles(std::string_view symbol,
                                                       candles::CandleInterval interval,
                                                       const CandleWindow& window) {
  std::vector<candles::Candle> series = history_.Candles(symbol, interval, window);
  MergeLiveCandle(series, LiveCandleIfReachable(symbol, interval), window);
  return series;
}

std::optional<Timestamp> MarketDataSource::OpenTimeBefore(std::string_view symbol,
                                                          candles::CandleInterval interval,
                                                          Timestamp before) {
  std::optional<Timestamp> newest;
  if (const auto stored = history_.CandleBefore(symbol, interval, before))
    newest = stored->open_time;
  const auto live = LiveCandleIfReachable(symbol, interval);
  if (live && live->open_time < before && (!newest || live->open_time > *newest))
    newest = live->open_time;
  return newest;
}

}  // namespace exchange::md
