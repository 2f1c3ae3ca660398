// AccountHistory: one account's finished orders and trades in one symbol,
// read from the trade history (tables `orders` and `trades`), as
// the Binance-compatible API's allOrders and myTrades need them. Open
// orders are not here (the `orders` table holds an order once it is
// finished): the gateway adds the ones it holds.
//
// Paging follows Binance's rules: with a starting id, the rows with ids
// from it upwards (ascending, at most `limit`); without one, the newest
// `limit` rows (returned ascending). Time bounds are inclusive
// milliseconds (Binance's startTime/endTime) on the order's acceptance
// (its finish when the acceptance is unknown) and on the trade's time.
//
// Indexes: orders (account, symbol, exchange_order_id) (migration 0007);
// trades by account, the GIN index trades_accounts (0002). Each trade row
// carries its orders' exchange ids and its sides' fees (0007), so nothing
// reads the ledger.
//
// Read only (the read-only role will do). Owns one connection; one thread
// (the gateway's history reader).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/types.h"
#include "persistence/order_tracker.h"
#include "persistence/pg_connection.h"

namespace exchange::persistence {

// A finished order as the `orders` table has it.
struct HistoryOrder {
  std::string symbol;
  ClientOrderId order_id = 0;  // the engine's client order id at the end
  OrderId exchange_order_id = 0;
  Side side = Side::kBuy;
  OrderType order_type = OrderType::kLimit;
  Price price = 0;
  Price stop_price = 0;
  Quantity quantity = 0;
  Quantity filled = 0;
  // Σ price × quantity of its fills (price units × quantity units); nullopt
  // for rows stored before migration 0007.
  std::optional<__int128> quote_filled;
  FinishStatus status = FinishStatus::kFilled;
  std::string reason;  // why cancelled or rejected; "" when filled
  // The ACCEPTED event's time; nullopt when the tracker did not see it (an
  // order it was seeded with after a restart, or a row before 0007).
  std::optional<Timestamp> accepted_at;
  Timestamp finished_at = 0;
  bool operator==(const HistoryOrder&) const = default;
};

struct HistoryOrderQuery {
  AccountId account = 0;
  std::string symbol;
  std::optional<OrderId> from_order_id;  // exchange order id, inclusive
  std::optional<std::int64_t> start_ms;  // inclusive
  std::optional<std::int64_t> end_ms;    // inclusive
  int limit = 500;
};

// One trade of the account, from its side. A self-trade (the account was
// taker and maker) is two rows, the taker's first.
struct HistoryTrade {
  std::string symbol;
  Sequence trade_id = 0;
  Timestamp time = 0;  // stored (µs precision)
  Price price = 0;
  Quantity quantity = 0;
  bool is_buyer = false;
  bool is_maker = false;
  ClientOrderId order_id = 0;  // the engine's client order id of the account's order
  // The account's order's exchange id, and its fee on this trade in the
  // asset it received (base for the buyer, quote for the seller; negative:
  // a rebate; 0 without cash risk), as the trade row has them; 0 in rows
  // stored before migration 0007.
  OrderId exchange_order_id = 0;
  Amount commission = 0;
  bool operator==(const HistoryTrade&) const = default;
};

struct HistoryTradeQuery {
  AccountId account = 0;
  std::string symbol;
  // Only the trades of the account's order with this exchange id (none in
  // rows stored before migration 0007).
  std::optional<OrderId> exchange_order_id;
  // Or of the account's order with this engine client order id (the
  // gateway knows it for an order it holds open).
  std::optional<ClientOrderId> order_id;
  std::optional<Sequence> from_trade_id;  // inclusive
  std::optional<std::int64_t> start_ms;   // inclusive
  std::optional<std::int64_t> end_ms;     // inclusive
  int limit = 500;
};

class AccountHistory {
 public:
  // Connects to `url`; reads the tables of `schema`. Throws PgError.
  AccountHistory(const std::string& url, const std::string& schema = "public");

  // Throws PgError (the connection is then remade on the next call), and
  // std::invalid_argument for a limit below 1 (nothing is clamped).
  std::vector<HistoryOrder> Orders(const HistoryOrderQuery& query);
  std::vector<HistoryTrade> Trades(const HistoryTradeQuery& query);

  // PostgreSQL's plan of the statement Orders or Trades would run (EXPLAIN,
  // or EXPLAIN (ANALYZE, BUFFERS)), one line each: persistence/README.md and
  // the tests. Trades with an exchange order id looks the order up first.
  std::vector<std::string> ExplainOrders(const HistoryOrderQuery& query, bool analyze = false);
  std::vector<std::string> ExplainTrades(const HistoryTradeQuery& query, bool analyze = false);

  // SQL with its $1.. parameters (text).
  struct Statement {
    std::string sql;
    std::vector<std::string> params;
  };

 private:
  PgConnection& Connection();
  // One statement; a lost connection is dropped, to be remade next time.
  PgResult Run(const std::string& sql, const std::vector<std::string>& params);
  Statement OrdersStatement(const HistoryOrderQuery& query);
  Statement TradesStatement(const HistoryTradeQuery& query);
  std::vector<std::string> Explain(Statement statement, bool analyze);

  std::string url_;
  std::string schema_;
  std::unique_ptr<PgConnection> connection_;
};

}  // namespace exchange::persistence
