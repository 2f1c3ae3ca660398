#include "md/history/history_source.h"

#include <libpq-fe.h>

#include <algorithm>
#include <array>
#include <charconv>

#include "persistence/copy_text.h"

namespace exchange::md {

namespace {

const std::string kListen = std::string("LISTEN ") + persistence::kHistoryChannel;

// The prepared statements. Times are bound and read as microseconds since
// the Unix epoch (the stored precision), exactly.
enum Statement : int {
  kInstruments,
  kCandlesOldest,
  kCandlesNewest,
  kCandleBefore,
  kRecentTrades,
  kTradesFromId,
  kTradeBefore,
  kTradesFromTime,
  kCandlesChanged,
  kHistoryVersion,
  kStatementCount,
};

struct StatementText {
  const char* name;
  const char* sql;
  int parameters;
};

#define MD_CANDLE_COLUMNS                                                 \
  "(extract(epoch FROM open_time) * 1000000)::bigint, "                   \
  "(extract(epoch FROM close_time) * 1000000)::bigint, open, high, low, " \
  "close, volume, quote_volume::text, trade_count, first_trade_id, last_trade_id "
#define MD_TRADE_COLUMNS                                                                      \
  "trade_id, (extract(epoch FROM time) * 1000000)::bigint, price, quantity, aggressor_side, " \
  "taker_account, taker_order_id "
#define MD_MICROS(n) "(timestamptz 'epoch' + $" #n "::bigint * interval '1 microsecond')"

constexpr std::array<StatementText, kStatementCount> kStatements = {{
    {"md_instruments",
     "SELECT symbol, price_decimals, quantity_decimals, tick_size, lot_size, "
     "coalesce(min_quantity, 1), coalesce(max_quantity, 2305843009213693951), "
     "coalesce(base_asset, ''), coalesce(quote_asset, ''), coalesce(default_stp, '') "
     "FROM instruments ORDER BY symbol",
     0},
    // $1 symbol, $2 interval, $3 from, $4 to (exclusive), $5 limit.
    {"md_candles_oldest",
     "SELECT " MD_CANDLE_COLUMNS
     "FROM candles WHERE symbol = $1 AND interval = $2 AND open_time >= " MD_MICROS(
         3) " AND open_time < " MD_MICROS(4) " ORDER BY open_time LIMIT $5",
     5},
    {"md_candles_newest",
     "SELECT " MD_CANDLE_COLUMNS
     "FROM candles WHERE symbol = $1 AND interval = $2 AND open_time >= " MD_MICROS(
         3) " AND open_time < " MD_MICROS(4) " ORDER BY open_time DESC LIMIT $5",
     5},
    // $1 symbol, $2 interval, $3 before.
    {"md_candle_before",
     "SELECT " MD_CANDLE_COLUMNS
     "FROM candles WHERE symbol = $1 AND interval = $2 AND open_time < " MD_MICROS(
         3) " ORDER BY open_time DESC LIMIT 1",
     3},
    // $1 symbol, $2 before (exclusive), $3 limit: the newest, by (symbol, time).
    {"md_recent_trades",
     "SELECT " MD_TRADE_COLUMNS "FROM trades WHERE symbol = $1 AND time < " MD_MICROS(
         2) " ORDER BY time DESC, trade_id DESC LIMIT $3",
     3},
    // $1 symbol, $2 first trade id, $3 limit: by (symbol, trade_id).
    {"md_trades_from_id",
     "SELECT " MD_TRADE_COLUMNS
     "FROM trades WHERE symbol = $1 AND trade_id >= $2 ORDER BY trade_id LIMIT $3",
     3},
    // $1 symbol, $2 trade id: the trade before it.
    {"md_trade_before",
     "SELECT " MD_TRADE_COLUMNS
     "FROM trades WHERE symbol = $1 AND trade_id < $2 ORDER BY trade_id DESC LIMIT 1",
     2},
    // $1 symbol, $2 from, $3 to (exclusive), $4 limit: the oldest, by (symbol, time).
    {"md_trades_from_time",
     "SELECT " MD_TRADE_COLUMNS "FROM trades WHERE symbol = $1 AND time >= " MD_MICROS(
         2) " AND time < " MD_MICROS(3) " ORDER BY time, trade_id LIMIT $4",
     4},
    // $1 symbol, $2 interval, $3 from, $4 trade id.
    {"md_candles_changed",
     "SELECT " MD_CANDLE_COLUMNS
     "FROM candles WHERE symbol = $1 AND interval = $2 AND open_time >= " MD_MICROS(
         3) " AND last_trade_id > $4 ORDER BY open_time",
     4},
    {"md_history_version",
     "SELECT shard, last_sequence, xmin::text::bigint, tableoid::bigint FROM sink_progress "
     "ORDER BY shard",
     0},
}};

#undef MD_CANDLE_COLUMNS
#undef MD_TRADE_COLUMNS
#undef MD_MICROS

constexpr Timestamp kNanosPerMicro = 1000;
// Window bounds are clamped to about ±300 years around 1970.
constexpr std::int64_t kMaxMicros = 10'000'000'000'000'000;

std::string Trimmed(const char* message) {
  std::string s = message != nullptr ? message : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' '))
    s.pop_back();
  return s;
}

// The first stored microsecond at or after `t`.
std::string MicrosParam(Timestamp t) {
  std::int64_t micros = t / kNanosPerMicro;
  if (t % kNanosPerMicro > 0) ++micros;
  return std::to_string(std::clamp(micros, -kMaxMicros, kMaxMicros));
}

template <typename Int>
Int IntOf(const persistence::PgResult& r, int row, int column) {
  const std::string_view text = r.value(row, column);
  Int value{};
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    throw std::runtime_error("postgresql: column " + std::to_string(column) +
                             " is not an integer: '" + std::string(text) + "'");
  }
  return value;
}

// A numeric holding an integer ("123", "-5", "123.000").
__int128 BigIntOf(const persistence::PgResult& r, int row, int column) {
  std::string_view text = r.value(row, column);
  text = text.substr(0, text.find('.'));
  const bool negative = !text.empty() && text.front() == '-';
  if (negative) text.remove_prefix(1);
  __int128 value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9' || text.size() > 38) {
      throw std::runtime_error("postgresql: quote_volume is not an integer: '" +
                               std::string(r.value(row, column)) + "'");
    }
    value = value * 10 + (c - '0');
  }
  return negative ? -value : value;
}

candles::Candle CandleOf(const persistence::PgResult& r, int row, std::string_view symbol,
                         candles::CandleInterval interval) {
  candles::Candle c;
  c.symbol = SymbolName(symbol);
  c.interval = interval;
  c.open_time = IntOf<Timestamp>(r, row, 0) * kNanosPerMicro;
  c.close_time = IntOf<Timestamp>(r, row, 1) * kNanosPerMicro;
  c.open = IntOf<Price>(r, row, 2);
  c.high = IntOf<Price>(r, row, 3);
  c.low = IntOf<Price>(r, row, 4);
  c.close = IntOf<Price>(r, row, 5);
  c.volume = IntOf<Quantity>(r, row, 6);
  c.quote_volume = BigIntOf(r, row, 7);
  c.trade_count = IntOf<std::uint64_t>(r, row, 8);
  c.first_trade_id = IntOf<Sequence>(r, row, 9);
  c.last_trade_id = IntOf<Sequence>(r, row, 10);
  return c;
}

// Rows of MD_TRADE_COLUMNS, in their order.
std::vector<TradeRecord> TradesOf(const persistence::PgResult& r) {
  std::vector<TradeRecord> out(static_cast<std::size_t>(r.rows()));
  for (int row = 0; row < r.rows(); ++row) {
    TradeRecord& t = out[static_cast<std::size_t>(row)];
    t.id = IntOf<Sequence>(r, row, 0);
    t.time = IntOf<Timestamp>(r, row, 1) * kNanosPerMicro;
    t.price = IntOf<Price>(r, row, 2);
    t.quantity = IntOf<Quantity>(r, row, 3);
    t.aggressor = r.value(row, 4) == "S" ? Side::kSell : Side::kBuy;
    t.taker_account = IntOf<std::uint64_t>(r, row, 5);
    t.taker_order_id = IntOf<std::uint64_t>(r, row, 6);
  }
  return out;
}

}  // namespace

HistorySource::HistorySource(std::string url, std::string schema, std::chrono::milliseconds retry)
    : url_(std::move(url)), schema_(std::move(schema)), gate_(retry) {}

HistorySource::~HistorySource() {
  Disconnect();
}

void HistorySource::Disconnect() {
  if (conn_ != nullptr) PQfinish(conn_);
  conn_ = nullptr;
  version_sent_ = false;
}

void HistorySource::Drain() {
  if (!version_sent_) return;
  version_sent_ = false;
  while (pg_result* r = PQgetResult(conn_))
    PQclear(r);
}

void HistorySource::Connect() {
  const char* keys[] = {"dbname", "connect_timeout", "application_name", nullptr};
  const char* values[] = {url_.c_str(), "2", "exchange-md", nullptr};
  conn_ = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
  if (conn_ == nullptr || PQstatus(conn_) != CONNECTION_OK) {
    const std::string why = Trimmed(conn_ != nullptr ? PQerrorMessage(conn_) : "out of memory");
    Disconnect();
    throw BackendUnavailable(gate_.Failed("postgresql unavailable: " + why));
  }
  PQsetNoticeProcessor(
      conn_, [](void*, const char*) {}, nullptr);
  const std::string set_path = "SET search_path TO " + persistence::QuoteIdentifier(schema_);
  std::vector<pg_result*> results = {PQexec(conn_, set_path.c_str())};
  if (listening_) results.push_back(PQexec(conn_, kListen.c_str()));
  for (const StatementText& s : kStatements)
    results.push_back(PQprepare(conn_, s.name, s.sql, s.parameters, nullptr));
  std::string failure;
  for (pg_result* r : results) {
    const ExecStatusType status = r != nullptr ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && failure.empty()) {
      failure = Trimmed(r != nullptr ? PQresultErrorMessage(r) : PQerrorMessage(conn_));
    }
    if (r != nullptr) PQclear(r);
  }
  if (!failure.empty()) {
    const bool lost = PQstatus(conn_) != CONNECTION_OK;
    Disconnect();
    if (lost) throw BackendUnavailable(gate_.Failed("postgresql unavailable: " + failure));
    throw persistence::PgError("postgresql: preparing the queries: " + failure, "", false);
  }
  gate_.Succeeded();
  changed_ = true;  // whatever was committed while there was no connection
}

pg_conn* HistorySource::Connection() {
  if (conn_ != nullptr && PQstatus(conn_) == CONNECTION_OK) return conn_;
  Disconnect();
  gate_.CheckOpen();
  Connect();
  return conn_;
}

persistence::PgResult HistorySource::Run(int statement, const std::vector<std::string>& params) {
  pg_conn* conn = Connection();
  Drain();
  std::array<const char*, 8> values{};
  for (std::size_t i = 0; i < params.size() && i < values.size(); ++i)
    values[i] = params[i].c_str();
  const StatementText& s = kStatements[static_cast<std::size_t>(statement)];
  return Checked(statement,
                 PQexecPrepared(conn, s.name, s.parameters, values.data(), nullptr, nullptr, 0));
}

persistence::PgResult HistorySource::Checked(int statement, pg_result* result) {
  persistence::PgResult rows(result);
  if (result != nullptr && PQresultStatus(result) == PGRES_TUPLES_OK) return rows;
  const StatementText& s = kStatements[static_cast<std::size_t>(statement)];
  std::string why = Trimmed(result != nullptr ? PQresultErrorMessage(result) : nullptr);
  if (why.empty()) why = Trimmed(PQerrorMessage(conn_));
  if (PQstatus(conn_) != CONNECTION_OK) {
    Disconnect();
    throw BackendUnavailable(gate_.Failed("postgresql unavailable: " + why));
  }
  const char* state = result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  throw persistence::PgError(std::string("postgresql: ") + s.name + ": " + why,
                             state != nullptr ? state : "", false);
}

std::vector<persistence::InstrumentRow> HistorySource::Instruments() {
  const persistence::PgResult r = Run(kInstruments, {});
  std::vector<persistence::InstrumentRow> out;
  out.reserve(static_cast<std::size_t>(r.rows()));
  for (int row = 0; row < r.rows(); ++row) {
    persistence::InstrumentRow i;
    i.symbol = std::string(r.value(row, 0));
    i.price_decimals = IntOf<int>(r, row, 1);
    i.quantity_decimals = IntOf<int>(r, row, 2);
    i.tick_size = IntOf<Price>(r, row, 3);
    i.lot_size = IntOf<Quantity>(r, row, 4);
    i.min_quantity = IntOf<Quantity>(r, row, 5);
    i.max_quantity = IntOf<Quantity>(r, row, 6);
    i.base_asset = std::string(r.value(row, 7));
    i.quote_asset = std::string(r.value(row, 8));
    if (const auto stp = ParseStpMode(r.value(row, 9)); stp && *stp != StpMode::kInstrumentDefault)
      i.default_stp = *stp;
    out.push_back(std::move(i));
  }
  return out;
}

std::vector<candles::Candle> HistorySource::Candles(std::string_view symbol,
                                                    candles::CandleInterval interval,
                                                    const CandleWindow& window) {
  const persistence::PgResult r =
      Run(window.newest ? kCandlesNewest : kCandlesOldest,
          {std::string(symbol), std::string(candles::IntervalName(interval)),
           MicrosParam(window.from), MicrosParam(window.to), std::to_string(window.limit)});
  std::vector<candles::Candle> out;
  out.reserve(static_cast<std::size_t>(r.rows()));
  for (int row = 0; row < r.rows(); ++row)
    out.push_back(CandleOf(r, row, symbol, interval));
  if (window.newest) std::reverse(out.begin(), out.end());
  return out;
}

std::vector<candles::Candle> HistorySource::CandlesChangedAfter(std::string_view symbol,
                                                                candles::CandleInterval interval,
                                                                Timestamp from,
                                                                Sequence after_trade_id) {
  const persistence::PgResult r =
      Run(kCandlesChanged, {std::string(symbol), std::string(candles::IntervalName(interval)),
                            MicrosParam(from), std::to_string(after_trade_id)});
  std::vector<candles::Candle> out;
  out.reserve(static_cast<std::size_t>(r.rows()));
  for (int row = 0; row < r.rows(); ++row)
    out.push_back(CandleOf(r, row, symbol, interval));
  return out;
}

void HistorySource::ListenForCommits() {
  if (listening_) return;
  listening_ = true;
  Disconnect();  // the next query connects, and LISTENs
}

bool HistorySource::TakeChanged() {
  if (!listening_ || conn_ == nullptr || PQstatus(conn_) != CONNECTION_OK)
    return true;  // the query will say
  // Reads what the socket holds without waiting (one recv); 0: a broken
  // connection, which the next query reports.
  if (PQconsumeInput(conn_) == 0) return true;
  while (PGnotify* n = PQnotifies(conn_)) {
    if (schema_ == n->extra) changed_ = true;  // a commit to another schema is not ours
    PQfreemem(n);
  }
  const bool changed = changed_;
  changed_ = false;
  return changed;
}

void HistorySource::SendVersion() {
  pg_conn* conn = Connection();
  Drain();
  TakeChanged();  // announced before the query: the answer covers them
  const StatementText& s = kStatements[kHistoryVersion];
  if (PQsendQueryPrepared(conn, s.name, 0, nullptr, nullptr, nullptr, 0) != 1) {
    Checked(kHistoryVersion, nullptr);  // throws: the connection's error
  }
  version_sent_ = true;
}

HistoryVersion HistorySource::Version() {
  const persistence::PgResult r = [&] {
    if (!version_sent_) {
      Connection();
      TakeChanged();  // announced before the query: the answer covers them
      return Run(kHistoryVersion, {});
    }
    version_sent_ = false;
    pg_result* result = PQgetResult(conn_);
    // The answer, then a null that ends it (read before anything is thrown).
    if (result != nullptr) {
      while (pg_result* extra = PQgetResult(conn_))
        PQclear(extra);
    }
    return Checked(kHistoryVersion, result);
  }();
  HistoryVersion v;
  v.shards.reserve(static_cast<std::size_t>(r.rows()));
  for (int row = 0; row < r.rows(); ++row) {
    v.shards.push_back(
        {std::string(r.value(row, 0)), IntOf<Sequence>(r, row, 1), IntOf<std::int64_t>(r, row, 2)});
    v.progress_table = IntOf<std::int64_t>(r, row, 3);
  }
  return v;
}

std::optional<candles::Candle> HistorySource::CandleBefore(std::string_view symbol,
                                                           candles::CandleInterval interval,
                                                           Timestamp before) {
  const persistence::PgResult r =
      Run(kCandleBefore,
          {std::string(symbol), std::string(candles::IntervalName(interval)), MicrosParam(before)});
  if (r.rows() == 0) return std::nullopt;
  return CandleOf(r, 0, symbol, interval);
}

std::vector<TradeRecord> HistorySource::RecentTrades(std::string_view symbol, std::int64_t limit,
                                                     Timestamp before) {
  std::vector<TradeRecord> out = TradesOf(
      Run(kRecentTrades, {std::string(symbol), MicrosParam(before), std::to_string(limit)}));
  std::reverse(out.begin(), out.end());
  return out;
}

std::vector<TradeRecord> HistorySource::TradesFromId(std::string_view symbol, Sequence from_id,
                                                     std::int64_t limit) {
  return TradesOf(
      Run(kTradesFromId, {std::string(symbol), std::to_string(from_id), std::to_string(limit)}));
}

std::optional<TradeRecord> HistorySource::TradeBefore(std::string_view symbol, Sequence id) {
  std::vector<TradeRecord> one =
      TradesOf(Run(kTradeBefore, {std::string(symbol), std::to_string(id)}));
  if (one.empty()) return std::nullopt;
  return one.front();
}

std::vector<TradeRecord> HistorySource::TradesFromTime(std::string_view symbol, Timestamp from,
                                                       Timestamp to, std::int64_t limit) {
  return TradesOf(Run(kTradesFromTime, {std::string(symbol), MicrosParam(from), MicrosParam(to),
                                        std::to_string(limit)}));
}

}  // namespace exchange::md
