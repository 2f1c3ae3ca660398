// HistoryReports: the analytical reads of the trade history (VWAP, an
// account's trades, daily OHLC, top accounts by volume, candles recomputed
// from the trades), one method per report, each returning plain values; and
// ExplainPlan, PostgreSQL's plan of any of them. `exchange-cli report`
// prints them; persistence/README.md, "Analytical reads", shows each query,
// the index it uses and why, and its plan.
//
// Windows are half-open, [from, to), in nanosecond Unix times; they are
// compared with the stored times, which are the engine's truncated to the
// microsecond (a bound inside a microsecond is rounded up to the next one).
// Values come back in the engine's integer units: prices and quantities as
// stored, quote volumes (sums of price * quantity) exact in __int128; read
// them with the instrument's decimals (Instrument()).
//
// Requests are checked before anything runs: a symbol unknown to
// `instruments` is an UnknownSymbolError naming it, an empty window
// (from >= to) or a limit below 1 a ReportError. PostgreSQL failures are
// PgError. Everything is read only: the read-only role will do.
//
// Owns one connection; one thread.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "base/fixed_point_text.h"
#include "candles/candle.h"
#include "engine/types.h"
#include "persistence/history_writer.h"
#include "persistence/pg_connection.h"

namespace exchange::persistence {

// A report request that cannot be answered as asked (empty window, limit
// below 1, unknown symbol).
class ReportError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// The symbol is not in `instruments`. The message names it, and up to ten
// of the `known` symbols.
class UnknownSymbolError : public ReportError {
 public:
  UnknownSymbolError(const std::string& symbol, const std::vector<std::string>& known);
  const std::string& symbol() const { return symbol_; }

 private:
  std::string symbol_;
};

enum class Report : std::uint8_t { kVwap, kAccountTrades, kDailyOhlc, kTopAccounts, kCandles };

// "vwap", "account", "daily", "top-accounts", "candles" (exchange-cli's names).
std::string_view ReportName(Report report);

// Any report, as one value: what ExplainPlan takes (and what exchange-cli
// builds from its flags). Fields a report does not use are ignored.
struct ReportRequest {
  Report report = Report::kVwap;
  std::string symbol;     // every report but kAccountTrades; kTopAccounts: "" = all symbols
  AccountId account = 0;  // kAccountTrades
  candles::CandleInterval interval = candles::CandleInterval::k1m;  // kCandles
  Timestamp from = 0;
  Timestamp to = 0;
  std::int64_t limit = 100;  // kAccountTrades, kTopAccounts
};

struct VwapReport {
  std::int64_t trade_count = 0;
  Quantity volume = 0;        // sum of quantity
  __int128 quote_volume = 0;  // sum of price * quantity, exact
  Timestamp first_trade = 0;  // stored times (µs precision); 0 when no trade
  Timestamp last_trade = 0;
  // VWAP = quote_volume / volume, computed here exactly (DecimalRatio) in
  // price units: with the instrument's price_decimals and `extra_digits`
  // more, rounded half away from zero. "" when there was no trade.
  std::string VwapText(int price_decimals, int extra_digits = 4) const;
  bool operator==(const VwapReport&) const = default;
};

enum class TradeRole : std::uint8_t {
  kTaker,
  kMaker,
  kBoth,  // a self-trade: the account was taker and maker (side: the taker's)
};
std::string_view RoleName(TradeRole role);  // "taker", "maker", "both"

// One trade of an account, from its point of view.
struct AccountTrade {
  std::string symbol;
  Sequence trade_id = 0;
  Timestamp time = 0;  // stored (µs precision)
  TradeRole role = TradeRole::kTaker;
  Side side = Side::kBuy;  // the account's: the aggressor's as taker, the opposite as maker
  Price price = 0;
  Quantity quantity = 0;
  ClientOrderId order_id = 0;  // the account's order (as taker when kBoth)
  AccountId counterparty_account = 0;
  ClientOrderId counterparty_order_id = 0;
  bool operator==(const AccountTrade&) const = default;
};

struct AccountVolume {
  AccountId account = 0;
  Quantity volume = 0;           // quantity traded as taker plus as maker
  __int128 quote_volume = 0;     // price * quantity, likewise
  std::int64_t trade_count = 0;  // trades as taker plus as maker (a self-trade counts twice)
  bool operator==(const AccountVolume&) const = default;
};

class HistoryReports {
 public:
  // Connects to `url` (the read-only role will do) and reads the tables of
  // `schema`. Throws PgError.
  HistoryReports(const std::string& url, const std::string& schema = "public");

  // The instrument's row; UnknownSymbolError when it has none.
  InstrumentRow Instrument(const std::string& symbol);
  // Every instrument, by symbol.
  std::vector<InstrumentRow> Instruments();

  // Count, volume, quote volume and first/last time of the symbol's trades
  // in the window.
  VwapReport Vwap(const std::string& symbol, Timestamp from, Timestamp to);

  // The account's trades in the window, as taker or maker, in time order
  // (then symbol, trade id), at most `limit`.
  std::vector<AccountTrade> AccountTrades(AccountId account, Timestamp from, Timestamp to,
                                          std::int64_t limit);

  // The stored 1d candles of the symbol, one per UTC day with trades, for
  // every day that overlaps the window (whole days: the first day may start
  // before `from`), in day order.
  std::vector<candles::Candle> DailyOhlc(const std::string& symbol, Timestamp from, Timestamp to);

  // The accounts that traded the most volume in the window (in `symbol`
  // only, unless it is empty), volume descending then account ascending, at
  // most `limit`.
  std::vector<AccountVolume> TopAccounts(Timestamp from, Timestamp to, std::int64_t limit,
                                         const std::string& symbol = "");

  // The candles of `interval` of the symbol's trades in the window,
  // recomputed from the trades in SQL, bucketed exactly as
  // candles::BucketStart; equal to candles::ComputeCandles of those trades.
  // Buckets cut by the window hold only the window's trades.
  std::vector<candles::Candle> CandlesFromTrades(const std::string& symbol,
                                                 candles::CandleInterval interval, Timestamp from,
                                                 Timestamp to);

  // The request's report as the method above would run it (checked the
  // same way).
  struct BoundQuery {
    std::string sql;
    std::vector<std::string> params;
  };
  BoundQuery QueryOf(const ReportRequest& request);

  // PostgreSQL's plan of the request's query with its parameters, one line
  // per plan line. `analyze`: EXPLAIN (ANALYZE, BUFFERS), which runs it.
  std::vector<std::string> ExplainPlan(const ReportRequest& request, bool analyze = false);

 private:
  void CheckWindow(Timestamp from, Timestamp to) const;
  void CheckSymbol(const std::string& symbol);
  PgResult Run(const BoundQuery& query) { return connection_->Exec(query.sql, query.params); }

  std::unique_ptr<PgConnection> connection_;
};

// The text of values in integer units (FixedPoint) and of exact ratios
// (DecimalRatio, the VWAP's) is base/fixed_point_text.h's; named here too
// for this header's readers.
using ::exchange::DecimalRatio;
using ::exchange::FixedPoint;

// The SQL of each report ($1.. parameters), as the .cc runs it.
extern const char* const kVwapSql;
extern const char* const kAccountTradesSql;
extern const char* const kDailyOhlcSql;
extern const char* const kTopAccountsSql;
extern const char* const kTopAccountsOfSymbolSql;
extern const char* const kCandlesFromTradesSql;

}  // namespace exchange::persistence
