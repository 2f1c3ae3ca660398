// The market feed's state of one symbol (MarketFeed::Followed): its names
// (its own, its Binance alias) with the streams of each by slot and which
// of them someone follows, its Redis stream positions, its book and depth
// paces, its kline trackers and, while one of its tickers is followed, its
// ticker statistics (SymbolTicker) with what each ticker stream sent last.
// Shared by the feed's two files: market_feed.cc (books, trades, klines)
// and market_feed_tickers.cc (the ticker streams).
//
// The feed thread only.
#pragma once

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bookstate/depth_follower.h"
#include "bookstate/redis_client.h"
#include "md/feed/depth_pace.h"
#include "md/feed/kline_tracker.h"
#include "md/feed/market_feed.h"
#include "md/feed/symbol_ticker.h"
#include "md/ws/ws_messages.h"

namespace exchange::md {

// A name's streams, by slot: the trade streams, then the depth streams by
// speed, the partial books by size and speed, the tickers by kind, the
// kline intervals.
constexpr std::size_t kTradeSlot = 0;
constexpr std::size_t kAggTradeSlot = 1;
constexpr std::size_t kBookTickerSlot = 2;
constexpr std::size_t kDepthSlot = 3;                            // + speed
constexpr std::size_t kPartialSlot = kDepthSlot + kDepthSpeeds;  // + size * speeds + speed
constexpr std::size_t kPartialSizes = std::size(kPartialLevels);
constexpr std::size_t kTickerSlot = kPartialSlot + kPartialSizes * kDepthSpeeds;  // + kind
// The ticker kinds, in slot order: @miniTicker, @ticker, @ticker_1h,
// @ticker_4h, @ticker_1d, @avgPrice. The first kEverySymbolKinds also have
// an every-symbol stream (!miniTicker@arr, !ticker@arr, !ticker_<w>@arr),
// in the same order.
constexpr std::size_t kMiniTickerKind = 0;
constexpr std::size_t kTickerKind = 1;
constexpr std::size_t kWindowTickerKind = 2;  // + TickerWindow
constexpr std::size_t kAvgPriceKind = 5;
constexpr std::size_t kTickerKinds = 6;
constexpr std::size_t kEverySymbolKinds = 5;
constexpr std::size_t kKlineSlot = kTickerSlot + kTickerKinds;  // + interval

using Fields = std::vector<std::pair<std::string_view, std::string_view>>;

// A Redis stream entry's fields.
inline Fields FieldsOf(const redis::RedisReplyView& entry) {
  Fields fields;
  const auto values = entry.element(1);
  for (std::size_t i = 0; i + 1 < values.size(); i += 2)
    fields.emplace_back(values.element(i).str(), values.element(i + 1).str());
  return fields;
}

inline std::size_t PartialSlot(std::size_t size_index, DepthSpeed speed) {
  return kPartialSlot + size_index * kDepthSpeeds + static_cast<std::size_t>(speed);
}

struct MarketFeed::Name {
  persistence::InstrumentRow row;  // row.symbol: the symbol as this name has it
  std::vector<std::string> keys;   // the streams, by slot
  std::vector<char> followed;      // by slot: someone follows it
  // By ticker kind: what the stream sent last (nullopt: nothing since it
  // was last unfollowed, so its next follower gets the current state).
  std::array<std::optional<TickerContent>, kTickerKinds> ticker_sent;
};

struct MarketFeed::Followed {
  persistence::InstrumentRow row;
  std::vector<Name> names;  // the exchange's spelling, then the Binance alias if any
  std::string alias;        // the Binance form served, "" for none
  std::string depth_key, trades_key;
  std::string depth_id = "0", trades_id = "0";  // read up to (exclusive XREAD ids)
  bool positioned = false;                      // stream positions and klines set
  bool synced = false;                          // the depth follower has a snapshot
  bookstate::DepthFollower depth;
  std::array<DepthPace, kDepthSpeeds> paces;  // @depth, @depth@100ms
  BookTop top;                                // as the last @bookTicker had it
  Sequence trades_sent_up_to = 0;
  std::vector<KlineTracker> klines;  // one per candles::AllIntervals()
  std::vector<std::vector<KlineTracker::Update>> kline_updates;
  std::unique_ptr<SymbolTicker> ticker;  // while a ticker of the symbol is followed
  // By every-symbol kind: this symbol's object in the stream's last array.
  std::array<std::optional<TickerContent>, kEverySymbolKinds> every_sent;
};

template <typename Render>
void MarketFeed::Emit(Followed& f, std::size_t slot, Render render) {
  for (const Name& name : f.names) {
    if (!name.followed[slot]) continue;
    scratch_.clear();
    render(scratch_, name.row);
    AddMessage(name.keys[slot], scratch_);
  }
}

}  // namespace exchange::md
