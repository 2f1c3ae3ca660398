// HistoryReader: the reads of the trade history (PostgreSQL) that the
// Binance-compatible API answers from: an account's finished orders
// (allOrders) and its trades (myTrades), persistence/account_history.h.
// A query can take milliseconds; it runs on the reader's own thread, never
// on the I/O thread, and its result is posted back to the I/O thread.
//
// At most kMaxQueued reads wait; past that a read is refused at once
// (Binance's -1008, server busy) rather than queued without bound. A lost
// connection is remade on the next read; while PostgreSQL cannot be read
// each read fails with the reason (Binance's -1001).
//
// Start/Stop from the main thread; Read* from the I/O thread, whose `done`
// runs on the I/O thread.
#pragma once

#include <boost/asio/io_context.hpp>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "persistence/account_history.h"

namespace exchange::binance {

// A read's rows, or why there are none (PostgreSQL's error, or "busy").
template <typename Row>
struct HistoryResult {
  std::vector<Row> rows;
  std::string error;  // "" when rows are the answer
  bool busy = false;  // refused: too many reads waiting
};

class HistoryReader {
 public:
  static constexpr std::size_t kMaxQueued = 64;

  HistoryReader(boost::asio::io_context& io, std::string pg_url, std::string pg_schema);
  ~HistoryReader();

  void Start();
  void Stop();

  using OrdersDone = std::function<void(HistoryResult<persistence::HistoryOrder>)>;
  using TradesDone = std::function<void(HistoryResult<persistence::HistoryTrade>)>;
  void ReadOrders(persistence::HistoryOrderQuery query, OrdersDone done);
  void ReadTrades(persistence::HistoryTradeQuery query, TradesDone done);

 private:
  // A job runs on the reader thread with the history (nullptr when it
  // cannot be opened, with the reason) and posts its own answer.
  using Job = std::function<void(persistence::AccountHistory*, const std::string& problem)>;
  // Queues `job`; false when kMaxQueued are waiting.
  bool Enqueue(Job job);
  void Run();
  template <typename Row, typename Query, typename Read>
  void Submit(Query query, std::function<void(HistoryResult<Row>)> done, Read read);

  boost::asio::io_context& io_;
  std::string pg_url_;
  std::string pg_schema_;
  std::mutex mu_;
  std::condition_variable wake_;
  std::deque<Job> jobs_;   // guarded by mu_
  bool stopping_ = false;  // guarded by mu_
  std::thread thread_;
  std::unique_ptr<persistence::AccountHistory> history_;  // reader thread
};

}  // namespace exchange::binance
