#include "persistence/history_reports.h"

#include <algorithm>

#include "candles/candle_interval.h"
#include "persistence/copy_text.h"
#include "persistence/pg_values.h"

namespace exchange::persistence {

// ---- The queries (quoted in persistence/README.md, "Analytical reads") ----
//
// Times are bound as text, "YYYY-MM-DD HH:MM:SS.ffffff+00", and come back as
// microseconds since the epoch (extract(epoch ...) is numeric: exact).

// $1 symbol, $2 from, $3 to. The (symbol, time) B-tree of each day
// partition left after pruning gives exactly the symbol's rows of the window.
const char* const kVwapSql =
    "SELECT count(*), coalesce(sum(quantity), 0), coalesce(sum(price::numeric * quantity), 0),\n"
    "       coalesce((extract(epoch FROM min(time)) * 1000000)::bigint, 0),\n"
    "       coalesce((extract(epoch FROM max(time)) * 1000000)::bigint, 0)\n"
    "FROM trades\n"
    "WHERE symbol = $1 AND time >= $2::timestamptz AND time < $3::timestamptz";

// $1 account, $2 from, $3 to, $4 limit. The containment test is the one the
// GIN index trades_accounts (over ARRAY[taker_account, maker_account])
// answers; the time range prunes the day partitions.
const char* const kAccountTradesSql =
    "SELECT symbol, trade_id, (extract(epoch FROM time) * 1000000)::bigint, price, quantity,\n"
    "       aggressor_side, taker_account, taker_order_id, maker_account, maker_order_id\n"
    "FROM trades\n"
    "WHERE ARRAY[taker_account, maker_account] @> ARRAY[$1::bigint]\n"
    "  AND time >= $2::timestamptz AND time < $3::timestamptz\n"
    "ORDER BY time, symbol, trade_id\n"
    "LIMIT $4";

// $1 symbol, $2 the start of the day of `from`, $3 to. The candles primary
// key (symbol, interval, open_time).
const char* const kDailyOhlcSql =
    "SELECT (extract(epoch FROM open_time) * 1000000)::bigint,\n"
    "       (extract(epoch FROM close_time) * 1000000)::bigint,\n"
    "       open, high, low, close, volume, quote_volume, trade_count, first_trade_id,\n"
    "       last_trade_id\n"
    "FROM candles\n"
    "WHERE symbol = $1 AND interval = '1d'\n"
    "  AND open_time >= $2::timestamptz AND open_time < $3::timestamptz\n"
    "ORDER BY open_time";

// $1 from, $2 to, $3 limit. Each trade counts for its taker and its maker
// (one pass over the trades, two rows each). Whole-market: the time range
// prunes the day partitions, and the BRIN index on time narrows a partial
// day to its block ranges.
const char* const kTopAccountsSql =
    "SELECT account, sum(quantity) AS volume, sum(price::numeric * quantity), count(*)\n"
    "FROM (SELECT unnest(ARRAY[taker_account, maker_account]) AS account, price, quantity\n"
    "      FROM trades\n"
    "      WHERE time >= $1::timestamptz AND time < $2::timestamptz) AS legs\n"
    "GROUP BY account\n"
    "ORDER BY volume DESC, account\n"
    "LIMIT $3";

// The same over one symbol ($4): the (symbol, time) B-tree.
const char* const kTopAccountsOfSymbolSql =
    "SELECT account, sum(quantity) AS volume, sum(price::numeric * quantity), count(*)\n"
    "FROM (SELECT unnest(ARRAY[taker_account, maker_account]) AS account, price, quantity\n"
    "      FROM trades\n"
    "      WHERE symbol = $4 AND time >= $1::timestamptz AND time < $2::timestamptz) AS legs\n"
    "GROUP BY account\n"
    "ORDER BY volume DESC, account\n"
    "LIMIT $3";

// $1 symbol, $2 the interval's name, $3 its length and $4 its origin (both
// from candles::BucketStart: 1s .. 3d multiples of the length since the
// epoch, 1w multiples of 7 days since a Monday), $5 from, $6 to. 1M is the
// calendar month in UTC. Open and close by trade id, as candles::Merge.
// The (symbol, time) B-tree.
const char* const kCandlesFromTradesSql =
    "SELECT (extract(epoch FROM bucket) * 1000000)::bigint,\n"
    "       (array_agg(price ORDER BY trade_id))[1], max(price), min(price),\n"
    "       (array_agg(price ORDER BY trade_id DESC))[1],\n"
    "       sum(quantity), sum(price::numeric * quantity), count(*), min(trade_id),\n"
    "       max(trade_id)\n"
    "FROM (SELECT CASE WHEN $2::text = '1M' THEN date_trunc('month', time, 'UTC')\n"
    "                  ELSE date_bin($3::interval, time, $4::timestamptz) END AS bucket,\n"
    "             trade_id, price, quantity\n"
    "      FROM trades\n"
    "      WHERE symbol = $1 AND time >= $5::timestamptz AND time < $6::timestamptz) AS t\n"
    "GROUP BY bucket\n"
    "ORDER BY bucket";

namespace {

constexpr const char* kInstrumentSql =
    "SELECT symbol, price_decimals, quantity_decimals, tick_size, lot_size FROM instruments";

constexpr Timestamp kNanosPerMicro = 1000;
constexpr Timestamp kNanosPerDay = 86'400'000'000'000;
constexpr std::size_t kSymbolsNamed = 10;  // in UnknownSymbolError's message

// A window bound as a parameter: the stored times are whole microseconds,
// so a bound inside a microsecond is the next one (t >= b and t < b keep
// their meaning on the stored times).
std::string TimeParam(Timestamp t) {
  Timestamp micros = t / kNanosPerMicro;
  if (t % kNanosPerMicro > 0) ++micros;
  return TimeText(micros * kNanosPerMicro);
}

InstrumentRow InstrumentOf(const PgResult& r, int row) {
  InstrumentRow i;
  i.symbol = std::string(r.value(row, 0));
  i.price_decimals = static_cast<int>(PgInt64(r.value(row, 1), "price_decimals"));
  i.quantity_decimals = static_cast<int>(PgInt64(r.value(row, 2), "quantity_decimals"));
  i.tick_size = PgInt64(r.value(row, 3), "tick_size");
  i.lot_size = PgInt64(r.value(row, 4), "lot_size");
  return i;
}

// Columns: open_time, close_time (when `close_time_column`; else it is the
// bucket's end by the interval), open, high, low, close, volume,
// quote_volume, trade_count, first_trade_id, last_trade_id.
candles::Candle CandleOf(const PgResult& r, int row, const std::string& symbol,
                         candles::CandleInterval interval, bool close_time_column) {
  candles::Candle c;
  c.symbol = SymbolName(symbol);
  c.interval = interval;
  int col = 0;
  c.open_time = PgMicrosToNanos(r.value(row, col++), "open_time");
  c.close_time = close_time_column ? PgMicrosToNanos(r.value(row, col++), "close_time")
                                   : candles::BucketEnd(c.open_time, interval);
  c.open = PgInt64(r.value(row, col++), "open");
  c.high = PgInt64(r.value(row, col++), "high");
  c.low = PgInt64(r.value(row, col++), "low");
  c.close = PgInt64(r.value(row, col++), "close");
  c.volume = PgInt64Sum(r.value(row, col++), "volume");
  c.quote_volume = PgInt128(r.value(row, col++), "quote_volume");
  c.trade_count = static_cast<std::uint64_t>(PgInt64(r.value(row, col++), "trade_count"));
  c.first_trade_id = static_cast<Sequence>(PgInt64(r.value(row, col++), "first_trade_id"));
  c.last_trade_id = static_cast<Sequence>(PgInt64(r.value(row, col++), "last_trade_id"));
  return c;
}

Side SideOf(std::string_view text) {
  return text == "S" ? Side::kSell : Side::kBuy;
}

}  // namespace

namespace {

std::string UnknownSymbolMessage(const std::string& symbol, const std::vector<std::string>& known) {
  std::string message = "unknown symbol '" + symbol + "': it is not in the instruments table";
  if (known.empty()) return message + ", which is empty";
  message += " (";
  for (std::size_t i = 0; i < std::min(known.size(), kSymbolsNamed); ++i) {
    if (i > 0) message += ", ";
    message += known[i];
  }
  if (known.size() > kSymbolsNamed) message += ", ...";
  message += ")";
  return message;
}

}  // namespace

UnknownSymbolError::UnknownSymbolError(const std::string& symbol,
                                       const std::vector<std::string>& known)
    : ReportError(UnknownSymbolMessage(symbol, known)), symbol_(symbol) {}

std::string_view ReportName(Report report) {
  switch (report) {
    case Report::kVwap: return "vwap";
    case Report::kAccountTrades: return "account";
    case Report::kDailyOhlc: return "daily";
    case Report::kTopAccounts: return "top-accounts";
    case Report::kCandles: return "candles";
  }
  return "?";
}

std::string_view RoleName(TradeRole role) {
  switch (role) {
    case TradeRole::kTaker: return "taker";
    case TradeRole::kMaker: return "maker";
    case TradeRole::kBoth: return "both";
  }
  return "?";
}

std::string VwapReport::VwapText(int price_decimals, int extra_digits) const {
  if (volume == 0) return "";
  return DecimalRatio(quote_volume, volume, price_decimals, price_decimals + extra_digits);
}

HistoryReports::HistoryReports(const std::string& url, const std::string& schema)
    : connection_(std::make_unique<PgConnection>(url)) {
  // Read-only sessions may SET. UTC: the calendar months of 1M candles.
  connection_->Exec("SET search_path TO " + QuoteIdentifier(schema));
  connection_->Exec("SET TIME ZONE 'UTC'");
}

InstrumentRow HistoryReports::Instrument(const std::string& symbol) {
  const PgResult r =
      connection_->Exec(std::string(kInstrumentSql) + " WHERE symbol = $1", {symbol});
  if (r.rows() == 0) {
    std::vector<std::string> known;
    for (const InstrumentRow& i : Instruments())
      known.push_back(i.symbol);
    throw UnknownSymbolError(symbol, known);
  }
  return InstrumentOf(r, 0);
}

std::vector<InstrumentRow> HistoryReports::Instruments() {
  const PgResult r = connection_->Exec(std::string(kInstrumentSql) + " ORDER BY symbol");
  std::vector<InstrumentRow> out;
  for (int i = 0; i < r.rows(); ++i)
    out.push_back(InstrumentOf(r, i));
  return out;
}

void HistoryReports::CheckWindow(Timestamp from, Timestamp to) const {
  if (from >= to) {
    std::string message = "empty window: from (";
    message += TimeText(from);
    message += ") is not before to (";
    message += TimeText(to);
    message += ")";
    throw ReportError(message);
  }
}

void HistoryReports::CheckSymbol(const std::string& symbol) {
  Instrument(symbol);
}

HistoryReports::BoundQuery HistoryReports::QueryOf(const ReportRequest& q) {
  CheckWindow(q.from, q.to);
  const bool takes_limit = q.report == Report::kAccountTrades || q.report == Report::kTopAccounts;
  if (takes_limit && q.limit < 1) {
    std::string message = "the limit must be at least 1, not ";
    message += std::to_string(q.limit);
    throw ReportError(message);
  }
  const bool takes_symbol = q.report != Report::kAccountTrades;
  if (takes_symbol && (q.report != Report::kTopAccounts || !q.symbol.empty())) {
    CheckSymbol(q.symbol);
  }
  const std::string from = TimeParam(q.from);
  const std::string to = TimeParam(q.to);
  switch (q.report) {
    case Report::kVwap: return {kVwapSql, {q.symbol, from, to}};
    case Report::kAccountTrades:
      return {kAccountTradesSql, {std::to_string(q.account), from, to, std::to_string(q.limit)}};
    case Report::kDailyOhlc:
      return {kDailyOhlcSql, {q.symbol, TimeText(DayOf(q.from) * kNanosPerDay), to}};
    case Report::kTopAccounts:
      if (q.symbol.empty()) return {kTopAccountsSql, {from, to, std::to_string(q.limit)}};
      return {kTopAccountsOfSymbolSql, {from, to, std::to_string(q.limit), q.symbol}};
    case Report::kCandles: {
      // The library's own alignment: the bucket of time 0 is the origin.
      const Timestamp origin = candles::BucketStart(0, q.interval);
      const Timestamp length = candles::BucketEnd(origin, q.interval) - origin;
      std::string stride = std::to_string(length / kNanosPerMicro);
      stride += " microseconds";
      return {kCandlesFromTradesSql,
              {q.symbol, std::string(candles::IntervalName(q.interval)), stride, TimeText(origin),
               from, to}};
    }
  }
  throw ReportError("unknown report");
}

VwapReport HistoryReports::Vwap(const std::string& symbol, Timestamp from, Timestamp to) {
  ReportRequest q;
  q.report = Report::kVwap;
  q.symbol = symbol;
  q.from = from;
  q.to = to;
  const PgResult r = Run(QueryOf(q));
  VwapReport v;
  v.trade_count = PgInt64(r.value(0, 0), "count");
  v.volume = PgInt64Sum(r.value(0, 1), "volume");
  v.quote_volume = PgInt128(r.value(0, 2), "quote volume");
  v.first_trade = PgMicrosToNanos(r.value(0, 3), "first trade time");
  v.last_trade = PgMicrosToNanos(r.value(0, 4), "last trade time");
  return v;
}

std::vector<AccountTrade> HistoryReports::AccountTrades(AccountId account, Timestamp from,
                                                        Timestamp to, std::int64_t limit) {
  ReportRequest q;
  q.report = Report::kAccountTrades;
  q.account = account;
  q.from = from;
  q.to = to;
  q.limit = limit;
  const PgResult r = Run(QueryOf(q));
  std::vector<AccountTrade> out;
  out.reserve(static_cast<std::size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) {
    AccountTrade t;
    t.symbol = std::string(r.value(i, 0));
    t.trade_id = static_cast<Sequence>(PgInt64(r.value(i, 1), "trade_id"));
    t.time = PgMicrosToNanos(r.value(i, 2), "time");
    t.price = PgInt64(r.value(i, 3), "price");
    t.quantity = PgInt64(r.value(i, 4), "quantity");
    const Side aggressor = SideOf(r.value(i, 5));
    const auto taker = static_cast<AccountId>(PgInt64(r.value(i, 6), "taker_account"));
    const auto taker_order = static_cast<ClientOrderId>(PgInt64(r.value(i, 7), "taker_order_id"));
    const auto maker = static_cast<AccountId>(PgInt64(r.value(i, 8), "maker_account"));
    const auto maker_order = static_cast<ClientOrderId>(PgInt64(r.value(i, 9), "maker_order_id"));
    if (taker == account) {
      t.role = maker == account ? TradeRole::kBoth : TradeRole::kTaker;
      t.side = aggressor;
      t.order_id = taker_order;
      t.counterparty_account = maker;
      t.counterparty_order_id = maker_order;
    } else {
      t.role = TradeRole::kMaker;
      t.side = Opposite(aggressor);
      t.order_id = maker_order;
      t.counterparty_account = taker;
      t.counterparty_order_id = taker_order;
    }
    out.push_back(std::move(t));
  }
  return out;
}

std::vector<candles::Candle> HistoryReports::DailyOhlc(const std::string& symbol, Timestamp from,
                                                       Timestamp to) {
  ReportRequest q;
  q.report = Report::kDailyOhlc;
  q.symbol = symbol;
  q.from = from;
  q.to = to;
  const PgResult r = Run(QueryOf(q));
  std::vector<candles::Candle> out;
  for (int i = 0; i < r.rows(); ++i)
    out.push_back(CandleOf(r, i, symbol, candles::CandleInterval::k1d, true));
  return out;
}

std::vector<AccountVolume> HistoryReports::TopAccounts(Timestamp from, Timestamp to,
                                                       std::int64_t limit,
                                                       const std::string& symbol) {
  ReportRequest q;
  q.report = Report::kTopAccounts;
  q.symbol = symbol;
  q.from = from;
  q.to = to;
  q.limit = limit;
  const PgResult r = Run(QueryOf(q));
  std::vector<AccountVolume> out;
  for (int i = 0; i < r.rows(); ++i) {
    AccountVolume a;
    a.account = static_cast<AccountId>(PgInt64(r.value(i, 0), "account"));
    a.volume = PgInt64Sum(r.value(i, 1), "volume");
    a.quote_volume = PgInt128(r.value(i, 2), "quote volume");
    a.trade_count = PgInt64(r.value(i, 3), "count");
    out.push_back(a);
  }
  return out;
}

std::vector<candles::Candle> HistoryReports::CandlesFromTrades(const std::string& symbol,
                                                               candles::CandleInterval interval,
                                                               Timestamp from, Timestamp to) {
  ReportRequest q;
  q.report = Report::kCandles;
  q.symbol = symbol;
  q.interval = interval;
  q.from = from;
  q.to = to;
  const PgResult r = Run(QueryOf(q));
  std::vector<candles::Candle> out;
  out.reserve(static_cast<std::size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i)
    out.push_back(CandleOf(r, i, symbol, interval, false));
  return out;
}

std::vector<std::string> HistoryReports::ExplainPlan(const ReportRequest& request, bool analyze) {
  BoundQuery query = QueryOf(request);
  query.sql.insert(0, analyze ? "EXPLAIN (ANALYZE, BUFFERS) " : "EXPLAIN ");
  const PgResult r = Run(query);
  std::vector<std::string> lines;
  for (int i = 0; i < r.rows(); ++i)
    lines.emplace_back(r.value(i, 0));
  return lines;
}

}  // namespace exchange::persistence
