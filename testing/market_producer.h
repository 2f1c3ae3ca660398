// MarketProducer: an engine whose output goes where the engine service's
// sinks would put it, in process and batch by batch, without RabbitMQ: the
// book state to Redis (BookStateWriter: views, depth and trade streams),
// trades and candles to PostgreSQL (HistoryWriter, CandleAggregator) and
// the live candles to Redis (candle:{S}:I, as the history sink writes
// them). It is what exchange-md reads, made quickly and deterministically,
// for exchange-md's tests, its benchmark and the chart page's browser test.
//
// Owned by one thread (a test or benchmark driver).
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "bookstate/book_state_writer.h"
#include "bookstate/book_view.h"
#include "bookstate/redis_client.h"
#include "candles/candle_aggregator.h"
#include "engine/depth_collector.h"
#include "engine/engine.h"
#include "persistence/history_writer.h"

namespace exchange {

class MarketProducer {
 public:
  struct Options {
    std::string redis_url;
    std::string pg_url;  // the writer role; "" = no history (Redis only)
    std::string pg_schema = "public";
    std::string shard = "market-producer";
    // false: only the instruments go to PostgreSQL (enough for exchange-md
    // to know the symbols), no trades or candles: a faster producer.
    bool write_history = true;
  };
  // Connects to both. Throws what the clients throw.
  MarketProducer(const Options& options, Timestamp start_time);

  // Adds the instrument to the engine and (with history) to `instruments`.
  void AddInstrument(const InstrumentSpec& spec, int price_decimals, int quantity_decimals,
                     Timestamp time);
  // One engine batch: the commands' events, written to Redis and PostgreSQL
  // before it returns. Throws std::runtime_error when a write is refused.
  const std::vector<Event>& Run(std::span<const Command> commands);

  const Engine& engine() const { return engine_; }
  // Every trade so far (the order they were made in), when `keep_trades`.
  const std::vector<persistence::TradeRow>& trades() const { return trades_; }
  void keep_trades(bool keep) { keep_trades_ = keep; }
  // Removes what it wrote of `symbol` from Redis (views, streams, candles).
  void DeleteFromRedis(std::string_view symbol);

 private:
  void WriteLiveCandles();

  Options options_;
  Engine engine_;
  DepthCollector collector_;
  bookstate::BookViews views_;
  bookstate::BookStateWriter book_writer_{bookstate::BookStateWriter::Options{}};
  redis::RedisClient redis_;
  std::unique_ptr<persistence::HistoryWriter> history_;
  candles::CandleAggregator aggregator_;
  std::vector<persistence::InstrumentRow> instruments_;
  std::vector<SymbolName> symbols_;  // by engine symbol id
  std::vector<Event> events_;
  std::vector<wire::EventRecord> records_;
  std::vector<DepthChange> depth_;
  std::vector<persistence::TradeRow> trades_;
  bool keep_trades_ = false;
  bool wrote_all_ = false;
};

}  // namespace exchange
