#include "md/feed/market_feed.h"

#include <spdlog/spdlog.h>

#include <set>

#include "bookstate/trade_stream.h"
#include "bookstate/view_keys.h"
#include "candles/candle_interval.h"
#include "md/data/redis_source.h"
#include "md/history/history_source.h"
#include "md/history/instrument_catalog.h"
#include "md/ws/stream_name.h"
#include "md/ws/ws_frame.h"
#include "md/ws/ws_messages.h"

namespace exchange::md {
namespace {

using Clock = std::chrono::steady_clock;
using bookstate::ViewKey;

constexpr auto kSymbolCheckInterval = std::chrono::seconds(5);
// Trade entries replayed into the kline trackers when a symbol is first
// followed, for trades the live candle in Redis may not hold yet (the
// history sink writes it after the book-state sink wrote the trades).
constexpr std::size_t kKlineReplayEntries = 200;

Timestamp WallNow() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

using Fields = std::vector<std::pair<std::string_view, std::string_view>>;

Fields FieldsOf(const redis::RedisReplyView& entry) {
  Fields fields;
  const auto values = entry.element(1);
  for (std::size_t i = 0; i + 1 < values.size(); i += 2)
    fields.emplace_back(values.element(i).str(), values.element(i + 1).str());
  return fields;
}

}  // namespace

struct MarketFeed::Followed {
  persistence::InstrumentRow row;
  std::string lower;  // lower-case symbol, as in stream names
  std::string depth_key, trades_key;
  std::string depth_id = "0", trades_id = "0";  // read up to (exclusive XREAD ids)
  bool positioned = false;                      // stream positions and klines set
  bool synced = false;                          // the depth follower has a snapshot
  bookstate::DepthFollower depth;
  Sequence sent_u = 0;         // u of the last depthUpdate (pu of the next)
  Sequence pending_first = 0;  // U of the next depthUpdate (0: nothing pending)
  Timestamp pending_time = 0;
  std::set<Price, std::greater<>> touched_bids;
  std::set<Price> touched_asks;
  Sequence trades_sent_up_to = 0;
  std::vector<KlineTracker> klines;  // one per candles::AllIntervals()
  std::vector<std::vector<KlineTracker::Update>> kline_updates;
};

MarketFeed::MarketFeed(Options options, StreamRegistry& registry, WsStats& stats, Publisher publish)
    : options_(std::move(options)),
      registry_(registry),
      stats_(stats),
      publish_(std::move(publish)),
      batch_(std::make_shared<FeedBatch>()) {}

MarketFeed::~MarketFeed() {
  Stop();
}

void MarketFeed::Start() {
  thread_ = std::thread([this] { Run(); });
}

void MarketFeed::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void MarketFeed::Run() {
  std::string failure;  // the last one logged
  while (!stop_) {
    try {
      if (!reader_) Connect();
      if (Clock::now() - symbols_checked_ >= kSymbolCheckInterval) RefreshSymbols();
      const auto started = Clock::now();
      ReadStreams();
      if (!failure.empty()) {
        spdlog::info("market feed: backends reachable again; books resynchronised");
        failure.clear();
      }
      Publish();
      // Reads start at most once per batch_interval: a busy market goes out
      // in fewer, larger batches.
      std::this_thread::sleep_until(started + options_.batch_interval);
    } catch (const std::exception& e) {
      if (failure != e.what())
        spdlog::warn("market feed: {}; retrying every {} ms", e.what(), options_.retry.count());
      failure = e.what();
      reader_.reset();
      snapshots_.reset();
      for (auto& [symbol, f] : followed_)
        f->synced = false;
      for (auto waited = std::chrono::milliseconds(0); waited < options_.retry && !stop_;
           waited += std::chrono::milliseconds(10)) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
    }
  }
}

void MarketFeed::Connect() {
  if (!history_) {
    history_ = std::make_unique<HistorySource>(options_.pg_url, options_.pg_schema, options_.retry);
    catalog_ = std::make_unique<InstrumentCatalog>(*history_);
  }
  snapshots_ = std::make_unique<RedisSource>(options_.redis_url, options_.retry);
  redis::RedisOptions redis_options;
  redis_options.command_timeout = options_.block + std::chrono::seconds(5);
  reader_ =
      std::make_unique<redis::RedisClient>(redis::ParseRedisUrl(options_.redis_url), redis_options);
  symbols_checked_ = {};  // follow (again) at once
}

void MarketFeed::RefreshSymbols() {
  std::map<std::string, std::string> names;
  for (const persistence::InstrumentRow& row : catalog_->All()) {
    names.emplace(LowerCase(row.symbol), row.symbol);
    auto [it, added] = followed_.try_emplace(row.symbol);
    if (added) {
      it->second = std::make_unique<Followed>();
      Followed& f = *it->second;
      f.row = row;
      f.lower = LowerCase(row.symbol);
      f.depth_key = bookstate::KeyOf(row.symbol, ViewKey::kDepth);
      f.trades_key = bookstate::KeyOf(row.symbol, ViewKey::kTrades);
      const SymbolName symbol(row.symbol);
      for (candles::CandleInterval interval : candles::AllIntervals())
        f.klines.emplace_back(symbol, interval);
      f.kline_updates.resize(f.klines.size());
    }
  }
  for (auto& [symbol, f] : followed_) {
    if (!f->synced) Follow(*f);
  }
  registry_.SetSymbols(std::move(names));
  symbols_checked_ = Clock::now();
}

void MarketFeed::Follow(Followed& f) {
  if (!f.positioned) {
    // Stream positions first, then the snapshot: a delta written in between
    // is read and, covered by the snapshot, dropped by the follower.
    const auto depth = reader_->Command({"XREVRANGE", f.depth_key, "+", "-", "COUNT", "1"});
    if (depth.size() > 0) f.depth_id = std::string(depth.element(0).element(0).str());
    const std::string count = std::to_string(kKlineReplayEntries);
    const auto trades = reader_->Command({"XREVRANGE", f.trades_key, "+", "-", "COUNT", count});
    if (trades.size() > 0) {
      if (auto newest = bookstate::ParseTradeEntry(FieldsOf(trades.element(0)))) {
        f.trades_sent_up_to = newest->back().sequence;
      }
      // Replay from the oldest entry read (XREAD ids are exclusive).
      if (trades.size() == kKlineReplayEntries) {
        f.trades_id = std::string(trades.element(trades.size() - 1).element(0).str());
      }
    }
    const auto& intervals = candles::AllIntervals();
    for (std::size_t i = 0; i < intervals.size(); ++i)
      f.klines[i].Seed(snapshots_->LiveCandle(f.row.symbol, intervals[i]));
    const bookstate::BookSnapshot book = snapshots_->ReadBook(f.row.symbol, 0);
    f.depth.Start(book.sequence, book.bids, book.asks);
    f.sent_u = book.sequence;
    f.positioned = true;
    f.synced = true;
    return;
  }
  Resync(f);
}

void MarketFeed::TouchWholeBook(Followed& f) {
  for (const auto& [price, value] : f.depth.bids())
    f.touched_bids.insert(price);
  for (const auto& [price, value] : f.depth.asks())
    f.touched_asks.insert(price);
}

void MarketFeed::Resync(Followed& f) {
  const bookstate::BookSnapshot book = snapshots_->ReadBook(f.row.symbol, 0);
  TouchWholeBook(f);
  f.depth.Start(book.sequence, book.bids, book.asks);
  TouchWholeBook(f);
  if (f.pending_first == 0) f.pending_first = book.sequence;
  f.synced = true;
  stats_.feed_resyncs.fetch_add(1, std::memory_order_relaxed);
}

void MarketFeed::ReadStreams() {
  std::vector<std::string_view> argv{"XREAD", "COUNT"};
  const std::string count = std::to_string(options_.read_count);
  const std::string block = std::to_string(options_.block.count());
  argv.insert(argv.end(), {count, "BLOCK", block, "STREAMS"});
  std::map<std::string_view, std::pair<Followed*, bool>> by_key;  // → (symbol, is depth)
  for (auto& [symbol, f] : followed_) {
    if (!f->positioned) continue;
    argv.push_back(f->depth_key);
    argv.push_back(f->trades_key);
    by_key[f->depth_key] = {f.get(), true};
    by_key[f->trades_key] = {f.get(), false};
  }
  if (by_key.empty()) {  // nothing to follow yet
    std::this_thread::sleep_for(options_.block);
    return;
  }
  for (auto& [symbol, f] : followed_) {
    if (!f->positioned) continue;
    argv.push_back(f->depth_id);
    argv.push_back(f->trades_id);
  }
  const redis::RedisReply reply = reader_->Command(argv);
  if (reply.is_error()) throw std::runtime_error("XREAD refused: " + std::string(reply.str()));
  for (std::size_t s = 0; s < reply.size(); ++s) {
    const auto stream = reply.element(s);
    const auto found = by_key.find(stream.element(0).str());
    if (found == by_key.end()) continue;
    auto [f, is_depth] = found->second;
    const auto entries = stream.element(1);
    for (std::size_t i = 0; i < entries.size(); ++i) {
      const auto entry = entries.element(i);
      const Fields fields = FieldsOf(entry);
      if (is_depth) {
        f->depth_id = std::string(entry.element(0).str());
        if (const auto delta = bookstate::ParseDepthDelta(fields)) {
          OnDepthEntry(*f, *delta);
        } else {
          spdlog::warn("market feed: malformed entry {} in {}; resynchronising", f->depth_id,
                       f->depth_key);
          f->synced = false;
        }
      } else {
        f->trades_id = std::string(entry.element(0).str());
        if (const auto trades = bookstate::ParseTradeEntry(fields)) {
          OnTradeEntry(*f, *trades);
        } else {
          spdlog::warn("market feed: malformed entry {} in {}; skipped", f->trades_id,
                       f->trades_key);
        }
      }
    }
  }
  for (auto& [symbol, f] : followed_) {
    if (f->positioned && !f->synced) Resync(*f);
  }
}

void MarketFeed::OnDepthEntry(Followed& f, const bookstate::DepthDelta& delta) {
  if (!f.synced) return;  // resynchronised after this read
  if (delta.reset) TouchWholeBook(f);
  switch (f.depth.Apply(delta)) {
    case bookstate::DepthFollower::Result::kDropped: return;
    case bookstate::DepthFollower::Result::kGap: f.synced = false; return;
    case bookstate::DepthFollower::Result::kApplied: break;
  }
  if (delta.reset) TouchWholeBook(f);
  for (const auto& level : delta.bids)
    f.touched_bids.insert(level.price);
  for (const auto& level : delta.asks)
    f.touched_asks.insert(level.price);
  if (f.pending_first == 0) f.pending_first = delta.first;
  f.pending_time = std::max(f.pending_time, delta.time);
}

void MarketFeed::OnTradeEntry(Followed& f, const std::vector<bookstate::TradePrint>& trades) {
  const std::string stream = StreamKey(f.lower, StreamKind::kTrade);
  const bool rendered = registry_.Followers(stream) > 0;
  for (const bookstate::TradePrint& trade : trades) {
    for (std::size_t i = 0; i < f.klines.size(); ++i)
      f.klines[i].OnTrade(trade, f.kline_updates[i]);
    if (trade.sequence <= f.trades_sent_up_to) continue;  // replayed for the klines only
    f.trades_sent_up_to = trade.sequence;
    if (!rendered) continue;
    scratch_.clear();
    AppendTradeMessage(scratch_, f.row, trade);
    AddMessage(stream, scratch_);
  }
}

void MarketFeed::RenderDepth(Followed& f) {
  if (f.pending_first == 0) return;
  DepthUpdate update;
  update.first = f.pending_first;
  update.last = std::max(f.depth.sequence(), f.sent_u);
  update.prev = f.sent_u;
  update.time = f.pending_time;
  for (Price price : f.touched_bids) {
    const auto it = f.depth.bids().find(price);
    update.bids.push_back(
        {price, it == f.depth.bids().end() ? bookstate::LevelValue{} : it->second});
  }
  for (Price price : f.touched_asks) {
    const auto it = f.depth.asks().find(price);
    update.asks.push_back(
        {price, it == f.depth.asks().end() ? bookstate::LevelValue{} : it->second});
  }
  f.touched_bids.clear();
  f.touched_asks.clear();
  f.pending_first = 0;
  f.pending_time = 0;
  f.sent_u = update.last;
  const std::string stream = StreamKey(f.lower, StreamKind::kDepth);
  if (registry_.Followers(stream) == 0) return;
  scratch_.clear();
  AppendDepthMessage(scratch_, f.row, update);
  AddMessage(stream, scratch_);
}

void MarketFeed::RenderKlines(Followed& f, const std::vector<KlineTracker::Update>& updates,
                              candles::CandleInterval interval) {
  const std::string stream = StreamKey(f.lower, StreamKind::kKline, interval);
  if (registry_.Followers(stream) == 0) return;
  // Every closing, and the newest state of the open candle.
  for (std::size_t i = 0; i < updates.size(); ++i) {
    const bool last = i + 1 == updates.size();
    if (!updates[i].closed && !last) continue;
    scratch_.clear();
    AppendKlineMessage(scratch_, f.row, updates[i].candle, updates[i].closed, WallNow());
    AddMessage(stream, scratch_);
  }
}

void MarketFeed::Publish() {
  const Timestamp now = WallNow();
  const Timestamp grace = std::chrono::nanoseconds(options_.kline_grace).count();
  const auto& intervals = candles::AllIntervals();
  for (auto& [symbol, f] : followed_) {
    RenderDepth(*f);
    for (std::size_t i = 0; i < f->klines.size(); ++i) {
      f->klines[i].OnClock(now, grace, f->kline_updates[i]);
      if (f->kline_updates[i].empty()) continue;
      RenderKlines(*f, f->kline_updates[i], intervals[i]);
      f->kline_updates[i].clear();
    }
  }
  if (batch_->streams.empty()) return;
  stats_.feed_batches.fetch_add(1, std::memory_order_relaxed);
  publish_(std::move(batch_));
  batch_ = std::make_shared<FeedBatch>();
  batch_index_.clear();
}

void MarketFeed::AddMessage(const std::string& stream, std::string_view json) {
  auto [it, added] = batch_index_.try_emplace(stream, batch_->streams.size());
  if (added) batch_->streams.push_back(StreamFrames{stream, {}, {}, 0});
  StreamFrames& frames = batch_->streams[it->second];
  AppendServerFrame(frames.raw, WsOpcode::kText, json);
  std::string wrapped;
  AppendCombined(wrapped, stream, json);
  AppendServerFrame(frames.combined, WsOpcode::kText, wrapped);
  ++frames.messages;
}

}  // namespace exchange::md
