// MarketFeed: the source of exchange-md's WebSocket streams. One thread
// follows, for every symbol of the `instruments` table, its Redis depth
// stream (book:{S}:depth) and trade stream (book:{S}:trades) with blocking
// XREADs, and turns what arrives into stream messages, rendered and framed
// once per batch (FeedBatch), which it hands to `publish` (HttpServer posts
// them to every serving thread's StreamHub).
//
// Depth: a DepthFollower per symbol keeps the book from a snapshot plus the
// stream's deltas (the sync rule of bookstate/depth_follower.h). Each batch
// yields one depthUpdate per symbol with the levels that changed, U and u
// the first and last engine sequence it covers and pu the u of the
// symbol's previous update, so the updates form one unbroken chain. When
// the follower loses the chain (a reset written after Redis came back, a
// stream trimmed past what the feed read, a reconnect) it takes a new
// snapshot and the next update carries the difference: subscribers never
// see the gap. A client syncs with GET /api/v3/depth (lastUpdateId L): drop
// updates with u <= L; the first applied has pu <= L, each later one pu ==
// the previous u.
//
// Trades: one trade message per trade, in engine order. Klines: a
// KlineTracker per symbol and interval, fed with every trade; messages only
// for intervals someone follows (StreamRegistry).
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

  void Run();
  void Connect();  // throws on failure
  void RefreshSymbols();
  void Follow(Followed& f);  // stream positions, snapshot, candles
  void Resync(Followed& f);  // a new snapshot; the difference goes out
  void ReadStreams();
  void OnDepthEntry(Followed& f, const bookstate::DepthDelta& delta);
  void OnTradeEntry(Followed& f, const std::vector<bookstate::TradePrint>& trades);
  void TouchWholeBook(Followed& f);
  // Renders what the batch changed into `batch_` and publishes it.
  void Publish();
  void RenderDepth(Followed& f);
  void RenderKlines(Followed& f, const std::vector<KlineTracker::Update>& updates,
                    candles::CandleInterval interval);
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
  std::shared_ptr<FeedBatch> batch_;
  std::map<std::string, std::size_t> batch_index_;  // stream → its StreamFrames in batch_
  std::string scratch_;
};

}  // namespace exchange::md
