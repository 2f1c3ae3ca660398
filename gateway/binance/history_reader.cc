#include "gateway/binance/history_reader.h"

#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>

#include <exception>
#include <utility>

namespace exchange::binance {

HistoryReader::HistoryReader(boost::asio::io_context& io, std::string pg_url, std::string pg_schema)
    : io_(io), pg_url_(std::move(pg_url)), pg_schema_(std::move(pg_schema)) {}

HistoryReader::~HistoryReader() {
  Stop();
}

void HistoryReader::Start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { Run(); });
}

void HistoryReader::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool HistoryReader::Enqueue(Job job) {
  {
    std::lock_guard lock(mu_);
    if (jobs_.size() >= kMaxQueued) return false;
    jobs_.push_back(std::move(job));
  }
  wake_.notify_one();
  return true;
}

void HistoryReader::Run() {
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mu_);
      wake_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
      if (stopping_) return;  // waiting reads are dropped: the I/O thread is stopping too
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    std::string problem;
    if (!history_) {
      try {
        history_ = std::make_unique<persistence::AccountHistory>(pg_url_, pg_schema_);
      } catch (const std::exception& e) {
        problem = e.what();
      }
    }
    job(history_.get(), problem);
  }
}

template <typename Row, typename Query, typename Read>
void HistoryReader::Submit(Query query, std::function<void(HistoryResult<Row>)> done, Read read) {
  auto job = [this, query = std::move(query), done, read](persistence::AccountHistory* history,
                                                          const std::string& problem) {
    HistoryResult<Row> result;
    result.error = problem;
    if (history != nullptr) {
      try {
        result.rows = (history->*read)(query);
      } catch (const std::exception& e) {
        result.error = e.what();
      }
    }
    if (!result.error.empty()) spdlog::warn("binance api: history read failed: {}", result.error);
    boost::asio::post(io_,
                      [done, result = std::move(result)]() mutable { done(std::move(result)); });
  };
  if (Enqueue(std::move(job))) return;
  HistoryResult<Row> busy;
  busy.busy = true;
  done(std::move(busy));
}

void HistoryReader::ReadOrders(persistence::HistoryOrderQuery query, OrdersDone done) {
  Submit<persistence::HistoryOrder>(std::move(query), std::move(done),
                                    &persistence::AccountHistory::Orders);
}

void HistoryReader::ReadTrades(persistence::HistoryTradeQuery query, TradesDone done) {
  Submit<persistence::HistoryTrade>(std::move(query), std::move(done),
                                    &persistence::AccountHistory::Trades);
}

}  // namespace exchange::binance
