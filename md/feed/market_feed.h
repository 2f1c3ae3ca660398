// MarketFeed: the source of exchange-md's WebSocket streams. One thread
// follows, for every symbol of the `instruments` table, its Redis depth
// stream (book:{S}:depth) and trade stream (book:{S}:trades) with blocking
// XREADs, and turns what arrives into stream messages, rendered and framed
// once per batch (FeedBatch), which it hands to `publish` (HttpServer posts
// them to every serving thread's StreamHub).
//
// Depth: a DepthFollower per symbol keeps the book from a snapshot plus the
// stream's deltas (the sync rule of bookstate/depth_follower.h). From it:
//  - @depth and @depth@100ms (a DepthPace each): every 1000 / 100 ms one
//    depthUpdate with the levels changed since the previous one, U = the
//    previous u + 1, u the book's sequence, pu the previous u: one
//    unbroken chain. When the follower loses the chain (a reset written
//    after Redis came back, a stream trimmed past what the feed read, a
//    reconnect) it takes a new snapshot and the next update carries the
//    difference: subscribers never see the gap. A client syncs with GET
//    /api/v3/depth (lastUpdateId L) as Binance says: drop updates with
//    u <= L; the first applied has U <= L + 1 <= u, each later one
//    U == the previous u + 1.
//  - @depth<5|10|20>[@100ms]: the best levels every 1000 / 100 ms.
//  - @bookTicker: after every delta that changed the best bid or ask.
//
// Trades: @trade, one message per trade in engine order; @aggTrade, one
// per aggregate (agg_trades.h). Klines: a KlineTracker per symbol and
// interval, fed with every trade.
//
// Tickers (market_feed_tickers.cc): while one of a symbol's ticker streams
// (@miniTicker, @ticker, @ticker_<1h|4h|1d>, @avgPrice) or an
// every-symbol one (!miniTicker@arr, !ticker@arr, !ticker_<w>@arr) is
// followed, a SymbolTicker keeps its statistics (1m buckets of 24 hours,
// seeded from the candles, then fed with every trade); every
// `ticker_interval` each followed ticker stream gets a message when what
// it shows (times aside) changed since its last one: the first follower
// of a stream gets the current state at once, a quiet symbol nothing more.
// The !…@arr streams carry, in one array, the symbols that changed.
//
// Names: each symbol's streams are served under its own name and, when
// unambiguous, its Binance form (base/binance_symbol.h: btcusd@trade for
// BTC-USD), whose messages carry that form in `s`. Only streams someone
// follows (StreamRegistry) are rendered, as the registry has them after
// the read that brought the change: a stream followed while the feed
// waited in XREAD gets what that read brought, so a client's first
// depthUpdate continues from any snapshot it took after subscribing.
//
// Backends down: the feed logs once, retries every `retry`, and on return
// resynchronises every book (the chain continues, as above).
//
// Built and started on the main thread; the feed's state is its thread's.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "bookstate/depth_follower.h"
#include "bookstate/redis_client.h"
#include "md/feed/feed_batch.h"
#include "md/feed/kline_tracker.h"
#include "md/feed/trade_aggregates.h"
#include "md/ws/stream_name.h"
#include "md/ws/stream_registry.h"
#include "md/ws/ws_stats.h"
#include "persistence/history_writer.h"

namespace exchange::md {

class HistorySource;
class InstrumentCatalog;
class RedisSource;

class MarketFeed {
 public:
  struct Options {
    std::string redis_url;
    std::string pg_url;
    std::string pg_schema = "public";
    std::chrono::milliseconds retry{250};
    // After a batch is published, the next read waits until this much time
    // has passed, so that a busy market is published in fewer, larger
    // batches (fewer writes per client). 0: publish every read.
    std::chrono::milliseconds batch_interval{2};
    std::chrono::milliseconds block{100};  // XREAD BLOCK
    std::size_t read_count = 2000;         // XREAD COUNT, per stream
    std::chrono::milliseconds kline_grace{1000};
    // The depth streams' update speeds (Binance's): @depth, @depth<N>;
    // @depth@100ms, @depth<N>@100ms.
    std::chrono::milliseconds depth_interval{1000};
    std::chrono::milliseconds fast_depth_interval{100};
    // The ticker streams' update speed (Binance's: 1000 ms).
    std::chrono::milliseconds ticker_interval{1000};
  };
  using Publisher = std::function<void(std::shared_ptr<const FeedBatch>)>;

  MarketFeed(Options options, StreamRegistry& registry, WsStats& stats, Publisher publish);
  ~MarketFeed();
  MarketFeed(const MarketFeed&) = delete;
  MarketFeed& operator=(const MarketFeed&) = delete;

  void Start();
  void Stop();  // joins; idempotent

 private:
  struct Followed;  // one symbol's state
  struct Name;      // one name of a symbol's streams and which are followed

  void Run();
  void Connect();  // throws on failure
  void RefreshSymbols();
  void SetNames(Followed& f, const std::string& alias);  // alias "": none
  // Which streams are followed, when that changed: after each read, before
  // rendering what it brought.
  void RefreshFollowed();
  void Follow(Followed& f);  // stream positions, snapshot, candles
  void Resync(Followed& f);  // a new snapshot; the difference goes out
  void ReadStreams();
  void OnDepthEntry(Followed& f, const bookstate::DepthDelta& delta);
  void OnTradeEntry(Followed& f, const std::vector<bookstate::TradePrint>& trades);
  void TouchWholeBook(Followed& f);
  void UpdateTop(Followed& f);  // a @bookTicker message when the top moved
  // Renders what the batch changed into `batch_` and publishes it.
  void Publish();
  void RenderDepth(Followed& f, DepthSpeed speed);
  void RenderKlines(Followed& f, const std::vector<KlineTracker::Update>& updates,
                    std::size_t interval_index);
  // The ticker streams (market_feed_tickers.cc): every symbol's that
  // changed, the every-symbol arrays; a symbol's statistics started from
  // the candles (false, logged, when the backends refused: next time).
  void RenderTickers(Timestamp now);
  void RenderSymbolTickers(Followed& f, Timestamp now);
  bool StartTicker(Followed& f, Timestamp now);
  // For each name of `f` whose stream `slot` is followed: render(out, row)
  // with the row naming the symbol as that name does, added to the batch.
  template <typename Render>
  void Emit(Followed& f, std::size_t slot, Render render);
  void AddMessage(const std::string& stream, std::string_view json);

  Options options_;
  StreamRegistry& registry_;
  WsStats& stats_;
  Publisher publish_;
  std::atomic<bool> stop_{false};
  std::thread thread_;

  // Feed thread only.
  std::unique_ptr<HistorySource> history_;
  std::unique_ptr<InstrumentCatalog> catalog_;
  std::unique_ptr<RedisSource> snapshots_;
  std::unique_ptr<redis::RedisClient> reader_;
  std::map<std::string, std::unique_ptr<Followed>, std::less<>> followed_;  // by symbol
  std::chrono::steady_clock::time_point symbols_checked_{};
  std::chrono::steady_clock::time_point depth_due_[kDepthSpeeds]{};
  std::chrono::steady_clock::time_point ticker_due_{};
  std::uint64_t followed_generation_ = UINT64_MAX;  // of the flags held; MAX: reread
  // The every-symbol ticker streams (!miniTicker@arr ...), whether each is
  // followed, and the array each is building.
  std::vector<std::string> every_keys_;
  std::vector<char> every_followed_;
  std::vector<std::string> every_arrays_;
  std::vector<TradeAggregate> aggregates_;  // scratch
  std::shared_ptr<FeedBatch> batch_;
  std::map<std::string, std::size_t> batch_index_;  // stream → its StreamFrames in batch_
  std::string scratch_;
};

}  // namespace exchange::md
