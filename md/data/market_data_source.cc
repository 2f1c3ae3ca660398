#include "md/data/market_data_source.h"

#include <spdlog/spdlog.h>

#include "md/history/candle_series.h"

namespace exchange::md {

MarketDataSource::MarketDataSource(const SourceOptions& options)
    : redis_(options.redis_url, options.retry),
      history_(options.pg_url, options.pg_schema, options.retry),
      catalog_(history_),
      klines_(history_, options.klines_cache_rows, options.klines_freshness) {}

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
  // PostgreSQL answers the version query while Redis is read.
  klines_.PrefetchVersion();
  const std::optional<candles::Candle> live = LiveCandleIfReachable(symbol, interval);
  const std::span<CachedCandle> stored = klines_.Window(symbol, interval, window);
  std::vector<candles::Candle> series;
  series.reserve(stored.size() + 1);
  for (const CachedCandle& c : stored)
    series.push_back(c.candle);
  MergeLiveCandle(series, live, window);
  return series;
}

void MarketDataSource::AppendKlines(std::string& out, const persistence::InstrumentRow& instrument,
                                    candles::CandleInterval interval, const CandleWindow& window) {
  klines_.PrefetchVersion();  // answered while Redis is read
  std::optional<CachedCandle> live;
  if (const auto candle = LiveCandleIfReachable(instrument.symbol, interval)) live.emplace(*candle);
  const std::span<CachedCandle> stored = klines_.Window(instrument.symbol, interval, window);
  series_.clear();
  for (CachedCandle& c : stored)
    series_.push_back(&c);
  CachedCandle* live_row = live ? &*live : nullptr;
  MergeLiveRow(
      series_, live ? &live_row : nullptr,
      [](const CachedCandle* c) -> const candles::Candle& { return c->candle; }, window);
  std::size_t size = 2;
  for (CachedCandle* c : series_)
    size += c->Kline(instrument.price_decimals, instrument.quantity_decimals).size() + 1;
  out.reserve(out.size() + size);
  out += '[';
  for (std::size_t i = 0; i < series_.size(); ++i) {
    if (i > 0) out += ',';
    out += series_[i]->Kline(instrument.price_decimals, instrument.quantity_decimals);
  }
  out += ']';
}

void MarketDataSource::Tick() noexcept {
  try {
    klines_.Tick();
  } catch (const std::exception& e) {
    spdlog::debug("md: klines cache tick: {}", e.what());
  }
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
