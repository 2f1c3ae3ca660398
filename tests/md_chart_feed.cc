// md_chart_feed: a small live market for exchange-md's chart page test
// (tests/browser/chart_page.test.mjs), written where exchange-md reads: an
// in-process Engine trades a random-walk order flow (market makers resting
// limit orders around a drifting mid, takers crossing with IOCs, cancels)
// on a few symbols; the book goes to Redis through BookStateWriter (views,
// depth and trade streams), trades and candles to PostgreSQL through
// HistoryWriter and CandleAggregator (in a schema of the caller's), the live
// candles to Redis (candle:{S}:I) as the engine service's history sink
// writes them. As md_server_test does, without RabbitMQ or the service.
//
// First `--history-minutes` of past trading (so the chart has candles at
// once), then "md_chart_feed: ready" on stdout, then live trading with the
// wall clock, one batch every `--batch-ms`, until `--seconds` have passed or
// SIGTERM/SIGINT. With --linger, once `--seconds` of live trading are over
// it prints each symbol's book as the engine holds it (a line
// "md_chart_feed: book SYMBOL {"bids":[["price","qty"],...],"asks":[...]}",
// prices and quantities with the instrument's decimals, best first) and
// waits for SIGTERM/SIGINT with the market quiet: what the Binance client
// test compares the book it kept against. With --cleanup, the schema and
// the symbols' Redis keys are removed at exit.
//
// One thread (main).
#include <signal.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <deque>
#include <iostream>
#include <pqxx/pqxx>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "base/fixed_point_text.h"
#include "bookstate/book_state_writer.h"
#include "bookstate/book_view_seed.h"
#include "bookstate/view_keys.h"
#include "candles/candle_aggregator.h"
#include "engine/depth_collector.h"
#include "engine/engine.h"
#include "persistence/history_writer.h"

namespace {

using namespace exchange;

constexpr Timestamp kMilli = 1'000'000;
constexpr Timestamp kSecond = 1000 * kMilli;

std::atomic<bool> stop_requested{false};

Timestamp NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// One symbol's market: its instrument, the random walk of its mid, and the
// resting orders its makers placed (oldest first).
struct Market {
  persistence::InstrumentRow row;
  SymbolId id = 0;
  Price mid = 0;
  Price anchor = 0;  // the mid reverts slowly to it
  double drift = 0;  // the walk's fractional ticks
  std::deque<std::pair<AccountId, ClientOrderId>> resting;
};

class Flow {
 public:
  Flow(std::uint64_t seed, std::size_t max_resting) : rng_(seed), max_resting_(max_resting) {}

  // The next command of `m`, stamped `time`.
  Command Next(Market& m, const Engine& engine, Timestamp time) {
    Walk(m);
    const int roll = Uniform(0, 99);
    if (m.resting.size() > max_resting_ || (roll < 15 && !m.resting.empty())) {
      const auto [account, id] = m.resting.front();
      m.resting.pop_front();
      if (engine.FindOrder(account, id) != nullptr) {
        return Command{time, CancelOrder{account, m.id, id, 0}};
      }
    }
    NewOrder o;
    o.account = static_cast<AccountId>(Uniform(1, 60));
    o.symbol = m.id;
    o.order_id = next_id_++;
    o.side = Uniform(0, 1) ? Side::kBuy : Side::kSell;
    const Price tick = m.row.tick_size;
    if (roll < 42) {  // a taker: through the mid, immediate or cancel
      o.tif = TimeInForce::kIoc;
      const Price reach = Uniform(2, 12) * tick;
      o.price = o.side == Side::kBuy ? m.mid + reach : m.mid - reach;
      o.quantity = Uniform(1, 25) * m.row.lot_size;
    } else {  // a maker: resting a few ticks away from the mid
      const Price away = Uniform(1, 30) * tick;
      o.price = o.side == Side::kBuy ? m.mid - away : m.mid + away;
      o.quantity = Uniform(1, 60) * m.row.lot_size;
      m.resting.emplace_back(o.account, o.order_id);
    }
    o.price = std::max(o.price, tick);
    return Command{time, o};
  }

 private:
  int Uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }

  // A random walk of the mid in ticks, pulled gently back to the anchor.
  void Walk(Market& m) {
    std::normal_distribution<double> step(0.0, 0.9);
    const double pull =
        0.002 * static_cast<double>(m.anchor - m.mid) / static_cast<double>(m.row.tick_size);
    m.drift += step(rng_) + pull;
    const auto whole = static_cast<Price>(m.drift);
    m.drift -= static_cast<double>(whole);
    m.mid = std::max(m.mid + whole * m.row.tick_size, 50 * m.row.tick_size);
  }

  std::mt19937_64 rng_;
  std::size_t max_resting_;
  ClientOrderId next_id_ = 1;
};

// The live candles as the history sink writes them (candle:{S}:I), every
// interval of every symbol, in one MULTI/EXEC.
void WriteLiveCandles(redis::RedisClient& redis, const candles::CandleAggregator& aggregator,
                      const std::vector<Market>& markets) {
  redis.Append({"MULTI"});
  std::size_t queued = 0;
  for (const Market& m : markets) {
    for (const candles::CandleInterval interval : candles::AllIntervals()) {
      const auto c = aggregator.Live(m.row.symbol, interval);
      if (!c) continue;
      const auto n = [](auto v) { return std::to_string(v); };
      const std::string key = bookstate::CandleKeyOf(m.row.symbol, candles::IntervalName(interval));
      const std::string values[] = {n(c->open_time),    n(c->close_time),
                                    n(c->open),         n(c->high),
                                    n(c->low),          n(c->close),
                                    n(c->volume),       candles::QuoteVolumeString(c->quote_volume),
                                    n(c->trade_count),  n(c->first_trade_id),
                                    n(c->last_trade_id)};
      const char* names[] = {"open_time", "close_time",     "open",         "high",
                             "low",       "close",          "volume",       "quote_volume",
                             "trades",    "first_trade_id", "last_trade_id"};
      std::vector<std::string_view> argv = {"HSET", key};
      for (std::size_t i = 0; i < std::size(names); ++i) {
        argv.push_back(names[i]);
        argv.push_back(values[i]);
      }
      redis.Append(argv);
      ++queued;
    }
  }
  redis.Append({"EXEC"});
  for (std::size_t i = 0; i < queued + 2; ++i) {
    const redis::RedisReply reply = redis.ReadReply();
    if (reply.is_error()) throw std::runtime_error("live candles: " + std::string(reply.str()));
  }
}

struct Options {
  std::string redis_url;
  std::string pg_url;
  std::string schema;
  std::vector<std::string> symbols;
  double seconds = 0;  // 0: until a signal
  double history_minutes = 90;
  double history_rate = 4;  // commands a second per symbol, in the past
  double rate = 60;         // commands a second per symbol, live
  int batch_ms = 100;
  std::size_t max_resting = 300;
  std::uint64_t seed = 1;
  bool cleanup = false;
  bool linger = false;
};

class Feed {
 public:
  explicit Feed(const Options& options)
      : options_(options),
        flow_(options.seed, options.max_resting),
        redis_(redis::ParseRedisUrl(options.redis_url)) {}

  int Run() {
    const Timestamp now = NowNs();
    const Timestamp start = now - static_cast<Timestamp>(options_.history_minutes * 60.0 *
                                                         static_cast<double>(kSecond));
    history_ = std::make_unique<persistence::HistoryWriter>(
        persistence::HistoryWriter::Options{options_.pg_url, options_.schema, "md-chart-feed", 2},
        start);
    AddMarkets(start);

    // The past: commands spread evenly until now.
    const auto past_step = static_cast<Timestamp>(static_cast<double>(kSecond) /
                                                  std::max(options_.history_rate, 0.01));
    std::vector<std::pair<Market*, Timestamp>> plan;
    for (Timestamp t = start; t < now; t += past_step) {
      for (Market& m : markets_)
        plan.emplace_back(&m, t);
      if (plan.size() >= 400) Flush(plan);
    }
    Flush(plan);
    std::cout << "md_chart_feed: ready, " << trades_ << " trades in the history of "
              << markets_.size() << " symbols" << std::endl;

    // Live, with the wall clock.
    const auto began = std::chrono::steady_clock::now();
    const auto batch = std::chrono::milliseconds(options_.batch_ms);
    double owed = 0;  // commands per symbol due and not yet sent
    auto next = began;
    while (!stop_requested.load()) {
      if (options_.seconds > 0 && std::chrono::steady_clock::now() - began >=
                                      std::chrono::duration<double>(options_.seconds)) {
        break;
      }
      next += batch;
      std::this_thread::sleep_until(next);
      owed += options_.rate * options_.batch_ms / 1000.0;
      const Timestamp t = NowNs();
      while (owed >= 1) {
        for (Market& m : markets_)
          plan.emplace_back(&m, t);
        owed -= 1;
      }
      Flush(plan);
      if (++batches_ % (5000 / std::max(options_.batch_ms, 1)) == 0) {
        std::cout << "md_chart_feed: " << trades_ << " trades" << std::endl;
      }
    }
    std::cout << "md_chart_feed: stopped, " << trades_ << " trades" << std::endl;
    if (options_.linger) {
      PrintBooks();
      while (!stop_requested.load())
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return 0;
  }

  // Each symbol's whole book as the engine holds it, one line each.
  void PrintBooks() const {
    for (const Market& m : markets_) {
      std::string line = "md_chart_feed: book " + m.row.symbol + " {";
      for (const Side side : {Side::kBuy, Side::kSell}) {
        line += side == Side::kBuy ? "\"bids\":[" : ",\"asks\":[";
        const char* comma = "";
        for (const DepthLevel& level : engine_.Depth(m.id, side, 1'000'000)) {
          line += comma;
          line += "[\"" + FixedPoint(level.price, m.row.price_decimals) + "\",\"" +
                  FixedPoint(level.quantity, m.row.quantity_decimals) + "\"]";
          comma = ",";
        }
        line += "]";
      }
      std::cout << line << "}" << std::endl;
    }
  }

 private:
  // The instruments: prices of a few hundred with cents, and of about one
  // with four decimals, by turns.
  void AddMarkets(Timestamp start) {
    std::vector<persistence::InstrumentRow> rows;
    for (std::size_t i = 0; i < options_.symbols.size(); ++i) {
      Market m;
      const bool cents = i % 2 == 0;
      m.row = cents ? persistence::InstrumentRow{options_.symbols[i], 2, 3, 1, 1000}
                    : persistence::InstrumentRow{options_.symbols[i], 4, 0, 1, 1};
      m.mid = m.anchor = cents ? 25'000 + static_cast<Price>(i) * 7'000 : 18'500;
      m.row.min_quantity = m.row.lot_size;
      m.row.max_quantity = 1'000'000 * m.row.lot_size;
      InstrumentSpec spec;
      spec.symbol = SymbolName(m.row.symbol);
      spec.tick_size = m.row.tick_size;
      spec.lot_size = m.row.lot_size;
      spec.min_quantity = m.row.min_quantity;
      spec.max_quantity = m.row.max_quantity;
      m.id = static_cast<SymbolId>(i);
      engine_.Process(Command{start - kSecond, AddInstrument{spec}});
      names_.push_back(spec.symbol);
      rows.push_back(m.row);
      markets_.push_back(std::move(m));
    }
    history_->SaveInstruments(rows);
    views_ = bookstate::SeedBookViews(engine_);
    const std::string refused = book_writer_.WriteAll(redis_, views_);
    if (!refused.empty()) throw std::runtime_error("redis refused the views: " + refused);
  }

  // Runs `plan` through the engine and writes what it did: one batch.
  void Flush(std::vector<std::pair<Market*, Timestamp>>& plan) {
    if (plan.empty()) return;
    persistence::HistoryBatch batch;
    records_.clear();
    depth_.clear();
    for (const auto& [market, time] : plan) {
      const Command command = flow_.Next(*market, engine_, time);
      collector_.BeforeCommand(engine_, command);
      const auto events = engine_.Process(command);
      collector_.AfterEvents(events);
      for (const Event& e : events) {
        const SymbolName& symbol = names_[e.symbol];
        records_.push_back(wire::EventRecord{symbol, e});
        batch.up_to = e.sequence;
        if (e.type != EventType::kTrade) continue;
        const persistence::TradeRow row = persistence::TradeRowOf(symbol, e);
        batch.trades.push_back(row);
        aggregator_.Add({row.symbol, row.trade_id, row.time, row.price, row.quantity});
        ++trades_;
      }
    }
    plan.clear();
    collector_.Finish(engine_, &depth_);
    views_.ApplyBatch(records_, depth_);
    if (const std::string refused = book_writer_.WriteChanges(redis_, views_); !refused.empty()) {
      throw std::runtime_error("redis refused a write: " + refused);
    }
    batch.candles = aggregator_.TakeChanges();
    if (const auto refused = history_->Write(batch); !refused.empty()) {
      throw std::runtime_error("postgresql refused a row: " + refused.front().reason);
    }
    WriteLiveCandles(redis_, aggregator_, markets_);
  }

  Options options_;
  Flow flow_;
  Engine engine_;
  std::vector<Market> markets_;
  std::vector<SymbolName> names_;  // by SymbolId
  redis::RedisClient redis_;
  std::unique_ptr<persistence::HistoryWriter> history_;
  bookstate::BookViews views_;
  bookstate::BookStateWriter book_writer_{bookstate::BookStateWriter::Options{}};
  candles::CandleAggregator aggregator_;
  DepthCollector collector_;
  std::vector<wire::EventRecord> records_;
  std::vector<DepthChange> depth_;
  std::uint64_t trades_ = 0;
  std::uint64_t batches_ = 0;
};

// The symbols' Redis keys and the schema, at exit with --cleanup.
void Cleanup(const Options& options) {
  redis::RedisClient redis(redis::ParseRedisUrl(options.redis_url));
  for (const std::string& symbol : options.symbols) {
    bookstate::BookStateWriter::DeleteView(redis, symbol);
    for (const candles::CandleInterval interval : candles::AllIntervals())
      redis.Command({"DEL", bookstate::CandleKeyOf(symbol, candles::IntervalName(interval))});
  }
  pqxx::connection c(options.pg_url);
  pqxx::work w(c);
  w.exec0("DROP SCHEMA IF EXISTS " + w.quote_name(options.schema) + " CASCADE");
  w.commit();
}

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  options.redis_url = Env("EXCHANGE_REDIS_URL");
  options.pg_url = Env("EXCHANGE_PG_URL");
  CLI::App app{"md_chart_feed: a live market in Redis and PostgreSQL for exchange-md's tests"};
  app.add_option("--redis-url", options.redis_url, "Redis (env EXCHANGE_REDIS_URL)");
  app.add_option("--pg-url", options.pg_url, "PostgreSQL, the writer role (env EXCHANGE_PG_URL)");
  app.add_option("--schema", options.schema, "schema of the history tables")->required();
  app.add_option("--symbols", options.symbols, "symbols to trade (at most 15 characters)")
      ->required()
      ->delimiter(',');
  app.add_option("--seconds", options.seconds, "live trading time; 0: until SIGTERM")
      ->capture_default_str();
  app.add_option("--history-minutes", options.history_minutes, "past trading written first")
      ->capture_default_str();
  app.add_option("--history-rate", options.history_rate, "past commands a second per symbol")
      ->capture_default_str();
  app.add_option("--rate", options.rate, "live commands a second per symbol")
      ->capture_default_str();
  app.add_option("--batch-ms", options.batch_ms, "live batch period")
      ->capture_default_str()
      ->check(CLI::Range(1, 10'000));
  app.add_option("--seed", options.seed, "random seed")->capture_default_str();
  app.add_flag("--cleanup", options.cleanup, "drop the schema and the Redis keys at exit");
  app.add_flag("--linger", options.linger,
               "after --seconds, print the engine's books and wait for a signal");
  CLI11_PARSE(app, argc, argv);
  if (options.redis_url.empty() || options.pg_url.empty()) {
    std::cerr << "md_chart_feed: set --redis-url and --pg-url (or EXCHANGE_REDIS_URL and "
                 "EXCHANGE_PG_URL: eval \"$(scripts/services.sh env)\")\n";
    return 2;
  }
  for (const std::string& s : options.symbols) {
    if (!SymbolName::Fits(s)) {
      std::cerr << "md_chart_feed: symbol '" << s << "' is empty or longer than 15 characters\n";
      return 2;
    }
  }
  struct sigaction action {};
  action.sa_handler = [](int) { stop_requested.store(true); };
  sigaction(SIGTERM, &action, nullptr);
  sigaction(SIGINT, &action, nullptr);

  int status = 0;
  try {
    Feed feed(options);
    status = feed.Run();
  } catch (const std::exception& e) {
    std::cerr << "md_chart_feed: " << e.what() << "\n";
    status = 1;
  }
  if (options.cleanup) {
    try {
      Cleanup(options);
    } catch (const std::exception& e) {
      std::cerr << "md_chart_feed: cleanup: " << e.what() << "\n";
      status = status ? status : 1;
    }
  }
  return status;
}
