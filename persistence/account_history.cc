#include "persistence/account_history.h"

#include <algorithm>
#include <climits>
#include <stdexcept>

#include "persistence/copy_text.h"
#include "persistence/pg_values.h"

namespace exchange::persistence {

// ---- The queries (quoted in persistence/README.md, "allOrders and myTrades") ----
//
// Times are bound as text, "YYYY-MM-DD HH:MM:SS.ffffff+00", and come back as
// microseconds since the epoch. The optional bounds are appended as
// "AND ..." clauses with the next $n.

// $1 account, $2 symbol. orders_account_symbol (account, symbol,
// exchange_order_id) gives the rows in id order; exchange id 0 is a
// rejected order, which Binance never had.
const char* const kOrdersSql =
    "SELECT order_id, exchange_order_id, side, order_type, price, stop_price, quantity, filled,\n"
    "       quote_filled, status, reason, (extract(epoch FROM accepted_at) * 1000000)::bigint,\n"
    "       (extract(epoch FROM finished_at) * 1000000)::bigint\n"
    "FROM orders\n"
    "WHERE account = $1 AND symbol = $2 AND exchange_order_id <> 0";

// Each trade of the account, once per side it was on ($1 account, $2
// symbol): the GIN index trades_accounts answers the containment test (the
// expression as indexed), the VALUES list makes the taker's row and the
// maker's, and `s.account = $1` keeps the account's. Each side's order's
// exchange id and fee are the trade row's (0007; NULL in older rows): the
// buyer's fee is in base, the seller's in quote.
const char* const kTradeSidesSql =
    "SELECT t.trade_id, (extract(epoch FROM t.time) * 1000000)::bigint, t.price, t.quantity,\n"
    "       s.is_buyer, s.is_maker, s.order_id, s.exchange_order_id, s.fee\n"
    "  FROM trades AS t\n"
    "  CROSS JOIN LATERAL (VALUES\n"
    "      (false, t.aggressor_side = 'B', t.taker_account, t.taker_order_id,\n"
    "       t.taker_exchange_order_id,\n"
    "       CASE WHEN t.aggressor_side = 'B' THEN t.buyer_fee ELSE t.seller_fee END),\n"
    "      (true, t.aggressor_side = 'S', t.maker_account, t.maker_order_id,\n"
    "       t.maker_exchange_order_id,\n"
    "       CASE WHEN t.aggressor_side = 'S' THEN t.buyer_fee ELSE t.seller_fee END))\n"
    "    AS s (is_maker, is_buyer, account, order_id, exchange_order_id, fee)\n"
    "  WHERE ARRAY[t.taker_account, t.maker_account] @> ARRAY[$1::bigint]\n"
    "    AND t.symbol = $2 AND s.account = $1";

namespace {

constexpr std::int64_t kNanosPerMilli = 1'000'000;
// Every stored time is a nanosecond Timestamp's: a bound beyond those is
// clamped to one, which changes no result.
constexpr std::int64_t kMinMillis = INT64_MIN / kNanosPerMilli + 1;
constexpr std::int64_t kMaxMillis = INT64_MAX / kNanosPerMilli - 1;

std::string MillisParam(std::int64_t ms) {
  return TimeText(std::clamp(ms, kMinMillis, kMaxMillis) * kNanosPerMilli);
}

// An inclusive end in milliseconds as an exclusive bound: the start of the
// next millisecond (a stored 12.345678 ms is in millisecond 12).
std::string EndParam(std::int64_t ms) {
  return MillisParam(ms >= kMaxMillis ? kMaxMillis : ms + 1);
}

std::string IdText(std::uint64_t id) {
  return std::to_string(static_cast<std::int64_t>(id));
}

void CheckLimit(int limit) {
  if (limit < 1) {
    throw std::invalid_argument("account history: the limit must be at least 1, not " +
                                std::to_string(limit));
  }
}

using Query = AccountHistory::Statement;

// "$n" of a new parameter.
std::string Param(Query& query, std::string value) {
  query.params.push_back(std::move(value));
  std::string name = "$";
  name += std::to_string(query.params.size());
  return name;
}

// Appends "AND left op $n[cast]".
void And(Query& query, const std::string& left, const char* op, std::string value,
         const char* cast = "") {
  const std::string param = Param(query, std::move(value));
  query.sql += "\n    AND " + left + " " + op + " " + param + cast;
}

FinishStatus StatusOf(std::string_view text) {
  for (auto s : {FinishStatus::kFilled, FinishStatus::kCanceled, FinishStatus::kRejected}) {
    if (ToString(s) == text) return s;
  }
  throw std::runtime_error("account history: unknown order status '" + std::string(text) + "'");
}

OrderType OrderTypeOf(std::string_view text) {
  const auto type = ParseOrderType(text);
  if (!type) {
    throw std::runtime_error("account history: unknown order type '" + std::string(text) + "'");
  }
  return *type;
}

Side SideOf(std::string_view text) {
  return text == "S" ? Side::kSell : Side::kBuy;
}

HistoryOrder OrderOf(const PgResult& r, int i, const std::string& symbol) {
  HistoryOrder o;
  o.symbol = symbol;
  o.order_id = static_cast<ClientOrderId>(PgInt64(r.value(i, 0), "order_id"));
  o.exchange_order_id = static_cast<OrderId>(PgInt64(r.value(i, 1), "exchange_order_id"));
  o.side = SideOf(r.value(i, 2));
  o.order_type = OrderTypeOf(r.value(i, 3));
  o.price = PgInt64(r.value(i, 4), "price");
  o.stop_price = PgInt64(r.value(i, 5), "stop_price");
  o.quantity = PgInt64(r.value(i, 6), "quantity");
  o.filled = PgInt64(r.value(i, 7), "filled");
  if (!r.is_null(i, 8)) o.quote_filled = PgInt128(r.value(i, 8), "quote_filled");
  o.status = StatusOf(r.value(i, 9));
  o.reason = std::string(r.value(i, 10));
  if (!r.is_null(i, 11)) o.accepted_at = PgMicrosToNanos(r.value(i, 11), "accepted_at");
  o.finished_at = PgMicrosToNanos(r.value(i, 12), "finished_at");
  return o;
}

HistoryTrade TradeOf(const PgResult& r, int i, const std::string& symbol) {
  HistoryTrade t;
  t.symbol = symbol;
  t.trade_id = static_cast<Sequence>(PgInt64(r.value(i, 0), "trade_id"));
  t.time = PgMicrosToNanos(r.value(i, 1), "time");
  t.price = PgInt64(r.value(i, 2), "price");
  t.quantity = PgInt64(r.value(i, 3), "quantity");
  t.is_buyer = r.value(i, 4) == "t";
  t.is_maker = r.value(i, 5) == "t";
  t.order_id = static_cast<ClientOrderId>(PgInt64(r.value(i, 6), "order_id"));
  if (!r.is_null(i, 7)) {
    t.exchange_order_id = static_cast<OrderId>(PgInt64(r.value(i, 7), "exchange_order_id"));
  }
  if (!r.is_null(i, 8)) t.commission = PgInt64(r.value(i, 8), "fee");
  return t;
}

}  // namespace

AccountHistory::AccountHistory(const std::string& url, const std::string& schema)
    : url_(url), schema_(schema) {
  Connection();
}

PgConnection& AccountHistory::Connection() {
  if (!connection_ || !connection_->ok()) {
    connection_.reset();
    auto c = std::make_unique<PgConnection>(url_);
    c->Exec("SET application_name TO 'exchange-account-history'");
    c->Exec("SET search_path TO " + QuoteIdentifier(schema_));
    connection_ = std::move(c);
  }
  return *connection_;
}

PgResult AccountHistory::Run(const std::string& sql, const std::vector<std::string>& params) {
  try {
    return Connection().Exec(sql, params);
  } catch (const PgError& e) {
    if (e.connection_lost()) connection_.reset();  // remade by the next call
    throw;
  }
}

AccountHistory::Statement AccountHistory::OrdersStatement(const HistoryOrderQuery& q) {
  CheckLimit(q.limit);
  Query query;
  query.sql = kOrdersSql;
  Param(query, std::to_string(q.account));
  Param(query, q.symbol);
  const char* const time = "COALESCE(accepted_at, finished_at)";
  if (q.from_order_id) And(query, "exchange_order_id", ">=", IdText(*q.from_order_id));
  if (q.start_ms) And(query, time, ">=", MillisParam(*q.start_ms), "::timestamptz");
  if (q.end_ms) And(query, time, "<", EndParam(*q.end_ms), "::timestamptz");
  query.sql +=
      q.from_order_id ? "\nORDER BY exchange_order_id" : "\nORDER BY exchange_order_id DESC";
  query.sql += "\nLIMIT " + Param(query, std::to_string(q.limit));
  return query;
}

std::vector<HistoryOrder> AccountHistory::Orders(const HistoryOrderQuery& q) {
  const Statement statement = OrdersStatement(q);
  const PgResult r = Run(statement.sql, statement.params);
  std::vector<HistoryOrder> out;
  out.reserve(static_cast<std::size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i)
    out.push_back(OrderOf(r, i, q.symbol));
  if (!q.from_order_id) std::reverse(out.begin(), out.end());  // the newest, ascending
  return out;
}

// The account's trade sides with the bounds, by id, or newest first.
AccountHistory::Statement AccountHistory::TradesStatement(const HistoryTradeQuery& q) {
  CheckLimit(q.limit);
  Query query;
  Param(query, std::to_string(q.account));
  Param(query, q.symbol);
  query.sql = kTradeSidesSql;
  if (q.exchange_order_id) And(query, "s.exchange_order_id", "=", IdText(*q.exchange_order_id));
  if (q.order_id) And(query, "s.order_id", "=", IdText(*q.order_id));
  if (q.from_trade_id) And(query, "t.trade_id", ">=", IdText(*q.from_trade_id));
  if (q.start_ms) And(query, "t.time", ">=", MillisParam(*q.start_ms), "::timestamptz");
  if (q.end_ms) And(query, "t.time", "<", EndParam(*q.end_ms), "::timestamptz");
  const std::string dir = q.from_trade_id ? "" : " DESC";
  query.sql += "\nORDER BY t.trade_id" + dir + ", s.is_maker" + dir;
  query.sql += "\nLIMIT " + Param(query, std::to_string(q.limit));
  return query;
}

std::vector<HistoryTrade> AccountHistory::Trades(const HistoryTradeQuery& q) {
  const Statement statement = TradesStatement(q);
  const PgResult r = Run(statement.sql, statement.params);
  std::vector<HistoryTrade> out;
  out.reserve(static_cast<std::size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i)
    out.push_back(TradeOf(r, i, q.symbol));
  if (!q.from_trade_id) std::reverse(out.begin(), out.end());  // the newest, ascending
  return out;
}

std::vector<std::string> AccountHistory::ExplainOrders(const HistoryOrderQuery& q, bool analyze) {
  return Explain(OrdersStatement(q), analyze);
}

std::vector<std::string> AccountHistory::ExplainTrades(const HistoryTradeQuery& q, bool analyze) {
  return Explain(TradesStatement(q), analyze);
}

std::vector<std::string> AccountHistory::Explain(Statement statement, bool analyze) {
  statement.sql.insert(0, analyze ? "EXPLAIN (ANALYZE, BUFFERS) " : "EXPLAIN ");
  const PgResult r = Run(statement.sql, statement.params);
  std::vector<std::string> lines;
  for (int i = 0; i < r.rows(); ++i)
    lines.emplace_back(r.value(i, 0));
  return lines;
}

}  // namespace exchange::persistence
