// exchange-bench history: the trade history in PostgreSQL, measured with
// the history sink's own writer (HistoryWriter: COPY, candle merge, progress,
// one transaction per batch) and its candle aggregator.
//
// Insert mode writes --trades synthetic trades (--symbols symbols, prices in
// a random walk, market time advancing at the offered rate) in batches
// of --batch, each with its candle changes for all 16 intervals, into a
// fresh schema; with --rate 0 as fast as PostgreSQL takes them (capacity),
// else open loop: batch k is due when its last trade is, at --rate trades/s,
// and its lag runs from then to its COMMIT (a backlog shows as growing lag).
//
// Query mode (--queries) fills a schema with --query-trades trades the same
// way, then times, through the read-only role when EXCHANGE_PG_READER_URL is
// set, the reads a charting front end and an analyst make: the newest 1,000
// one-minute candles of one symbol, the VWAP of one symbol over one day and
// the other reports, --runs times over the one fill (filling 10 M trades
// takes minutes); each figure is the median over the runs.
#include "bench/history_bench.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "bench/latency_recorder.h"
#include "bench/run_summary.h"
#include "candles/candle_aggregator.h"
#include "persistence/copy_text.h"
#include "persistence/history_pipeline.h"
#include "persistence/history_reports.h"
#include "persistence/history_writer.h"
#include "testing/service_env.h"

namespace exchange::bench {

namespace {

using Clock = std::chrono::steady_clock;

constexpr Timestamp kMarketStart = 1'795'219'200'000'000'000;  // 2026-11-21 00:00 UTC
constexpr Timestamp kDay = 86'400'000'000'000;

struct Options {
  std::size_t runs = 5;
  std::size_t warmup = 1;  // insert runs before the measured ones, not counted
  std::size_t trades = 2'000'000;
  std::size_t symbols = 4;
  std::size_t batch = 50'000;
  std::size_t connections = 2;
  double rate = 0;  // trades/s; 0: capacity
  bool queries = false;
  std::size_t query_trades = 10'000'000;
  double days = 30;  // query mode: the stored trades span this many days
  std::size_t query_repeats = 50;
  std::string pg_url;
  std::string reader_url;
  std::string schema = "bench_history";
  std::string json_file;
  std::size_t ledger_per_trade = 0;       // balance changes (ledger rows) written with each trade
  std::vector<std::string> drop_indexes;  // dropped before writing: what an index costs
};

struct InsertRun {
  double seconds = 0;
  double trades_per_second = 0;
  double ledger_rows_per_second = 0;
  std::size_t batches = 0;
  std::int64_t batch_p50 = 0, batch_p99 = 0, batch_max = 0;  // COMMIT time of a batch, ns
  std::int64_t lag_p50 = 0, lag_p99 = 0, lag_max = 0;        // open loop: due -> COMMIT
  bool kept_up = true;
};

// Synthetic trades, round robin over the symbols, in trade-id order, each
// symbol trading every `spacing` ns.
std::vector<persistence::TradeRow> MakeTrades(std::size_t count, std::size_t symbols,
                                              Timestamp spacing) {
  std::vector<persistence::TradeRow> trades(count);
  std::mt19937_64 random(7);
  std::vector<Price> price(symbols, 1'000'000);
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t s = i % symbols;
    price[s] = std::max<Price>(1, price[s] + static_cast<Price>(random() % 21) - 10);
    persistence::TradeRow& t = trades[i];
    t.symbol = SymbolName("SYM" + std::to_string(s));
    t.trade_id = i + 1;
    t.time = kMarketStart + static_cast<Timestamp>(i / symbols) * spacing;
    t.price = price[s];
    t.quantity = static_cast<Quantity>(1 + random() % 100);
    t.aggressor = random() % 2 ? Side::kBuy : Side::kSell;
    t.taker_account = 1 + random() % 1000;
    t.taker_order_id = 2 * i;
    t.maker_account = 1 + random() % 1000;
    t.maker_order_id = 2 * i + 1;
  }
  return trades;
}

// The balance changes of each trade, as cash risk settles it: buyer and
// seller in two assets each, then the fee account (up to `per_trade` rows).
std::vector<persistence::LedgerRow> MakeLedger(const std::vector<persistence::TradeRow>& trades,
                                               std::size_t per_trade) {
  std::vector<persistence::LedgerRow> rows;
  rows.reserve(trades.size() * per_trade);
  for (const persistence::TradeRow& t : trades) {
    for (std::size_t k = 0; k < per_trade; ++k) {
      persistence::LedgerRow r;
      r.sequence = t.trade_id * 16 + k;  // unique per shard, after the trade's
      r.time = t.time;
      const bool buyer = k % 2 == 0;
      r.account = k >= 4 ? kFeeAccount : (buyer ? t.taker_account : t.maker_account);
      r.asset = SymbolName(k % 4 < 2 ? "USD" : t.symbol.str());
      r.available_delta = buyer ? 0 : t.price * t.quantity;
      r.held_delta = buyer ? -t.price * t.quantity : 0;
      r.available = 1'000'000'000 + static_cast<Amount>(t.trade_id);
      r.held = 1'000'000;
      r.reason = k >= 4 ? BalanceReason::kFee : BalanceReason::kTrade;
      r.symbol = t.symbol;
      r.order_id = buyer ? t.taker_order_id : t.maker_order_id;
      r.exchange_order_id = r.order_id + 1;
      r.trade_id = t.trade_id;
      rows.push_back(r);
    }
  }
  return rows;
}

void DropSchema(const std::string& url, const std::string& schema) {
  pqxx::connection c(url);
  pqxx::work w(c);
  w.exec0("DROP SCHEMA IF EXISTS " + w.quote_name(schema) + " CASCADE");
  w.commit();
}

void DropIndexes(const Options& o) {
  if (o.drop_indexes.empty()) return;
  pqxx::connection c(o.pg_url);
  pqxx::work w(c);
  for (const std::string& index : o.drop_indexes)
    w.exec0("DROP INDEX " + w.quote_name(o.schema) + "." + w.quote_name(index));
  w.commit();
}

// Wakes the bench thread when the pipeline commits.
struct CommitSignal {
  std::mutex mutex;
  std::condition_variable changed;
  std::size_t count = 0;
  void Notify() {
    {
      std::lock_guard lock(mutex);
      ++count;
    }
    changed.notify_one();
  }
  std::size_t Seen() {
    std::lock_guard lock(mutex);
    return count;
  }
  void WaitPast(std::size_t seen) {
    std::unique_lock lock(mutex);
    changed.wait_for(lock, std::chrono::milliseconds(100), [&] { return count > seen; });
  }
};

// Writes `trades` in batches as the history sink does, through a
// HistoryPipeline of o.connections; `rate` 0: at once.
InsertRun WriteTrades(const Options& o, const std::vector<persistence::TradeRow>& trades,
                      const std::vector<persistence::LedgerRow>& ledger, double rate) {
  DropSchema(o.pg_url, o.schema);
  CommitSignal signal;
  persistence::HistoryPipeline pipeline({o.pg_url, o.schema, "bench", 3}, o.connections,
                                        kMarketStart, [&] { signal.Notify(); });
  pipeline.writer().CreatePartitions(
      kMarketStart, static_cast<int>(trades.back().time / kDay - kMarketStart / kDay + 2));
  std::vector<persistence::InstrumentRow> instruments;  // the reports need them
  for (std::size_t s = 0; s < o.symbols; ++s)
    instruments.push_back({"SYM" + std::to_string(s), 2, 0, 1, 1});
  pipeline.writer().SaveInstruments(instruments);
  DropIndexes(o);
  candles::CandleAggregator aggregator;
  LatencyRecorder batch_times(trades.size() / o.batch + 2), lags(trades.size() / o.batch + 2);
  std::vector<Clock::time_point> submitted, due;
  std::size_t committed = 0;
  auto take_committed = [&] {
    for (const auto& c : pipeline.TakeCommitted()) {
      if (!c.refused.empty()) throw std::runtime_error("PostgreSQL refused rows");
      batch_times.Record((c.committed_at - submitted[committed]).count());
      if (rate > 0) lags.Record((c.committed_at - due[committed]).count());
      ++committed;
    }
    if (const std::string why = pipeline.failure(); !why.empty()) throw std::runtime_error(why);
  };
  const auto start = Clock::now();
  InsertRun r;
  for (std::size_t first = 0; first < trades.size(); first += o.batch) {
    const std::size_t last = std::min(first + o.batch, trades.size());
    due.push_back(start + std::chrono::nanoseconds(static_cast<std::int64_t>(
                              static_cast<double>(last) * 1e9 / (rate > 0 ? rate : 1e18))));
    if (rate > 0) std::this_thread::sleep_until(due.back());
    auto batch = std::make_shared<persistence::HistoryBatch>();
    batch->trades.assign(trades.begin() + static_cast<std::ptrdiff_t>(first),
                         trades.begin() + static_cast<std::ptrdiff_t>(last));
    const std::size_t n = ledger.empty() ? 0 : o.ledger_per_trade;
    batch->ledger.assign(ledger.begin() + static_cast<std::ptrdiff_t>(first * n),
                         ledger.begin() + static_cast<std::ptrdiff_t>(last * n));
    for (const auto& t : batch->trades)
      aggregator.Add({t.symbol, t.trade_id, t.time, t.price, t.quantity});
    batch->candles = aggregator.TakeChanges();
    batch->up_to = batch->trades.back().trade_id;
    submitted.push_back(Clock::now());
    pipeline.Submit(std::move(batch));
    ++r.batches;
    take_committed();
  }
  while (committed < r.batches) {
    const std::size_t seen = signal.Seen();
    take_committed();
    if (committed < r.batches) signal.WaitPast(seen);
  }
  r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  r.trades_per_second = static_cast<double>(trades.size()) / r.seconds;
  r.ledger_rows_per_second = static_cast<double>(ledger.size()) / r.seconds;
  if (pipeline.writer().Progress() != trades.back().trade_id)
    throw std::runtime_error("progress is wrong");
  batch_times.Finish();
  lags.Finish();
  r.batch_p50 = batch_times.Percentile(50);
  r.batch_p99 = batch_times.Percentile(99);
  r.batch_max = batch_times.Max();
  if (rate > 0) {
    r.lag_p50 = lags.Percentile(50);
    r.lag_p99 = lags.Percentile(99);
    r.lag_max = lags.Max();
    // Kept up: the last batch committed within a second of being due.
    r.kept_up = r.lag_max < 1'000'000'000;
  }
  return r;
}

double Ms(std::int64_t ns) {
  return static_cast<double>(ns) / 1e6;
}

int RunInsert(const Options& o) {
  // Market time advances as fast as the trades are offered (300,000/s when
  // measuring capacity), as it does when the engine stamps them.
  const double market_rate = o.rate > 0 ? o.rate : 300'000;
  const auto trades =
      MakeTrades(o.trades, o.symbols,
                 static_cast<Timestamp>(static_cast<double>(o.symbols) * 1e9 / market_rate));
  std::cout << "exchange-bench history: " << trades.size() << " trades over " << o.symbols
            << " symbols in batches of " << o.batch << " over " << o.connections << " connections"
            << " (each with its candle changes, 16 "
            << "intervals), "
            << (o.rate > 0 ? "open loop at " + Fixed(o.rate, 0) + " trades/s"
                           : "as fast as possible");
  if (o.ledger_per_trade > 0) {
    std::cout << ", and " << o.ledger_per_trade << " ledger rows (balance changes) per trade";
  }
  std::cout << "\n";
  const auto ledger = MakeLedger(trades, o.ledger_per_trade);
  std::vector<InsertRun> runs;
  nlohmann::json each = nlohmann::json::array(), warmups = nlohmann::json::array();
  for (std::size_t i = 0; i < o.warmup + o.runs; ++i) {
    const bool warming = i < o.warmup;
    runs.push_back(WriteTrades(o, trades, ledger, o.rate));
    const InsertRun& r = runs.back();
    std::cout << "  " << (warming ? "warm-up " : "run ") << (warming ? i + 1 : i + 1 - o.warmup)
              << ": " << static_cast<std::uint64_t>(r.trades_per_second) << " trades/s";
    if (o.ledger_per_trade > 0) {
      std::cout << " + " << static_cast<std::uint64_t>(r.ledger_rows_per_second)
                << " ledger rows/s";
    }
    std::cout << " (" << Fixed(r.seconds, 2) << " s, " << r.batches
              << " transactions; commit ms p50 " << Fixed(Ms(r.batch_p50), 1) << " p99 "
              << Fixed(Ms(r.batch_p99), 1) << " max " << Fixed(Ms(r.batch_max), 1) << ")";
    if (o.rate > 0) {
      std::cout << "; lag ms p50 " << Fixed(Ms(r.lag_p50), 1) << " p99 " << Fixed(Ms(r.lag_p99), 1)
                << " max " << Fixed(Ms(r.lag_max), 1)
                << (r.kept_up ? "; kept up" : "; NOT KEPT UP");
    }
    std::cout << (warming ? " (not counted)\n" : "\n");
    (warming ? warmups : each)
        .push_back(
            {{"seconds", r.seconds},
             {"trades_per_second", r.trades_per_second},
             {"ledger_rows_per_second", r.ledger_rows_per_second},
             {"transactions", r.batches},
             {"commit_ms", {{"p50", Ms(r.batch_p50)}, {"p99", Ms(r.batch_p99)}}},
             {"lag_ms", {{"p50", Ms(r.lag_p50)}, {"p99", Ms(r.lag_p99)}, {"max", Ms(r.lag_max)}}},
             {"kept_up", r.kept_up}});
    if (warming) runs.pop_back();
  }
  DropSchema(o.pg_url, o.schema);
  std::size_t kept_up = 0;
  for (const auto& r : runs)
    kept_up += r.kept_up;
  const double median = MedianOf(runs, [](const InsertRun& r) { return r.trades_per_second; });
  const double ledger_median =
      MedianOf(runs, [](const InsertRun& r) { return r.ledger_rows_per_second; });
  std::cout << "  median of " << runs.size() << ": " << static_cast<std::uint64_t>(median)
            << " trades/s";
  if (o.ledger_per_trade > 0) {
    std::cout << " with " << static_cast<std::uint64_t>(ledger_median) << " ledger rows/s";
  }
  if (o.rate > 0) std::cout << "; kept up in " << kept_up << " of " << runs.size() << " runs";
  std::cout << "\n";
  EmitJson({{"benchmark", "history"},
            {"mode", o.rate > 0 ? "open_loop" : "capacity"},
            {"trades", o.trades},
            {"symbols", o.symbols},
            {"batch", o.batch},
            {"connections", o.connections},
            {"rate", o.rate},
            {"ledger_per_trade", o.ledger_per_trade},
            {"median",
             {{"trades_per_second", median},
              {"ledger_rows_per_second", ledger_median},
              {"runs_kept_up", kept_up}}},
            {"runs", each},
            {"warmup_runs", warmups}},
           o.json_file);
  return 0;
}

// One read a front end or an analyst makes, timed `repeats` times per run.
struct TimedRead {
  TimedRead(std::string n, std::string w, std::function<std::size_t()> r)
      : name(std::move(n)), what(std::move(w)), read(std::move(r)) {}

  std::string name;
  std::string what;
  std::function<std::size_t()> read;   // returns the rows read
  std::vector<double> p50_ms, p99_ms;  // one per run
  std::size_t rows = 0;
};

void TimeRead(TimedRead& r, std::size_t repeats) {
  LatencyRecorder times(repeats);
  for (std::size_t i = 0; i < repeats; ++i) {
    const auto before = Clock::now();
    r.rows = r.read();
    times.Record((Clock::now() - before).count());
  }
  times.Finish();
  r.p50_ms.push_back(Ms(times.Percentile(50)));
  r.p99_ms.push_back(Ms(times.Percentile(99)));
}

int RunQueries(const Options& o) {
  std::cout << "exchange-bench history --queries: filling " << o.query_trades << " trades over "
            << o.symbols << " symbols and " << o.days << " days\n";
  const auto per_symbol = static_cast<double>(o.query_trades) / static_cast<double>(o.symbols);
  const auto trades = MakeTrades(
      o.query_trades, o.symbols,
      static_cast<Timestamp>(o.days * static_cast<double>(kDay) / std::max(per_symbol, 1.0)));
  const InsertRun fill = WriteTrades(o, trades, {}, 0);
  std::cout << "  filled at " << static_cast<std::uint64_t>(fill.trades_per_second)
            << " trades/s\n";
  {
    pqxx::connection c(o.pg_url);
    pqxx::nontransaction w(c);
    w.exec0("ANALYZE " + w.quote_name(o.schema) + ".trades");
    w.exec0("ANALYZE " + w.quote_name(o.schema) + ".candles");
  }
  pqxx::connection reader(o.reader_url);
  {
    pqxx::nontransaction w(reader);
    w.exec0("SET search_path TO " + w.quote_name(o.schema));
  }
  persistence::HistoryReports reports(o.reader_url, o.schema);
  const Timestamp last_time = trades.back().time;
  const std::int64_t day = last_time / kDay - 1;  // a whole day of trades
  const Timestamp from = day * kDay, to = (day + 1) * kDay;
  const std::string candles_sql =
      "SELECT open_time, open, high, low, close, volume FROM candles WHERE symbol = 'SYM0' AND "
      "interval = '1m' ORDER BY open_time DESC LIMIT 1000";
  // The candle read is what a chart asks for; the others are the reports
  // of `exchange-cli report`, made through HistoryReports as it makes them.
  std::vector<TimedRead> reads = {
      {"candles_1000_1m", "the 1,000 newest 1m candles of SYM0",
       [&] {
         pqxx::read_transaction w(reader);
         return static_cast<std::size_t>(w.exec(candles_sql).size());
       }},
      {"vwap_one_day", "VWAP of SYM0 over " + persistence::TimeText(from).substr(0, 10),
       [&] { return static_cast<std::size_t>(reports.Vwap("SYM0", from, to).trade_count); }},
      {"account", "account 1's trades over the day, limit 1000",
       [&] { return reports.AccountTrades(1, from, to, 1000).size(); }},
      {"daily", "SYM0, every day",
       [&] { return reports.DailyOhlc("SYM0", kMarketStart, last_time + kDay).size(); }},
      {"top-accounts", "all symbols over the day, top 10",
       [&] { return reports.TopAccounts(from, to, 10, "").size(); }},
      {"candles", "SYM0 1h recomputed from the day's trades",
       [&] {
         return reports.CandlesFromTrades("SYM0", candles::CandleInterval::k1h, from, to).size();
       }},
  };
  // Each run times every read in turn, so a slow spell of the machine
  // lands on one run of each rather than on all runs of one read.
  for (std::size_t run = 0; run < o.runs; ++run)
    for (auto& r : reads)
      TimeRead(r, o.query_repeats);
  DropSchema(o.pg_url, o.schema);

  std::cout << "  median over " << o.runs << " runs of " << o.query_repeats
            << " repeats each (ms):\n";
  nlohmann::json each = nlohmann::json::object();
  for (const auto& r : reads) {
    const double p50 = Median(r.p50_ms), p99 = Median(r.p99_ms);
    std::cout << "    " << r.name << " (" << r.what << "; " << r.rows << " rows): p50 "
              << Fixed(p50, 2) << " p99 " << Fixed(p99, 2) << "  [run p50s";
    for (const double v : r.p50_ms)
      std::cout << " " << Fixed(v, 2);
    std::cout << "]\n";
    each[r.name] = {{"p50_ms", p50}, {"p99_ms", p99}, {"rows", r.rows}, {"run_p50_ms", r.p50_ms}};
  }
  EmitJson({{"benchmark", "history_queries"},
            {"trades", o.query_trades},
            {"symbols", o.symbols},
            {"fill_trades_per_second", fill.trades_per_second},
            {"runs", o.runs},
            {"repeats", o.query_repeats},
            {"reads", each}},
           o.json_file);
  return 0;
}

}  // namespace

void AddHistoryBenchCommand(CLI::App& app) {
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "history", "Benchmark the trade history in PostgreSQL: inserts (COPY + candles) and reads");
  cmd->add_option("--warmup", o->warmup,
                  "Insert runs made first and not counted (the first writes after PostgreSQL "
                  "starts are slower: cold caches, first files of each partition)")
      ->capture_default_str();
  cmd->add_option("--runs", o->runs,
                  "Runs (insert: each a fresh schema; queries: rounds of reads over one fill); the "
                  "median is reported")
      ->capture_default_str();
  cmd->add_option("--trades", o->trades, "Trades per insert run")->capture_default_str();
  cmd->add_option("--symbols", o->symbols, "Symbols the trades are spread over")
      ->capture_default_str();
  cmd->add_option("--batch", o->batch, "Trades per transaction")->capture_default_str();
  cmd->add_option("--ledger-per-trade", o->ledger_per_trade,
                  "Ledger rows (balance changes, cash risk) written with each trade; 6 is a "
                  "trade's settlement with fees")
      ->capture_default_str();
  cmd->add_option("--drop-index", o->drop_indexes,
                  "Index dropped from the fresh schema before writing (repeatable): what it "
                  "costs the writer, e.g. trades_accounts");
  cmd->add_option("--connections", o->connections,
                  "PostgreSQL connections writing at once (the sink's [postgres] connections)")
      ->capture_default_str();
  cmd->add_option("--rate", o->rate, "Open loop at this many trades/s (0: as fast as possible)")
      ->capture_default_str();
  cmd->add_flag("--queries", o->queries, "Time the candle and VWAP reads instead");
  cmd->add_option("--query-trades", o->query_trades, "Trades stored before the reads")
      ->capture_default_str();
  cmd->add_option("--query-repeats", o->query_repeats, "Times each read runs")
      ->capture_default_str();
  cmd->add_option("--days", o->days, "Days the stored trades span (reads)")->capture_default_str();
  cmd->add_option("--pg-url", o->pg_url, "Writer URL (default: EXCHANGE_PG_URL)");
  cmd->add_option("--reader-url", o->reader_url,
                  "Read-only URL for the reads (default: EXCHANGE_PG_READER_URL, else the writer)");
  cmd->add_option("--schema", o->schema, "Schema used (dropped before and after)")
      ->capture_default_str();
  cmd->add_option("--json", o->json_file, "Also write the JSON result to this file");
  cmd->callback([o] {
    if (o->pg_url.empty()) o->pg_url = testing::ServiceUrl("EXCHANGE_PG_URL", "");
    if (o->pg_url.empty()) {
      throw std::runtime_error(
          "no PostgreSQL URL: pass --pg-url or set EXCHANGE_PG_URL (eval \"$(scripts/services.sh "
          "env)\")");
    }
    if (o->reader_url.empty())
      o->reader_url = testing::ServiceUrl("EXCHANGE_PG_READER_URL", o->pg_url);
    if (o->batch == 0 || o->trades == 0 || o->symbols == 0 || o->runs == 0) {
      throw std::runtime_error("--batch, --trades, --symbols and --runs must be at least 1");
    }
    const int rc = o->queries ? RunQueries(*o) : RunInsert(*o);
    if (rc != 0) throw CLI::RuntimeError(rc);
  });
}

}  // namespace exchange::bench
