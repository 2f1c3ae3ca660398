// HistorySource: a serving thread's reads of the PostgreSQL history, with
// the read-only role: the instruments, stored candles of a window (the
// candles table's primary key (symbol, interval, open_time); never the
// trades), the newest candle before a time, and a symbol's recent trades
// (the (symbol, time) B-tree, newest day partition first).
//
// Every query is a prepared statement, prepared once per connection. The
// connection is made on first use and again after it is lost
// (ReconnectGate's pace); PostgreSQL unreachable: BackendUnavailable. Any
// other PostgreSQL failure (a missing table, say) is persistence::PgError.
//
// Owned by one serving thread; one thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "candles/candle.h"
#include "md/reconnect_gate.h"
#include "persistence/history_writer.h"  // InstrumentRow
#include "persistence/pg_connection.h"

struct pg_conn;

namespace exchange::md {

// Which candles of a window [from, to) (ns): the oldest or the newest
// `limit` of them. Results are always oldest first.
struct CandleWindow {
  Timestamp from = 0;
  Timestamp to = 0;
  std::int64_t limit = 500;
  bool newest = false;
};

// A row of `trades`, as the market-data API shows it.
struct TradeRecord {
  Sequence id = 0;
  Timestamp time = 0;  // ns (stored with µs precision)
  Price price = 0;
  Quantity quantity = 0;
  Side aggressor = Side::kBuy;
};

class HistorySource {
 public:
  HistorySource(std::string url, std::string schema, std::chrono::milliseconds retry);
  ~HistorySource();
  HistorySource(const HistorySource&) = delete;
  HistorySource& operator=(const HistorySource&) = delete;

  std::vector<persistence::InstrumentRow> Instruments();
  std::vector<candles::Candle> Candles(std::string_view symbol, candles::CandleInterval interval,
                                       const CandleWindow& window);
  // The newest stored candle opening before `before`.
  std::optional<candles::Candle> CandleBefore(std::string_view symbol,
                                              candles::CandleInterval interval, Timestamp before);
  // The newest `limit` trades, oldest first.
  std::vector<TradeRecord> RecentTrades(std::string_view symbol, std::int64_t limit);

 private:
  pg_conn* Connection();
  void Connect();
  void Disconnect();
  // Runs prepared statement `statement` (history_source.cc's list).
  persistence::PgResult Run(int statement, const std::vector<std::string>& params);

  std::string url_;
  std::string schema_;
  ReconnectGate gate_;
  pg_conn* conn_ = nullptr;
};

}  // namespace exchange::md
