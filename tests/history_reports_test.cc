// persistence/history_reports.h against a real PostgreSQL
// (scripts/services.sh, EXCHANGE_PG_URL): 300,000 synthetic trades over six
// days (Saturday 2026-11-28 to Thursday 2026-12-03, across a week and a
// month boundary), six symbols and 500 accounts are written with the history
// sink's writer (and their 1d candles with the candle aggregator) into a
// schema of this test's own, dropped at the end; then every report is
// compared with a plain C++ computation over the same trades, the error
// cases are checked, and the plans: the index each report is meant to use,
// and only the day partitions of its window. Also `exchange-cli report`'s
// output (tools/cli/report.h) on the same data.
//
// EXCHANGE_REPORTS_PRINT_PLANS=1 prints each report's EXPLAIN ANALYZE (for
// persistence/README.md).
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "candles/candle_aggregator.h"
#include "persistence/history_reports.h"
#include "persistence/history_writer.h"
#include "tests/service_env.h"
#include "tools/cli/cli_error.h"
#include "tools/cli/report.h"

namespace exchange::persistence {
namespace {

using candles::Candle;
using candles::CandleInterval;
using candles::CandleTrade;

constexpr Timestamp kHour = 3'600'000'000'000;
constexpr Timestamp kDay = 24 * kHour;
constexpr Timestamp kStart = 20'785 * kDay;  // 2026-11-28 00:00 UTC, a Saturday
constexpr int kDays = 6;                     // to 2026-12-04: Monday 11-30, 12-01 inside
constexpr std::size_t kTrades = 300'000;
constexpr std::size_t kBatch = 50'000;
constexpr AccountId kAccounts = 500;

struct SymbolSpec {
  const char* name;
  int weight;
  Price start_price;
  int price_decimals;
  int quantity_decimals;
};
constexpr SymbolSpec kSymbols[] = {
    {"BTC-USD", 30, 6'543'210, 2, 6}, {"ETH-USD", 20, 345'678, 2, 4},
    {"SOL-USD", 15, 1'234'567, 4, 2}, {"XRP-USD", 15, 5'432, 4, 0},
    {"ADA-USD", 10, 4'321, 4, 1},     {"DOGE-USD", 10, 123'456, 6, 0},
};

// The time PostgreSQL stores: truncated to the microsecond.
Timestamp Stored(Timestamp t) {
  return t - t % 1000;
}
// A window bound as the reports apply it to stored times.
Timestamp BoundOf(Timestamp t) {
  return t % 1000 > 0 ? t - t % 1000 + 1000 : t;
}
bool InWindow(const TradeRow& t, Timestamp from, Timestamp to) {
  return Stored(t.time) >= BoundOf(from) && Stored(t.time) < BoundOf(to);
}

// Trade ids 1..kTrades in order; times advance evenly with a few
// nanoseconds of noise, and one trade in 30 is stamped up to 5 s early
// (times may go backwards relative to trade ids: open and close follow the
// ids). Symbols weighted, accounts skewed (a few trade a lot), one trade in
// 200 a self-trade.
std::vector<TradeRow> MakeTrades() {
  std::mt19937_64 random(20261128);
  std::vector<TradeRow> trades(kTrades);
  std::vector<Price> price;
  std::vector<int> cumulative;
  int total = 0;
  for (const SymbolSpec& s : kSymbols) {
    price.push_back(s.start_price);
    cumulative.push_back(total += s.weight);
  }
  const Timestamp spacing = kDays * kDay / static_cast<Timestamp>(kTrades);
  auto account = [&] {
    const double u = static_cast<double>(random() % 1'000'000) / 1e6;
    return static_cast<AccountId>(1 + static_cast<AccountId>(u * u * kAccounts));
  };
  for (std::size_t i = 0; i < kTrades; ++i) {
    const int pick = static_cast<int>(random() % static_cast<std::uint64_t>(total));
    const std::size_t s = static_cast<std::size_t>(
        std::upper_bound(cumulative.begin(), cumulative.end(), pick) - cumulative.begin());
    price[s] = std::max<Price>(1, price[s] + static_cast<Price>(random() % 41) - 20);
    TradeRow& t = trades[i];
    t.symbol = SymbolName(kSymbols[s].name);
    t.trade_id = i + 1;
    t.time = kStart + static_cast<Timestamp>(i) * spacing + static_cast<Timestamp>(random() % 5000);
    if (random() % 30 == 0)
      t.time = std::max(kStart, t.time - static_cast<Timestamp>(random() % 5'000'000'000));
    t.price = price[s];
    t.quantity = static_cast<Quantity>(1 + random() % 1000);
    t.aggressor = random() % 2 ? Side::kBuy : Side::kSell;
    t.taker_account = account();
    t.taker_order_id = 2 * i + 1;
    t.maker_account = random() % 200 == 0 ? t.taker_account : account();
    t.maker_order_id = 2 * i + 2;
  }
  return trades;
}

std::vector<CandleTrade> CandleTrades(const std::vector<TradeRow>& trades) {
  std::vector<CandleTrade> out;
  for (const TradeRow& t : trades)
    out.push_back({t.symbol, t.trade_id, t.time, t.price, t.quantity});
  return out;
}

std::string TimeLabel(Timestamp t) {
  return cli::FormatReportTime(t);
}

class HistoryReportsTest : public ::testing::Test {
 protected:
  // The schema and its trades, written once for all the tests.
  static void SetUpTestSuite() {
    url_ = ::exchange::testing::ServiceUrl("EXCHANGE_PG_URL");
    if (url_.empty()) return;
    schema_ = "exchange_reports_test_" + std::to_string(::getpid());
    const auto start = std::chrono::steady_clock::now();
    try {
      trades_ = MakeTrades();
      {
        PgConnection c(url_);
        c.Exec("DROP SCHEMA IF EXISTS \"" + schema_ + "\" CASCADE");
      }
      HistoryWriter writer(HistoryWriter::Options{url_, schema_, "reports", 1}, kStart);
      std::vector<InstrumentRow> instruments;
      for (const SymbolSpec& s : kSymbols)
        instruments.push_back({s.name, s.price_decimals, s.quantity_decimals, 1, 1});
      writer.SaveInstruments(instruments);
      // 1d for the daily report; 1m too, so that `candles` is big enough
      // for its primary key to be worth using.
      const std::array kept = {CandleInterval::k1m, CandleInterval::k1d};
      candles::CandleAggregator aggregator(kept);
      for (std::size_t first = 0; first < trades_.size(); first += kBatch) {
        HistoryBatch batch;
        batch.trades.assign(trades_.begin() + static_cast<std::ptrdiff_t>(first),
                            trades_.begin() + static_cast<std::ptrdiff_t>(
                                                  std::min(first + kBatch, trades_.size())));
        for (const TradeRow& t : batch.trades)
          aggregator.Add({t.symbol, t.trade_id, t.time, t.price, t.quantity});
        batch.candles = aggregator.TakeChanges();
        batch.up_to = batch.trades.back().trade_id;
        if (!writer.Write(batch).empty()) throw std::runtime_error("PostgreSQL refused trades");
      }
      PgConnection c(url_);
      c.Exec("SET search_path TO \"" + schema_ + "\"");
      c.Exec("VACUUM (ANALYZE) trades");
      c.Exec("ANALYZE candles");
      c.Exec("ANALYZE instruments");
    } catch (const std::exception& e) {
      setup_error_ = e.what();
    }
    std::cout << "[ setup    ] " << kTrades << " trades written and analyzed in "
              << std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()
              << " s\n";
  }
  static void TearDownTestSuite() {
    if (url_.empty()) return;
    try {
      PgConnection c(url_);
      c.Exec("DROP SCHEMA IF EXISTS \"" + schema_ + "\" CASCADE");
    } catch (const std::exception& e) {
      std::cerr << "dropping " << schema_ << ": " << e.what() << "\n";
    }
  }
  void SetUp() override {
    std::string url;
    EXCHANGE_REQUIRE_SERVICE("EXCHANGE_PG_URL", url);
    ASSERT_EQ(setup_error_, "") << "writing the trades failed";
    reports_ = std::make_unique<HistoryReports>(url_, schema_);
  }

  static std::vector<TradeRow> TradesOf(const std::string& symbol, Timestamp from, Timestamp to) {
    std::vector<TradeRow> out;
    for (const TradeRow& t : trades_) {
      if (t.symbol.view() == symbol && InWindow(t, from, to)) out.push_back(t);
    }
    return out;
  }

  // The names of the partition indexes of `parent` (a partitioned index).
  std::set<std::string> ChildIndexes(const std::string& parent) {
    PgConnection c(url_);
    const PgResult r = c.Exec(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "WHERE i.inhparent = to_regclass($1)",
        {"\"" + schema_ + "\"." + parent});
    std::set<std::string> out;
    for (int i = 0; i < r.rows(); ++i)
      out.emplace(r.value(i, 0));
    return out;
  }

  static std::string Plan(const std::vector<std::string>& lines) {
    std::string plan;
    for (const auto& l : lines)
      plan += l + "\n";
    return plan;
  }
  // The day partitions a plan reads: trades_YYYYMMDD.
  static std::set<std::string> Partitions(const std::string& plan) {
    // Plain search, not std::regex: GCC 12 with -fsanitize warns inside
    // <regex> (maybe-uninitialized), and warnings are errors.
    std::set<std::string> out;
    constexpr std::string_view kPrefix = "trades_";
    for (std::size_t at = plan.find(kPrefix); at != std::string::npos;
         at = plan.find(kPrefix, at + 1)) {
      const std::string_view digits = std::string_view(plan).substr(at + kPrefix.size(), 8);
      if (digits.size() == 8 &&
          std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
        out.insert(plan.substr(at, kPrefix.size() + 8));
    }
    return out;
  }
  static bool MentionsAny(const std::string& plan, const std::set<std::string>& names) {
    return std::any_of(names.begin(), names.end(), [&](const std::string& n) {
      return plan.find(" on " + n + " ") != std::string::npos ||
             plan.find(" on " + n + "\n") != std::string::npos;
    });
  }

  static inline std::string url_;
  static inline std::string schema_;
  static inline std::string setup_error_;
  static inline std::vector<TradeRow> trades_;
  std::unique_ptr<HistoryReports> reports_;
};

// ---- the reports against C++ over the same trades ----

TEST_F(HistoryReportsTest, VwapEqualsTheSumsOfTheWindowsTrades) {
  const std::pair<Timestamp, Timestamp> windows[] = {
      {kStart, kStart + kDays * kDay},                                    // everything
      {kStart + kDay, kStart + 2 * kDay},                                 // one day
      {kStart + kHour + 123'456'789, kStart + 2 * kDay + 5 * kHour + 7},  // inside microseconds
  };
  for (const SymbolSpec& s : kSymbols) {
    for (const auto& [from, to] : windows) {
      SCOPED_TRACE(std::string(s.name) + " " + TimeLabel(from) + " " + TimeLabel(to));
      VwapReport expected;
      expected.first_trade = INT64_MAX;
      expected.last_trade = INT64_MIN;
      for (const TradeRow& t : TradesOf(s.name, from, to)) {
        ++expected.trade_count;
        expected.volume += t.quantity;
        expected.quote_volume += static_cast<__int128>(t.price) * t.quantity;
        expected.first_trade = std::min(expected.first_trade, Stored(t.time));
        expected.last_trade = std::max(expected.last_trade, Stored(t.time));
      }
      ASSERT_GT(expected.trade_count, 1000);
      const VwapReport got = reports_->Vwap(s.name, from, to);
      EXPECT_EQ(got, expected);
      const double vwap = static_cast<double>(expected.quote_volume) /
                          static_cast<double>(expected.volume) / std::pow(10.0, s.price_decimals);
      // Four more decimals than the price, rounded.
      EXPECT_NEAR(std::stod(got.VwapText(s.price_decimals)), vwap,
                  0.5 * std::pow(10.0, -(s.price_decimals + 4)) + vwap * 1e-14);
      EXPECT_EQ(got.VwapText(s.price_decimals, 3).size(),
                got.VwapText(s.price_decimals, 0).size() + 3);
    }
  }
  // No trade: zeros, and no VWAP.
  const VwapReport none = reports_->Vwap("BTC-USD", kStart - kDay, kStart);
  EXPECT_EQ(none, VwapReport{});
  EXPECT_EQ(none.VwapText(2), "");
}

TEST(DecimalRatio, IsExactAndRoundsHalfAwayFromZero) {
  EXPECT_EQ(DecimalRatio(6543210, 1, 2, 2), "65432.10");
  EXPECT_EQ(FixedPoint(6543210, 2), "65432.10");
  EXPECT_EQ(FixedPoint(5, 3), "0.005");
  EXPECT_EQ(FixedPoint(-5, 3), "-0.005");
  EXPECT_EQ(FixedPoint(123, 0), "123");
  EXPECT_EQ(FixedPoint(0, 2), "0.00");
  EXPECT_EQ(DecimalRatio(2, 3, 0, 3), "0.667");
  EXPECT_EQ(DecimalRatio(1, 3, 0, 3), "0.333");
  EXPECT_EQ(DecimalRatio(-2, 3, 0, 3), "-0.667");
  EXPECT_EQ(DecimalRatio(1, 8, 0, 2), "0.13");  // 0.125: half away from zero
  EXPECT_EQ(DecimalRatio(-1, 8, 0, 2), "-0.13");
  EXPECT_EQ(DecimalRatio(1, 200, 0, 2), "0.01");  // 0.005
  EXPECT_EQ(DecimalRatio(1, 201, 0, 2), "0.00");
  EXPECT_EQ(DecimalRatio(-1, 201, 0, 2), "0.00");  // no "-0.00"
  EXPECT_EQ(DecimalRatio(999, 1, 0, 0), "999");
  EXPECT_EQ(DecimalRatio(9995, 1, 1, 0), "1000");  // 999.5: the carry goes through
  EXPECT_EQ(DecimalRatio(12345, 1, 2, 0), "123");
  EXPECT_EQ(DecimalRatio(12355, 1, 2, 0), "124");
  EXPECT_EQ(DecimalRatio(12355, 1, 4, 0), "1");  // 1.2355
  EXPECT_EQ(DecimalRatio(4, 1, 1, 0), "0");      // 0.4
  EXPECT_EQ(DecimalRatio(5, 1, 1, 0), "1");      // 0.5
  EXPECT_EQ(DecimalRatio(5, 1, 2, 0), "0");      // 0.05
  // VWAP of 10 @ 65432.10 and 20 @ 65432.15 (price_decimals 2): 65432.13333...
  EXPECT_EQ(DecimalRatio(6543210 * 10 + 6543215 * 20, 30, 2, 6), "65432.133333");
  // Large quote volumes, exactly.
  const __int128 big = static_cast<__int128>(INT64_MAX) * 1'000'000;
  EXPECT_EQ(DecimalRatio(big, 1'000'000, 0, 0), std::to_string(INT64_MAX));
  EXPECT_EQ(DecimalRatio(big + 500'000, 1'000'000, 0, 0), "9223372036854775808");
  EXPECT_THROW(DecimalRatio(1, 0, 0, 0), std::invalid_argument);
  EXPECT_THROW(DecimalRatio(1, 1, -1, 0), std::invalid_argument);
}

TEST_F(HistoryReportsTest, AccountTradesAreTheAccountsTradesInTimeOrder) {
  const Timestamp from = kStart + kDay + 3 * kHour;
  const Timestamp to = kStart + 3 * kDay + 2 * kHour;
  // The busiest account, a quiet one, and one with a self-trade in the window.
  std::map<AccountId, int> count;
  AccountId self = 0;
  for (const TradeRow& t : trades_) {
    if (!InWindow(t, from, to)) continue;
    ++count[t.taker_account];
    ++count[t.maker_account];
    if (t.taker_account == t.maker_account && self == 0) self = t.taker_account;
  }
  ASSERT_NE(self, 0u);
  const AccountId busiest = std::max_element(count.begin(), count.end(), [](auto& a, auto& b) {
                              return a.second < b.second;
                            })->first;
  for (AccountId account : {busiest, AccountId{400}, self}) {
    SCOPED_TRACE("account " + std::to_string(account));
    std::vector<AccountTrade> expected;
    for (const TradeRow& t : trades_) {
      if (!InWindow(t, from, to)) continue;
      if (t.taker_account != account && t.maker_account != account) continue;
      AccountTrade a;
      a.symbol = t.symbol.str();
      a.trade_id = t.trade_id;
      a.time = Stored(t.time);
      a.price = t.price;
      a.quantity = t.quantity;
      const bool taker = t.taker_account == account;
      a.role = !taker ? TradeRole::kMaker
                      : (t.maker_account == account ? TradeRole::kBoth : TradeRole::kTaker);
      a.side = taker ? t.aggressor : Opposite(t.aggressor);
      a.order_id = taker ? t.taker_order_id : t.maker_order_id;
      a.counterparty_account = taker ? t.maker_account : t.taker_account;
      a.counterparty_order_id = taker ? t.maker_order_id : t.taker_order_id;
      expected.push_back(a);
    }
    std::sort(expected.begin(), expected.end(), [](const AccountTrade& a, const AccountTrade& b) {
      return std::tie(a.time, a.symbol, a.trade_id) < std::tie(b.time, b.symbol, b.trade_id);
    });
    ASSERT_GT(expected.size(), 10u);
    const auto all = reports_->AccountTrades(account, from, to, 1'000'000);
    ASSERT_EQ(all.size(), expected.size());
    EXPECT_TRUE(all == expected);
    const auto first = reports_->AccountTrades(account, from, to, 10);
    EXPECT_TRUE(first == std::vector<AccountTrade>(expected.begin(), expected.begin() + 10));
    if (account == self) {
      EXPECT_TRUE(std::any_of(all.begin(), all.end(),
                              [](const AccountTrade& a) { return a.role == TradeRole::kBoth; }));
    }
  }
  EXPECT_TRUE(reports_->AccountTrades(kAccounts + 1, from, to, 10).empty());
}

TEST_F(HistoryReportsTest, DailyOhlcIsTheStoredDayCandlesEqualToTheTrades) {
  const auto all = CandleTrades(trades_);
  for (const SymbolSpec& s : kSymbols) {
    SCOPED_TRACE(s.name);
    std::vector<CandleTrade> mine;
    for (const CandleTrade& t : all) {
      if (t.symbol.view() == s.name) mine.push_back(t);
    }
    const std::vector<Candle> days = candles::ComputeCandles(mine, CandleInterval::k1d);
    ASSERT_EQ(days.size(), static_cast<std::size_t>(kDays));
    EXPECT_EQ(reports_->DailyOhlc(s.name, kStart, kStart + kDays * kDay), days);
    // Whole days that overlap the window: 11-29 (from 12:00), 11-30, 12-01
    // (to is just after its start).
    const auto some =
        reports_->DailyOhlc(s.name, kStart + kDay + 12 * kHour, kStart + 3 * kDay + 1);
    EXPECT_EQ(some, std::vector<Candle>(days.begin() + 1, days.begin() + 4));
    // The same days recomputed from the trades in SQL.
    EXPECT_EQ(
        reports_->CandlesFromTrades(s.name, CandleInterval::k1d, kStart, kStart + kDays * kDay),
        days);
  }
  EXPECT_TRUE(reports_->DailyOhlc("BTC-USD", kStart - 5 * kDay, kStart).empty());
}

TEST_F(HistoryReportsTest, TopAccountsAreOrderedByVolumeWithExactSums) {
  const std::pair<Timestamp, Timestamp> windows[] = {
      {kStart, kStart + kDays * kDay},
      {kStart + 2 * kDay + 5 * kHour, kStart + 2 * kDay + 9 * kHour},
  };
  for (const auto& [from, to] : windows) {
    for (const std::string symbol : {"", "ETH-USD"}) {
      SCOPED_TRACE(symbol + " " + TimeLabel(from) + " " + TimeLabel(to));
      std::map<AccountId, AccountVolume> sums;
      for (const TradeRow& t : trades_) {
        if (!InWindow(t, from, to) || (!symbol.empty() && t.symbol.view() != symbol)) continue;
        for (AccountId a : {t.taker_account, t.maker_account}) {
          AccountVolume& v = sums[a];
          v.account = a;
          v.volume += t.quantity;
          v.quote_volume += static_cast<__int128>(t.price) * t.quantity;
          ++v.trade_count;
        }
      }
      std::vector<AccountVolume> expected;
      for (const auto& [a, v] : sums)
        expected.push_back(v);
      std::sort(expected.begin(), expected.end(), [](const auto& a, const auto& b) {
        return a.volume != b.volume ? a.volume > b.volume : a.account < b.account;
      });
      ASSERT_GT(expected.size(), 25u);
      EXPECT_TRUE(reports_->TopAccounts(from, to, 25, symbol) ==
                  std::vector<AccountVolume>(expected.begin(), expected.begin() + 25));
      EXPECT_TRUE(reports_->TopAccounts(from, to, 1'000'000, symbol) == expected);
    }
  }
}

TEST_F(HistoryReportsTest, CandlesFromTradesEqualTheLibrarysRecomputationForEveryInterval) {
  // Saturday 06:00 to Wednesday 17:00: across Monday 11-30 (1w), 12-01
  // (1M) and 3d boundaries; the bounds cut buckets of every interval from
  // 1h up.
  const Timestamp from = kStart + 6 * kHour + 123'000;  // and a few microseconds
  const Timestamp to = kStart + 4 * kDay + 17 * kHour;
  for (const std::string symbol : {"BTC-USD", "DOGE-USD"}) {
    std::vector<CandleTrade> window;
    for (const TradeRow& t : TradesOf(symbol, from, to))
      window.push_back({t.symbol, t.trade_id, t.time, t.price, t.quantity});
    for (CandleInterval interval : candles::AllIntervals()) {
      SCOPED_TRACE(symbol + " " + std::string(candles::IntervalName(interval)));
      const std::vector<Candle> expected = candles::ComputeCandles(window, interval);
      const std::vector<Candle> got = reports_->CandlesFromTrades(symbol, interval, from, to);
      ASSERT_EQ(got.size(), expected.size());
      EXPECT_TRUE(got == expected);
      if (interval == CandleInterval::k1w || interval == CandleInterval::k1M) {
        EXPECT_EQ(got.size(), 2u);  // both sides of the boundary
      }
    }
  }
}

TEST_F(HistoryReportsTest, TheReadOnlyRoleReadsTheSameReports) {
  const std::string reader = ::exchange::testing::ServiceUrl("EXCHANGE_PG_READER_URL");
  if (reader.empty()) GTEST_SKIP() << "EXCHANGE_PG_READER_URL is not set";
  HistoryReports read_only(reader, schema_);
  EXPECT_EQ(read_only.Vwap("SOL-USD", kStart, kStart + kDay),
            reports_->Vwap("SOL-USD", kStart, kStart + kDay));
  EXPECT_EQ(read_only.CandlesFromTrades("SOL-USD", CandleInterval::k1h, kStart, kStart + kDay),
            reports_->CandlesFromTrades("SOL-USD", CandleInterval::k1h, kStart, kStart + kDay));
}

// ---- errors ----

template <class Error, class F>
void ExpectError(F f, const std::string& part) {
  try {
    f();
    ADD_FAILURE() << "no error; expected one saying '" << part << "'";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
  }
}

TEST_F(HistoryReportsTest, UnknownSymbolsAndEmptyWindowsAndLimitsAreErrors) {
  const Timestamp from = kStart;
  const Timestamp to = kStart + kDay;
  HistoryReports& r = *reports_;
  ExpectError<UnknownSymbolError>([&] { r.Vwap("NOPE-USD", from, to); }, "'NOPE-USD'");
  ExpectError<UnknownSymbolError>([&] { r.DailyOhlc("NOPE-USD", from, to); }, "'NOPE-USD'");
  ExpectError<UnknownSymbolError>(
      [&] { r.CandlesFromTrades("NOPE-USD", CandleInterval::k1m, from, to); }, "'NOPE-USD'");
  ExpectError<UnknownSymbolError>([&] { r.TopAccounts(from, to, 10, "NOPE-USD"); }, "'NOPE-USD'");
  ExpectError<UnknownSymbolError>([&] { r.Instrument("btc-usd"); }, "BTC-USD");  // names known ones
  try {
    r.Vwap("NOPE-USD", from, to);
  } catch (const UnknownSymbolError& e) {
    EXPECT_EQ(e.symbol(), "NOPE-USD");
  }
  for (Timestamp bad_to : {from, from - 1}) {
    const std::string why = "empty window";
    ExpectError<ReportError>([&] { r.Vwap("BTC-USD", from, bad_to); }, why);
    ExpectError<ReportError>([&] { r.AccountTrades(1, from, bad_to, 10); }, why);
    ExpectError<ReportError>([&] { r.DailyOhlc("BTC-USD", from, bad_to); }, why);
    ExpectError<ReportError>([&] { r.TopAccounts(from, bad_to, 10); }, why);
    ExpectError<ReportError>(
        [&] { r.CandlesFromTrades("BTC-USD", CandleInterval::k1m, from, bad_to); }, why);
  }
  for (std::int64_t limit : {0, -1}) {
    ExpectError<ReportError>([&] { r.AccountTrades(1, from, to, limit); }, "limit");
    ExpectError<ReportError>([&] { r.TopAccounts(from, to, limit); }, "limit");
  }
  ReportRequest q;
  q.report = Report::kVwap;
  q.symbol = "NOPE-USD";
  q.from = from;
  q.to = to;
  ExpectError<UnknownSymbolError>([&] { r.ExplainPlan(q); }, "'NOPE-USD'");
}

// ---- plans ----

TEST_F(HistoryReportsTest, PlansUseTheirIndexesAndOnlyTheWindowsPartitions) {
  // Two hours across midnight 11-29/11-30: two day partitions of six.
  ReportRequest q;
  q.from = kStart + kDay + 23 * kHour;
  q.to = kStart + 2 * kDay + kHour;
  const std::set<std::string> window_days = {"trades_20261129", "trades_20261130"};
  const auto symbol_time = ChildIndexes("trades_symbol_time");
  const auto accounts = ChildIndexes("trades_accounts");
  const auto time_brin = ChildIndexes("trades_time_brin");
  ASSERT_EQ(symbol_time.size(), static_cast<std::size_t>(kDays));
  ASSERT_FALSE(accounts.empty());

  q.report = Report::kVwap;
  q.symbol = "BTC-USD";
  std::string plan = Plan(reports_->ExplainPlan(q));
  EXPECT_TRUE(MentionsAny(plan, symbol_time)) << plan;
  EXPECT_EQ(Partitions(plan), window_days) << plan;

  q.report = Report::kCandles;
  q.interval = CandleInterval::k5m;
  plan = Plan(reports_->ExplainPlan(q));
  EXPECT_TRUE(MentionsAny(plan, symbol_time)) << plan;
  EXPECT_EQ(Partitions(plan), window_days) << plan;

  q.report = Report::kAccountTrades;
  q.account = 400;
  q.limit = 100;
  plan = Plan(reports_->ExplainPlan(q));
  EXPECT_TRUE(MentionsAny(plan, accounts)) << plan;
  EXPECT_EQ(Partitions(plan), window_days) << plan;

  // All symbols: an hour of each day, found with the BRIN index on time.
  q.report = Report::kTopAccounts;
  q.symbol = "";
  plan = Plan(reports_->ExplainPlan(q));
  EXPECT_TRUE(MentionsAny(plan, time_brin)) << plan;
  EXPECT_EQ(Partitions(plan), window_days) << plan;
  q.symbol = "SOL-USD";
  plan = Plan(reports_->ExplainPlan(q));
  EXPECT_TRUE(MentionsAny(plan, symbol_time)) << plan;
  EXPECT_EQ(Partitions(plan), window_days) << plan;

  q.report = Report::kDailyOhlc;
  plan = Plan(reports_->ExplainPlan(q));
  EXPECT_NE(plan.find("candles_pkey"), std::string::npos) << plan;

  // ANALYZE runs it: the actual rows are there.
  q.report = Report::kVwap;
  plan = Plan(reports_->ExplainPlan(q, /*analyze=*/true));
  EXPECT_NE(plan.find("actual time"), std::string::npos) << plan;
}

// For persistence/README.md: EXCHANGE_REPORTS_PRINT_PLANS=1 prints each
// report's EXPLAIN ANALYZE and `exchange-cli report`'s table of it.
TEST_F(HistoryReportsTest, PrintPlansAndTables) {
  if (::exchange::testing::ServiceUrl("EXCHANGE_REPORTS_PRINT_PLANS") != "1") {
    GTEST_SKIP() << "EXCHANGE_REPORTS_PRINT_PLANS is not 1";
  }
  ReportRequest q;
  q.from = kStart + 2 * kDay;
  q.to = kStart + 3 * kDay;
  q.symbol = "BTC-USD";
  q.account = 400;
  q.interval = CandleInterval::k1h;
  q.limit = 5;
  for (Report report : {Report::kVwap, Report::kAccountTrades, Report::kDailyOhlc,
                        Report::kTopAccounts, Report::kCandles}) {
    q.report = report;
    std::cout << "---- " << ReportName(report) << "\n" << Plan(reports_->ExplainPlan(q, true));
    cli::PrintReport(*reports_, q, false, false, std::cout);
  }
  q.report = Report::kTopAccounts;
  q.symbol = "";
  std::cout << "---- top-accounts, all symbols\n" << Plan(reports_->ExplainPlan(q, true));
  q.from = kStart + 2 * kDay + 10 * kHour;
  q.to = kStart + 2 * kDay + 12 * kHour;
  std::cout << "---- top-accounts, all symbols, two hours\n"
            << Plan(reports_->ExplainPlan(q, true));
  cli::PrintReport(*reports_, q, false, false, std::cout);
  cli::PrintReport(*reports_, q, true, false, std::cout);
  q.report = Report::kVwap;
  q.symbol = "BTC-USD";
  cli::PrintReport(*reports_, q, false, true, std::cout);
}

// ---- exchange-cli report on the same data ----

TEST_F(HistoryReportsTest, CliReportPrintsTheReportsNumbersWithTheInstrumentsDecimals) {
  cli::ReportFlags flags;
  flags.symbol = "BTC-USD";
  flags.from = "2026-11-29";
  flags.to = "2026-11-30T00:00:00Z";
  flags.json = true;
  const ReportRequest vwap = cli::ReportRequestOf(Report::kVwap, flags);
  std::ostringstream out;
  cli::PrintReport(*reports_, vwap, true, false, out);
  const auto j = nlohmann::json::parse(out.str());
  const VwapReport v = reports_->Vwap("BTC-USD", kStart + kDay, kStart + 2 * kDay);
  EXPECT_EQ(j["report"], "vwap");
  EXPECT_EQ(j["symbol"], "BTC-USD");
  EXPECT_EQ(j["from"], "2026-11-29T00:00:00.000000Z");
  ASSERT_EQ(j["rows"].size(), 1u);
  const auto& row = j["rows"][0];
  EXPECT_EQ(row["trade_count"], v.trade_count);
  EXPECT_EQ(row["volume"], FixedPoint(v.volume, 6));
  EXPECT_EQ(row["quote_volume"], FixedPoint(v.quote_volume, 8));
  EXPECT_EQ(row["vwap"], v.VwapText(2));
  EXPECT_EQ(row["first_trade"], cli::FormatReportTime(v.first_trade));

  // The table: titles, then the same numbers, aligned.
  std::ostringstream text;
  cli::PrintReport(*reports_, vwap, false, false, text);
  EXPECT_NE(text.str().find("prices with 2 decimals, quantities with 6"), std::string::npos)
      << text.str();
  EXPECT_NE(text.str().find(" " + v.VwapText(2) + " "), std::string::npos) << text.str();

  // Candles in JSON: prices as decimal strings.
  flags.interval = "1d";
  std::ostringstream candles_out;
  cli::PrintReport(*reports_, cli::ReportRequestOf(Report::kCandles, flags), true, false,
                   candles_out);
  const auto c = nlohmann::json::parse(candles_out.str());
  const auto day = reports_->DailyOhlc("BTC-USD", kStart + kDay, kStart + 2 * kDay).at(0);
  ASSERT_EQ(c["rows"].size(), 1u);
  EXPECT_EQ(c["rows"][0]["open"], FixedPoint(day.open, 2));
  EXPECT_EQ(c["rows"][0]["high"], FixedPoint(day.high, 2));
  EXPECT_EQ(c["rows"][0]["trade_count"], day.trade_count);

  // Every report prints, as a table and as JSON, and its plan.
  flags.account = "400";
  flags.limit = "5";
  for (Report report : {Report::kVwap, Report::kAccountTrades, Report::kDailyOhlc,
                        Report::kTopAccounts, Report::kCandles}) {
    SCOPED_TRACE(std::string(ReportName(report)));
    const ReportRequest q = cli::ReportRequestOf(report, flags);
    std::ostringstream table, json, plan;
    cli::PrintReport(*reports_, q, false, false, table);
    cli::PrintReport(*reports_, q, true, false, json);
    cli::PrintReport(*reports_, q, false, true, plan);
    const std::string lines = table.str();
    EXPECT_GE(std::count(lines.begin(), lines.end(), '\n'), 3) << lines;
    EXPECT_NO_THROW(nlohmann::json::parse(json.str())) << json.str();
    EXPECT_NE(plan.str().find("-- plan"), std::string::npos) << plan.str();
  }

  // The whole subcommand: an unknown symbol is exit 4, naming it.
  flags.pg_url = url_;
  flags.pg_schema = schema_;
  flags.symbol = "NOPE-USD";
  std::ostringstream ignored;
  try {
    cli::RunReport(Report::kVwap, flags, ignored);
    ADD_FAILURE() << "no CliError";
  } catch (const cli::CliError& e) {
    EXPECT_EQ(e.exit_code(), cli::kExitNotFound);
    EXPECT_NE(std::string(e.what()).find("NOPE-USD"), std::string::npos) << e.what();
  }
  flags.symbol = "XRP-USD";
  std::ostringstream xrp;
  EXPECT_EQ(cli::RunReport(Report::kDailyOhlc, flags, xrp), 0);
  EXPECT_NE(xrp.str().find("2026-11-29"), std::string::npos) << xrp.str();
}

}  // namespace
}  // namespace exchange::persistence
