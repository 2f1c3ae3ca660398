#include "testing/market_producer.h"

#include <stdexcept>

#include "bookstate/book_view_seed.h"
#include "bookstate/live_candle.h"
#include "bookstate/view_keys.h"

namespace exchange {

MarketProducer::MarketProducer(const Options& options, Timestamp start_time)
    : options_(options), redis_(redis::ParseRedisUrl(options.redis_url)) {
  if (!options.pg_url.empty()) {
    history_ = std::make_unique<persistence::HistoryWriter>(
        persistence::HistoryWriter::Options{options.pg_url, options.pg_schema, options.shard, 2},
        start_time);
  }
}

void MarketProducer::AddInstrument(const InstrumentSpec& spec, int price_decimals,
                                   int quantity_decimals, Timestamp time) {
  engine_.Process(Command{time, exchange::AddInstrument{spec}});
  views_.View(spec.symbol.view());
  const SymbolId id = *engine_.FindSymbol(spec.symbol.view());
  if (symbols_.size() <= id) symbols_.resize(id + 1);
  symbols_[id] = spec.symbol;
  persistence::InstrumentRow row{std::string(spec.symbol.view()), price_decimals, quantity_decimals,
                                 spec.tick_size, spec.lot_size};
  row.min_quantity = spec.min_quantity;
  row.max_quantity = spec.max_quantity;
  row.default_stp = spec.default_stp;
  instruments_.push_back(std::move(row));
  if (history_) history_->SaveInstruments(instruments_);
  wrote_all_ = false;
}

const std::vector<Event>& MarketProducer::Run(std::span<const Command> commands) {
  if (!wrote_all_) {  // the views start whole, with a reset delta
    const std::string refused = book_writer_.WriteAll(redis_, views_);
    if (!refused.empty()) throw std::runtime_error("book state refused: " + refused);
    wrote_all_ = true;
  }
  events_.clear();
  records_.clear();
  depth_.clear();
  persistence::HistoryBatch batch;
  for (const Command& command : commands) {
    collector_.BeforeCommand(engine_, command);
    const auto events = engine_.Process(command);
    collector_.AfterEvents(events);
    for (const Event& e : events) {
      events_.push_back(e);
      if (e.symbol >= symbols_.size()) continue;  // a reject of an unknown symbol
      const SymbolName symbol = symbols_[e.symbol];
      records_.push_back(wire::EventRecord{symbol, e});
      batch.up_to = e.sequence;
      if (e.type != EventType::kTrade) continue;
      const persistence::TradeRow row = persistence::TradeRowOf(symbol, e);
      if (history_ && options_.write_history) batch.trades.push_back(row);
      if (keep_trades_) trades_.push_back(row);
      aggregator_.Add({row.symbol, row.trade_id, row.time, row.price, row.quantity});
    }
  }
  collector_.Finish(engine_, &depth_);
  views_.ApplyBatch(records_, depth_);
  const std::string refused = book_writer_.WriteChanges(redis_, views_);
  if (!refused.empty()) throw std::runtime_error("book state refused: " + refused);
  if (history_ && options_.write_history) {
    batch.candles = aggregator_.TakeChanges();
    const auto refused_rows = history_->Write(batch);
    if (!refused_rows.empty()) {
      throw std::runtime_error("history refused a row of " + refused_rows.front().table + ": " +
                               refused_rows.front().reason);
    }
  } else {
    aggregator_.TakeChanges();
  }
  WriteLiveCandles();
  return events_;
}

void MarketProducer::WriteLiveCandles() {
  for (const persistence::InstrumentRow& row : instruments_) {
    for (candles::CandleInterval interval : candles::AllIntervals()) {
      const auto live = aggregator_.Live(row.symbol, interval);
      if (!live) continue;
      const std::vector<std::string> command = bookstate::LiveCandleCommand(*live);
      redis_.Append(std::vector<std::string_view>(command.begin(), command.end()));
    }
  }
  std::vector<redis::RedisReply> replies;
  redis_.ReadReplies(replies);
}

void MarketProducer::DeleteFromRedis(std::string_view symbol) {
  bookstate::BookStateWriter::DeleteView(redis_, symbol);
  for (candles::CandleInterval interval : candles::AllIntervals())
    redis_.Command({"DEL", bookstate::CandleKeyOf(symbol, candles::IntervalName(interval))});
}

}  // namespace exchange
