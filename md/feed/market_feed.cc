#include "md/feed/market_feed.h"

#include <spdlog/spdlog.h>

#include <array>
#include <set>

#include "base/binance_symbol.h"
#include "bookstate/trade_stream.h"
#include "bookstate/view_keys.h"
#include "candles/candle_interval.h"
#include "md/data/redis_source.h"
#include "md/feed/followed_symbol.h"
#include "md/history/history_source.h"
#include "md/history/instrument_catalog.h"
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

std::vector<std::string> StreamKeys(const std::string& lower) {
  std::vector<std::string> keys;
  StreamName name;
  name.symbol = lower;
  for (StreamKind kind : {StreamKind::kTrade, StreamKind::kAggTrade, StreamKind::kBookTicker}) {
    name.kind = kind;
    keys.push_back(name.ToString());
  }
  name.kind = StreamKind::kDepth;
  for (DepthSpeed speed : {DepthSpeed::k1000ms, DepthSpeed::k100ms}) {
    name.speed = speed;
    keys.push_back(name.ToString());
  }
  name.kind = StreamKind::kPartialDepth;
  for (int levels : kPartialLevels) {
    name.levels = levels;
    for (DepthSpeed speed : {DepthSpeed::k1000ms, DepthSpeed::k100ms}) {
      name.speed = speed;
      keys.push_back(name.ToString());
    }
  }
  for (StreamKind kind : {StreamKind::kMiniTicker, StreamKind::kTicker}) {
    name.kind = kind;
    keys.push_back(name.ToString());
  }
  name.kind = StreamKind::kWindowTicker;
  for (TickerWindow window : kTickerWindows) {
    name.window = window;
    keys.push_back(name.ToString());
  }
  name.kind = StreamKind::kAvgPrice;
  keys.push_back(name.ToString());
  name.kind = StreamKind::kKline;
  for (candles::CandleInterval interval : candles::AllIntervals()) {
    name.interval = interval;
    keys.push_back(name.ToString());
  }
  return keys;
}

BookTop TopOf(const bookstate::DepthFollower& book) {
  BookTop top;
  if (!book.bids().empty()) {
    top.bid = book.bids().begin()->first;
    top.bid_quantity = book.bids().begin()->second.quantity;
  }
  if (!book.asks().empty()) {
    top.ask = book.asks().begin()->first;
    top.ask_quantity = book.asks().begin()->second.quantity;
  }
  return top;
}

}  // namespace

MarketFeed::MarketFeed(Options options, StreamRegistry& registry, WsStats& stats, Publisher publish)
    : options_(std::move(options)),
      registry_(registry),
      stats_(stats),
      publish_(std::move(publish)),
      batch_(std::make_shared<FeedBatch>()) {
  every_keys_ = {EverySymbolKey(StreamKind::kMiniTicker), EverySymbolKey(StreamKind::kTicker)};
  for (TickerWindow window : kTickerWindows)
    every_keys_.push_back(EverySymbolKey(StreamKind::kWindowTicker, window));
  every_followed_.assign(every_keys_.size(), 0);
  every_arrays_.resize(every_keys_.size());
}

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
  const std::vector<persistence::InstrumentRow> rows = catalog_->All();
  // A Binance form is served when it names one instrument only and is not
  // another instrument's own name.
  std::map<std::string, std::size_t> forms;
  std::set<std::string> own;
  for (const persistence::InstrumentRow& row : rows) {
    own.insert(LowerCase(row.symbol));
    ++forms[LowerCase(BinanceSymbol(row.symbol))];
  }
  std::map<std::string, std::string> names;
  for (const persistence::InstrumentRow& row : rows) {
    const std::string lower = LowerCase(row.symbol);
    const std::string form = LowerCase(BinanceSymbol(row.symbol));
    const bool aliased = form != lower && forms[form] == 1 && !own.contains(form);
    names.emplace(lower, row.symbol);
    if (aliased) names.emplace(form, row.symbol);
    auto [it, added] = followed_.try_emplace(row.symbol);
    if (added) {
      it->second = std::make_unique<Followed>();
      Followed& f = *it->second;
      f.row = row;
      f.depth_key = bookstate::KeyOf(row.symbol, ViewKey::kDepth);
      f.trades_key = bookstate::KeyOf(row.symbol, ViewKey::kTrades);
      const SymbolName symbol(row.symbol);
      for (candles::CandleInterval interval : candles::AllIntervals())
        f.klines.emplace_back(symbol, interval);
      f.kline_updates.resize(f.klines.size());
    }
    const std::string alias = aliased ? BinanceSymbol(row.symbol) : "";
    if (added || alias != it->second->alias) SetNames(*it->second, alias);
  }
  for (auto& [symbol, f] : followed_) {
    if (!f->synced) Follow(*f);
  }
  registry_.SetSymbols(std::move(names));
  symbols_checked_ = Clock::now();
}

void MarketFeed::SetNames(Followed& f, const std::string& alias) {
  f.alias = alias;
  f.names.clear();
  for (const std::string& symbol : {f.row.symbol, alias}) {
    if (symbol.empty()) continue;
    Name name;
    name.row = f.row;
    name.row.symbol = symbol;
    name.keys = StreamKeys(LowerCase(symbol));
    name.followed.assign(name.keys.size(), 0);
    f.names.push_back(std::move(name));
  }
  followed_generation_ = UINT64_MAX;  // read which are followed again
}

void MarketFeed::RefreshFollowed() {
  const std::uint64_t generation = registry_.generation();
  if (generation == followed_generation_) return;
  followed_generation_ = generation;
  registry_.Followed(every_keys_, every_followed_);
  for (auto& [symbol, f] : followed_) {
    for (Name& name : f->names)
      registry_.Followed(name.keys, name.followed);
  }
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
    for (DepthPace& pace : f.paces)
      pace.Start(book.sequence);
    f.top = TopOf(f.depth);
    f.positioned = true;
    f.synced = true;
    return;
  }
  Resync(f);
}

void MarketFeed::TouchWholeBook(Followed& f) {
  for (DepthPace& pace : f.paces)
    pace.TouchAll(f.depth);
}

void MarketFeed::Resync(Followed& f) {
  const bookstate::BookSnapshot book = snapshots_->ReadBook(f.row.symbol, 0);
  TouchWholeBook(f);
  f.depth.Start(book.sequence, book.bids, book.asks);
  TouchWholeBook(f);
  UpdateTop(f);
  f.synced = true;
  stats_.feed_resyncs.fetch_add(1, std::memory_order_relaxed);
}

void MarketFeed::UpdateTop(Followed& f) {
  const BookTop top = TopOf(f.depth);
  if (top == f.top) return;
  f.top = top;
  Emit(f, kBookTickerSlot, [&](std::string& out, const persistence::InstrumentRow& row) {
    AppendBookTickerMessage(out, row, f.depth.sequence(), top);
  });
}

void MarketFeed::ReadStreams() {
  std::vector<std::string_view> argv{"XREAD", "COUNT"};
  const std::string count = std::to_string(options_.read_count);
  // Blocks no longer than until the next depth streams are due.
  auto wait = options_.block;
  for (const auto due : depth_due_) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(due - Clock::now());
    wait = std::min(wait, std::max(left, std::chrono::milliseconds(1)));
  }
  const std::string block = std::to_string(wait.count());
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
    std::this_thread::sleep_for(wait);
    return;
  }
  for (auto& [symbol, f] : followed_) {
    if (!f->positioned) continue;
    argv.push_back(f->depth_id);
    argv.push_back(f->trades_id);
  }
  const redis::RedisReply reply = reader_->Command(argv);
  if (reply.is_error()) throw std::runtime_error("XREAD refused: " + std::string(reply.str()));
  // Which streams are followed now, not before the XREAD: it blocked, and
  // what it brought may have been written after a subscription made
  // meanwhile (whose client may then have taken its snapshot). A stream
  // followed after this point gets only what was in Redis before it.
  RefreshFollowed();
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
  for (DepthPace& pace : f.paces)
    pace.Touch(delta);
  UpdateTop(f);
}

void MarketFeed::OnTradeEntry(Followed& f, const std::vector<bookstate::TradePrint>& trades) {
  std::size_t fresh = trades.size();  // the first not sent before (the rest were replayed)
  for (std::size_t t = 0; t < trades.size(); ++t) {
    for (std::size_t i = 0; i < f.klines.size(); ++i)
      f.klines[i].OnTrade(trades[t], f.kline_updates[i]);
    if (f.ticker) f.ticker->OnTrade(trades[t]);
    if (trades[t].sequence > f.trades_sent_up_to && fresh == trades.size()) fresh = t;
  }
  if (fresh == trades.size()) return;
  f.trades_sent_up_to = trades.back().sequence;
  const std::span<const bookstate::TradePrint> sent(trades.data() + fresh, trades.size() - fresh);
  for (const bookstate::TradePrint& trade : sent) {
    Emit(f, kTradeSlot, [&](std::string& out, const persistence::InstrumentRow& row) {
      AppendTradeMessage(out, row, trade);
    });
  }
  aggregates_.clear();
  AggregateTradePrints(sent, aggregates_);
  for (const TradeAggregate& aggregate : aggregates_) {
    Emit(f, kAggTradeSlot, [&](std::string& out, const persistence::InstrumentRow& row) {
      AppendAggTradeMessage(out, row, aggregate);
    });
  }
}

void MarketFeed::RenderDepth(Followed& f, DepthSpeed speed) {
  const auto s = static_cast<std::size_t>(speed);
  if (const auto update = f.paces[s].Take(f.depth, WallNow())) {
    Emit(f, kDepthSlot + s, [&](std::string& out, const persistence::InstrumentRow& row) {
      AppendDepthMessage(out, row, *update);
    });
  }
  for (std::size_t i = 0; i < kPartialSizes; ++i) {
    const auto levels = static_cast<std::size_t>(kPartialLevels[i]);
    Emit(f, PartialSlot(i, speed), [&](std::string& out, const persistence::InstrumentRow& row) {
      AppendPartialDepthMessage(out, row, f.depth.sequence(), f.depth.bids(), f.depth.asks(),
                                levels);
    });
  }
}

void MarketFeed::RenderKlines(Followed& f, const std::vector<KlineTracker::Update>& updates,
                              std::size_t interval_index) {
  // Every closing, and the newest state of the open candle.
  for (std::size_t i = 0; i < updates.size(); ++i) {
    const bool last = i + 1 == updates.size();
    if (!updates[i].closed && !last) continue;
    Emit(f, kKlineSlot + interval_index,
         [&](std::string& out, const persistence::InstrumentRow& row) {
           AppendKlineMessage(out, row, updates[i].candle, updates[i].closed, WallNow());
         });
  }
}

void MarketFeed::Publish() {
  // The depth updates take the books as the reads (and resyncs) left them:
  // a stream followed since then must get them (its client's snapshot may
  // be older than what they cover), one followed later has a snapshot at
  // least as new.
  RefreshFollowed();
  const Timestamp now = WallNow();
  const Timestamp grace = std::chrono::nanoseconds(options_.kline_grace).count();
  // The depth streams of a speed go out together, once per its interval.
  const auto steady = Clock::now();
  const std::chrono::milliseconds intervals[kDepthSpeeds] = {options_.depth_interval,
                                                             options_.fast_depth_interval};
  bool due[kDepthSpeeds];
  for (int s = 0; s < kDepthSpeeds; ++s) {
    due[s] = steady >= depth_due_[s];
    if (due[s]) depth_due_[s] = steady + intervals[s];
  }
  if (steady >= ticker_due_) {
    ticker_due_ = steady + options_.ticker_interval;
    RenderTickers(now);
  }
  for (auto& [symbol, f] : followed_) {
    for (int s = 0; s < kDepthSpeeds; ++s) {
      if (due[s]) RenderDepth(*f, static_cast<DepthSpeed>(s));
    }
    for (std::size_t i = 0; i < f->klines.size(); ++i) {
      f->klines[i].OnClock(now, grace, f->kline_updates[i]);
      if (f->kline_updates[i].empty()) continue;
      RenderKlines(*f, f->kline_updates[i], i);
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
