// The gateway's HistoryReader (gateway/binance/history_reader.h) without a
// PostgreSQL to read: each read is answered on the I/O thread, with the
// reason it failed, and the reader keeps answering (nothing hangs, nothing
// is lost). Reads of a real history are in account_history_test and the
// ccxt private test.
#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <thread>

#include "gateway/binance/history_reader.h"

namespace exchange::binance {
namespace {

TEST(HistoryReaderTest, AnUnreachableHistoryFailsEachReadWithTheReason) {
  boost::asio::io_context io;
  auto work = boost::asio::make_work_guard(io);  // run_one waits for the answers
  // Port 1 on loopback: refused at once.
  HistoryReader reader(io, "postgresql://nobody@127.0.0.1:1/none?connect_timeout=2", "public");
  reader.Start();
  const std::thread::id io_thread = std::this_thread::get_id();
  int answered = 0;
  persistence::HistoryOrderQuery orders;
  orders.account = 1;
  orders.symbol = "BTC-USD";
  reader.ReadOrders(orders, [&](HistoryResult<persistence::HistoryOrder> r) {
    EXPECT_EQ(std::this_thread::get_id(), io_thread) << "answered on the I/O thread";
    EXPECT_FALSE(r.busy);
    EXPECT_FALSE(r.error.empty());
    EXPECT_TRUE(r.rows.empty());
    ++answered;
  });
  persistence::HistoryTradeQuery trades;
  trades.account = 1;
  trades.symbol = "BTC-USD";
  reader.ReadTrades(trades, [&](HistoryResult<persistence::HistoryTrade> r) {
    EXPECT_FALSE(r.error.empty()) << "tried again, failed again";
    ++answered;
  });
  while (answered < 2 && io.run_one() > 0) {
  }
  EXPECT_EQ(answered, 2);
  reader.Stop();
}

TEST(HistoryReaderTest, ReadsPastTheQueueAreRefusedAtOnceAsBusy) {
  boost::asio::io_context io;
  HistoryReader reader(io, "postgresql://nobody@127.0.0.1:1/none", "public");
  // Not started: nothing is taken off the queue.
  int busy = 0;
  for (std::size_t i = 0; i < HistoryReader::kMaxQueued + 3; ++i) {
    reader.ReadOrders({}, [&](HistoryResult<persistence::HistoryOrder> r) {
      if (r.busy) ++busy;
    });
  }
  EXPECT_EQ(busy, 3);
}

}  // namespace
}  // namespace exchange::binance
