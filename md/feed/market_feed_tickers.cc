// MarketFeed's ticker streams (market_feed.h, "Tickers"): each second, the
// statistics of every symbol whose tickers someone follows, a message on
// each followed ticker stream whose content changed, and the every-symbol
// arrays of the symbols that changed.
#include <spdlog/spdlog.h>

#include <limits>

#include "bookstate/trade_stream.h"
#include "md/api/ticker_endpoints.h"  // kAvgPriceMinutes
#include "md/data/redis_source.h"
#include "md/feed/followed_symbol.h"
#include "md/history/candle_series.h"
#include "md/history/history_source.h"

namespace exchange::md {
namespace {

constexpr Timestamp kMinute = 60'000'000'000;
constexpr Timestamp kHour = 60 * kMinute;
constexpr Timestamp kDay = 24 * kHour;
constexpr Timestamp kWindowLengths[] = {kHour, 4 * kHour, kDay};  // by TickerWindow
constexpr int kAvgPriceMinutes = TickerEndpoints::kAvgPriceMinutes;
// Trade-stream entries replayed into a new SymbolTicker: the trades the
// feed read before the candles it was seeded from had them.
constexpr std::size_t kTickerReplayEntries = 200;

Timestamp MinuteOf(Timestamp t) {
  return candles::BucketStart(t, candles::CandleInterval::k1m);
}

// What each ticker kind shows now, and its statistics' open time.
struct TickerState {
  std::array<TickerContent, kTickerKinds> content;
  std::array<Timestamp, kTickerKinds> open_time{};
};

TickerState StateOf(SymbolTicker& ticker, const BookTop& top, Timestamp now) {
  TickerState state;
  const Timestamp day_from = MinuteOf(now - kDay);
  ticker.Trim(day_from);
  const WindowStats day = ticker.Stats(day_from);
  const auto& last = ticker.last();
  // The 24-hour tickers (as ticker/24hr): the last price even before the window.
  TickerContent& mini = state.content[kMiniTickerKind];
  mini.stats = day;
  if (last) mini.stats.close = last->price;
  TickerContent& full = state.content[kTickerKind];
  full = mini;
  full.prev_close = ticker.prev_close();
  full.last_qty = last ? last->quantity : 0;
  full.top = top;
  state.open_time[kTickerKind] = now - kDay;
  for (TickerWindow window : kTickerWindows) {
    const auto w = static_cast<std::size_t>(window);
    const Timestamp from = MinuteOf(now - kWindowLengths[w]);
    state.content[kWindowTickerKind + w].stats = from == day_from ? day : ticker.Stats(from);
    state.open_time[kWindowTickerKind + w] = from;
  }
  TickerContent& avg = state.content[kAvgPriceKind];
  avg.stats = ticker.Stats(MinuteOf(now - kAvgPriceMinutes * kMinute));
  avg.last_price = last ? last->price : 0;
  avg.last_time = last ? last->time : 0;
  return state;
}

void RenderTicker(std::string& out, const persistence::InstrumentRow& row, std::size_t kind,
                  const TickerState& state, Timestamp now) {
  const TickerContent& c = state.content[kind];
  switch (kind) {
    case kMiniTickerKind: AppendMiniTickerMessage(out, row, c, now); return;
    case kTickerKind: AppendTickerMessage(out, row, c, now, state.open_time[kind], now); return;
    case kAvgPriceKind: AppendAvgPriceMessage(out, row, c, kAvgPriceMinutes, now); return;
    default: {
      const auto window = static_cast<TickerWindow>(kind - kWindowTickerKind);
      AppendWindowTickerMessage(out, row, TickerWindowName(window), c, now, state.open_time[kind],
                                now);
    }
  }
}

}  // namespace

void MarketFeed::RenderTickers(Timestamp now) {
  bool every = false;
  for (char followed : every_followed_)
    every = every || followed != 0;
  const auto any_followed = [](const Followed& f) {
    for (const Name& name : f.names) {
      for (std::size_t k = 0; k < kTickerKinds; ++k) {
        if (name.followed[kTickerSlot + k]) return true;
      }
    }
    return false;
  };
  for (auto& [symbol, f] : followed_) {
    if (every || any_followed(*f)) {
      RenderSymbolTickers(*f, now);
      continue;
    }
    f->ticker.reset();  // started again, from the candles, when followed again
    for (Name& name : f->names)
      name.ticker_sent = {};
    f->every_sent = {};
  }
  for (std::size_t e = 0; e < kEverySymbolKinds; ++e) {
    std::string& array = every_arrays_[e];
    if (array.empty()) continue;
    array += ']';
    AddMessage(every_keys_[e], array);
    array.clear();
  }
}

void MarketFeed::RenderSymbolTickers(Followed& f, Timestamp now) {
  if (!f.ticker && !StartTicker(f, now)) return;
  const TickerState state = StateOf(*f.ticker, f.top, now);
  for (Name& name : f.names) {
    for (std::size_t k = 0; k < kTickerKinds; ++k) {
      std::optional<TickerContent>& sent = name.ticker_sent[k];
      if (!name.followed[kTickerSlot + k]) {
        sent.reset();
        continue;
      }
      if (sent == state.content[k]) continue;
      sent = state.content[k];
      scratch_.clear();
      RenderTicker(scratch_, name.row, k, state, now);
      AddMessage(name.keys[kTickerSlot + k], scratch_);
    }
  }
  // The arrays name each symbol by its own name (as REST without a symbol).
  for (std::size_t e = 0; e < kEverySymbolKinds; ++e) {
    std::optional<TickerContent>& sent = f.every_sent[e];
    if (!every_followed_[e]) {
      sent.reset();
      continue;
    }
    if (sent == state.content[e]) continue;
    sent = state.content[e];
    every_arrays_[e] += every_arrays_[e].empty() ? '[' : ',';
    RenderTicker(every_arrays_[e], f.row, e, state, now);
  }
}

bool MarketFeed::StartTicker(Followed& f, Timestamp now) {
  try {
    const std::string& symbol = f.row.symbol;
    SymbolTicker::Seed seed;
    seed.from = MinuteOf(now - kDay);
    const CandleWindow window{seed.from, std::numeric_limits<Timestamp>::max(), 24 * 60 + 2};
    seed.minutes = history_->Candles(symbol, candles::CandleInterval::k1m, window);
    MergeLiveCandle(seed.minutes, snapshots_->LiveCandle(symbol, candles::CandleInterval::k1m),
                    window);
    seed.before = history_->CandleBefore(symbol, candles::CandleInterval::k1m, seed.from);
    seed.last = snapshots_->ReadBook(symbol, 1).last_trade;
    auto ticker = std::make_unique<SymbolTicker>(SymbolName(symbol));
    ticker->Start(seed);
    // The trades read before the candles had them (the ticker skips those
    // it holds; later ones come with the next reads).
    const std::string count = std::to_string(kTickerReplayEntries);
    const auto entries = reader_->Command({"XREVRANGE", f.trades_key, "+", "-", "COUNT", count});
    for (std::size_t i = entries.size(); i-- > 0;) {
      const auto trades = bookstate::ParseTradeEntry(FieldsOf(entries.element(i)));
      if (!trades) continue;
      for (const bookstate::TradePrint& trade : *trades) {
        if (trade.sequence <= f.trades_sent_up_to) ticker->OnTrade(trade);
      }
    }
    f.ticker = std::move(ticker);
    return true;
  } catch (const std::exception& e) {
    spdlog::warn("market feed: {}'s ticker statistics not started: {}; retrying", f.row.symbol,
                 e.what());
    return false;
  }
}

}  // namespace exchange::md
