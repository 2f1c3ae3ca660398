// The data `exchange-bench md` serves: HistoryFeed writes synthetic trades
// to PostgreSQL (and the live candles to Redis) as the history sink does,
// BookFeed a book to Redis as the book-state sink does; the helpers drop
// them again. The main thread, and the live writer's thread once the runs
// start (one at a time).
#pragma once

#include <algorithm>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench/bench_clock.h"
#include "bench/md/options.h"
#include "bookstate/book_state_writer.h"
#include "bookstate/book_view_seed.h"
#include "bookstate/redis_client.h"
#include "candles/candle_aggregator.h"
#include "engine/depth_collector.h"
#include "engine/engine.h"
#include "persistence/history_writer.h"
#include "wire/wire_format.h"

namespace exchange::bench::md_bench {

// Drops the benchmark's PostgreSQL schema.
void DropSchema(const std::string& url, const std::string& schema);

// The live candle of every interval as the history sink writes it
// (candle:{S}:I, bookstate::LiveCandleCommand's HSET).
void WriteLiveCandles(redis::RedisClient& client, const candles::CandleAggregator& aggregator,
                      const std::string& symbol);

// Deletes the symbol's book view and live candles from Redis.
void DeleteRedisData(const std::string& redis_url, const std::string& symbol);

// The trade history: synthetic trades through CandleAggregator and
// HistoryWriter, as the history sink writes them.
class HistoryFeed {
 public:
  HistoryFeed(const Options& o, Timestamp start)
      : o_(o),
        symbol_(o.symbol),
        writer_(persistence::HistoryWriter::Options{o.pg_url, o.schema, "bench-md", 2}, start) {
    writer_.SaveInstruments({{o.symbol, kPriceDecimals, kQuantityDecimals, 1, 1}});
  }

  // Trades from `from` to `to` every `spacing`, in batches.
  void Fill(Timestamp from, Timestamp to, Timestamp spacing) {
    std::vector<persistence::TradeRow> trades;
    for (Timestamp t = from; t < to; t += spacing) {
      trades.push_back(Trade(t));
      if (trades.size() == kWriteBatch) Write(trades);
    }
    Write(trades);
  }

  // One live batch of `count` trades stamped now: Redis first, then
  // PostgreSQL (the history sink's order).
  void LiveBatch(std::size_t count, redis::RedisClient& redis) {
    std::vector<persistence::TradeRow> trades;
    const Timestamp now = WallNs();
    for (std::size_t i = 0; i < count; ++i)
      trades.push_back(Trade(now));
    Write(trades, &redis);
  }

  const candles::CandleAggregator& aggregator() const { return aggregator_; }
  std::size_t trades_written() const { return written_; }

 private:
  persistence::TradeRow Trade(Timestamp t) {
    price_ = std::max<Price>(1, price_ + static_cast<Price>(random_() % 201) - 100);
    persistence::TradeRow r;
    r.symbol = symbol_;
    r.trade_id = ++last_id_;
    r.time = t;
    r.price = price_;
    r.quantity = static_cast<Quantity>(1 + random_() % 5000);
    r.aggressor = random_() % 2 ? Side::kBuy : Side::kSell;
    r.taker_account = 1 + random_() % 1000;
    r.taker_order_id = 2 * r.trade_id;
    r.maker_account = 1 + random_() % 1000;
    r.maker_order_id = 2 * r.trade_id + 1;
    return r;
  }

  void Write(std::vector<persistence::TradeRow>& trades, redis::RedisClient* live = nullptr) {
    if (trades.empty()) return;
    persistence::HistoryBatch batch;
    batch.trades = std::move(trades);
    trades.clear();
    for (const auto& t : batch.trades)
      aggregator_.Add({t.symbol, t.trade_id, t.time, t.price, t.quantity});
    batch.candles = aggregator_.TakeChanges();
    batch.up_to = batch.trades.back().trade_id;
    if (live != nullptr) WriteLiveCandles(*live, aggregator_, o_.symbol);
    if (!writer_.Write(batch).empty()) throw std::runtime_error("PostgreSQL refused trades");
    written_ += batch.trades.size();
  }

  const Options& o_;
  SymbolName symbol_;
  persistence::HistoryWriter writer_;
  candles::CandleAggregator aggregator_;
  std::mt19937_64 random_{11};
  Price price_ = kMidPrice;
  Sequence last_id_ = 0;
  std::size_t written_ = 0;
};

// A book of `levels` price levels per side, made by the engine from
// resting limit orders and written by BookStateWriter (WriteAll of
// SeedBookViews); Change() adds one more order through the engine and
// writes the change as the book-state sink does (DepthCollector,
// ApplyBatch, WriteChanges): a new view sequence.
class BookFeed {
 public:
  explicit BookFeed(const Options& o)
      : o_(o), symbol_(o.symbol), redis_(redis::ParseRedisUrl(o.redis_url)) {
    InstrumentSpec spec;
    spec.symbol = symbol_;
    engine_.Process(Command{++time_, AddInstrument{spec}});
    for (std::size_t level = 1; level <= o.levels; ++level) {
      for (const Side side : {Side::kBuy, Side::kSell}) {
        const std::size_t orders = 1 + random_() % 3;
        for (std::size_t k = 0; k < orders; ++k)
          engine_.Process(Command{++time_, Order(side, level)});
      }
    }
    views_ = bookstate::SeedBookViews(engine_);
    if (const std::string problem = writer_.WriteAll(redis_, views_); !problem.empty())
      throw std::runtime_error("writing the book: " + problem);
  }

  void Change() {
    const Side side = random_() % 2 ? Side::kBuy : Side::kSell;
    const Command command{++time_, Order(side, 1 + random_() % o_.levels)};
    collector_.BeforeCommand(engine_, command);
    const std::span<const Event> events = engine_.Process(command);
    collector_.AfterEvents(events);
    records_.clear();
    for (const Event& e : events)
      records_.push_back(wire::EventRecord{symbol_, e});
    depth_.clear();
    collector_.Finish(engine_, &depth_);
    views_.ApplyBatch(records_, depth_);
    if (const std::string problem = writer_.WriteChanges(redis_, views_); !problem.empty())
      throw std::runtime_error("writing the book: " + problem);
  }

 private:
  // A resting limit order `level` ticks (5 units) from the middle.
  NewOrder Order(Side side, std::size_t level) {
    NewOrder order;
    order.account = 1 + random_() % 100;
    order.symbol = 0;
    order.order_id = ++order_id_;
    order.side = side;
    const auto offset = static_cast<Price>(level) * 5;
    order.price = side == Side::kBuy ? kMidPrice - offset : kMidPrice + offset;
    order.quantity = static_cast<Quantity>(1 + random_() % 20'000);
    return order;
  }

  const Options& o_;
  SymbolName symbol_;
  Engine engine_;
  bookstate::BookViews views_;
  bookstate::BookStateWriter writer_{bookstate::BookStateWriter::Options{}};
  redis::RedisClient redis_;
  DepthCollector collector_;
  std::vector<wire::EventRecord> records_;
  std::vector<DepthChange> depth_;
  std::mt19937_64 random_{5};
  Timestamp time_ = WallNs();
  ClientOrderId order_id_ = 0;
};

}  // namespace exchange::bench::md_bench
