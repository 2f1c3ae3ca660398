// CommandPublisher: see command_publisher.h.
#include "gateway/command_publisher.h"

#include <spdlog/spdlog.h>

#include <chrono>

#include "amqp/topology.h"
#include "wire/wire_format.h"

namespace exchange::fix {
namespace {

constexpr auto kReconnectDelay = std::chrono::milliseconds(500);
constexpr auto kIdleWait =
    std::chrono::milliseconds(20);  // confirms are polled this often when idle

}  // namespace

CommandPublisher::CommandPublisher(amqp::Url url, std::uint64_t producer_id,
                                   std::uint64_t first_sequence,
                                   std::chrono::microseconds min_interval)
    : url_(std::move(url)),
      producer_id_(producer_id),
      next_sequence_(first_sequence),
      min_interval_(min_interval) {}

CommandPublisher::~CommandPublisher() {
  Stop();
}

std::optional<std::string> CommandPublisher::Start(std::chrono::milliseconds timeout) {
  thread_ = std::thread([this] { Run(); });
  std::unique_lock lock(mutex_);
  wake_.wait_for(lock, timeout, [&] { return ever_connected_; });
  if (ever_connected_) return std::nullopt;
  return last_error_.empty() ? std::string("no connection yet") : last_error_;
}

void CommandPublisher::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::optional<std::string> CommandPublisher::Submit(std::string_view symbol, const Command& command,
                                                    std::uint64_t token) {
  if (!connected_.load(std::memory_order_acquire)) {
    std::lock_guard lock(mutex_);
    return "RabbitMQ is unreachable (" + last_error_ + ")";
  }
  if (!post_) {
    {
      std::lock_guard lock(mutex_);
      queue_.push_back({std::string(symbol), command, token});
    }
    wake_.notify_one();
    return std::nullopt;
  }
  staged_.push_back({std::string(symbol), command, token});
  if (staged_.size() == 1) post_([this] { HandOver(); });
  return std::nullopt;
}

void CommandPublisher::HandOver() {
  {
    std::lock_guard lock(mutex_);
    if (queue_.empty()) {
      queue_.swap(staged_);
    } else {
      queue_.insert(queue_.end(), std::make_move_iterator(staged_.begin()),
                    std::make_move_iterator(staged_.end()));
      staged_.clear();
    }
  }
  wake_.notify_one();
}

void CommandPublisher::SetDisconnected(const std::string& why) {
  std::lock_guard lock(mutex_);
  last_error_ = why;
  connected_.store(false, std::memory_order_release);
}

void CommandPublisher::Run() {
  bool logged = false;
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
    }
    try {
      amqp::AmqpClient client(url_, std::chrono::seconds(5));
      client.EnableConfirms();
      // Messages not confirmed on the last connection go again, same sequences.
      for (Unconfirmed& u : unconfirmed_) {
        u.number = client.Publish(std::string(topology::kOrdersExchange), u.routing_key, u.body);
      }
      {
        std::lock_guard lock(mutex_);
        connected_.store(true, std::memory_order_release);
        ever_connected_ = true;
      }
      wake_.notify_all();
      if (logged) spdlog::info("gateway: RabbitMQ publisher connected again");
      logged = false;
      Session(client);
      return;  // Stop()
    } catch (const amqp::AmqpError& e) {
      SetDisconnected(e.what());
      if (!logged) spdlog::error("gateway: RabbitMQ publisher: {} (retrying)", e.what());
      logged = true;
    }
    std::unique_lock lock(mutex_);
    wake_.wait_for(lock, kReconnectDelay, [&] { return stopping_; });
  }
}

void CommandPublisher::Session(amqp::AmqpClient& client) {
  std::vector<Queued> batch;
  auto last_publish = std::chrono::steady_clock::now() - min_interval_;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, kIdleWait, [&] { return stopping_ || !queue_.empty(); });
      if (stopping_ && queue_.empty()) break;
      // Under load, at most one message per min_interval_: what arrives
      // meanwhile joins it (an idle publisher sends at once).
      wake_.wait_until(lock, last_publish + min_interval_, [&] { return stopping_; });
      batch.swap(queue_);
    }
    if (!batch.empty()) {
      last_publish = std::chrono::steady_clock::now();
      PublishQueued(client, batch);
    }
    batch.clear();
    client.PollConfirms();
    const std::uint64_t confirmed = client.confirmed();
    std::size_t done = 0;
    while (done < unconfirmed_.size() && unconfirmed_[done].number <= confirmed)
      ++done;
    unconfirmed_.erase(unconfirmed_.begin(), unconfirmed_.begin() + done);
  }
  // Stopping: give the last messages a moment to be confirmed.
  client.WaitConfirms(std::chrono::milliseconds(2000));
}

// One message per run of consecutive commands of one symbol.
void CommandPublisher::PublishQueued(amqp::AmqpClient& client, std::vector<Queued>& batch) {
  std::size_t i = 0;
  while (i < batch.size()) {
    wire::CommandBatch message;
    message.producer_id = producer_id_;
    const std::string& symbol = batch[i].symbol;
    std::size_t j = i;
    for (; j < batch.size() && batch[j].symbol == symbol; ++j) {
      message.records.push_back({next_sequence_++, SymbolName(symbol), batch[j].command});
    }
    Unconfirmed u;
    u.routing_key = symbol.empty() ? std::string(topology::kAllSymbolsKey) : symbol;
    wire::AppendCommandBatch(message, u.body);
    try {
      u.number = client.Publish(std::string(topology::kOrdersExchange), u.routing_key, u.body);
    } catch (const amqp::AmqpError&) {
      // Kept: published again, same sequences, on the next connection.
      unconfirmed_.push_back(std::move(u));
      for (std::size_t k = j; k < batch.size(); ++k) {
        // The rest was never on the wire; it goes on the next connection too.
        wire::CommandBatch rest;
        rest.producer_id = producer_id_;
        rest.records.push_back({next_sequence_++, SymbolName(batch[k].symbol), batch[k].command});
        Unconfirmed r;
        r.routing_key =
            batch[k].symbol.empty() ? std::string(topology::kAllSymbolsKey) : batch[k].symbol;
        wire::AppendCommandBatch(rest, r.body);
        unconfirmed_.push_back(std::move(r));
      }
      throw;
    }
    unconfirmed_.push_back(std::move(u));
    published_messages_.fetch_add(1, std::memory_order_relaxed);
    i = j;
  }
}

}  // namespace exchange::fix
