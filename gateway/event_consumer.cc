// EventConsumer: see event_consumer.h.
#include "gateway/event_consumer.h"

#include <spdlog/spdlog.h>

#include "amqp/topology.h"

namespace exchange::fix {
namespace {

constexpr auto kReconnectDelay = std::chrono::milliseconds(500);
constexpr auto kPollWait = std::chrono::milliseconds(5);
constexpr int kConnectionBits = 16;
constexpr std::uint64_t kTagMask = (1ull << (64 - kConnectionBits)) - 1;

std::uint64_t Pack(EventConsumer::Receipt r) {
  return (r.connection << (64 - kConnectionBits)) | (r.delivery_tag & kTagMask);
}

}  // namespace

EventConsumer::EventConsumer(amqp::Url url, std::string queue, std::vector<std::uint32_t> accounts,
                             std::uint16_t prefetch, BatchCallback on_batch)
    : url_(std::move(url)),
      queue_(std::move(queue)),
      accounts_(std::move(accounts)),
      prefetch_(prefetch),
      on_batch_(std::move(on_batch)) {}

EventConsumer::~EventConsumer() {
  Stop();
}

std::optional<std::string> EventConsumer::Start(std::chrono::milliseconds timeout) {
  thread_ = std::thread([this] { Run(); });
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!ready_.load() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (ready_.load()) return std::nullopt;
  std::lock_guard lock(error_mutex_);
  return last_error_.empty() ? std::string("no connection yet") : last_error_;
}

void EventConsumer::Stop() {
  stopping_.store(true);
  if (thread_.joinable()) thread_.join();
}

void EventConsumer::MarkHandled(Receipt receipt) {
  handled_.store(Pack(receipt), std::memory_order_release);
}

void EventConsumer::AddAccounts(std::vector<std::uint32_t> accounts, std::function<void()> bound) {
  std::lock_guard lock(accounts_mutex_);
  accounts_.insert(accounts_.end(), accounts.begin(), accounts.end());
  added_.insert(added_.end(), accounts.begin(), accounts.end());
  on_bound_.push_back(std::move(bound));
  has_added_.store(true, std::memory_order_release);
}

void EventConsumer::BindAdded(amqp::AmqpClient& client) {
  std::vector<std::uint32_t> added;
  std::vector<std::function<void()>> tell;
  {
    std::lock_guard lock(accounts_mutex_);
    added.swap(added_);
    tell.swap(on_bound_);
    has_added_.store(false, std::memory_order_release);
  }
  for (const std::uint32_t account : added) {
    client.Bind(queue_, std::string(topology::kEventsExchange), topology::ExecKey(account));
  }
  for (const auto& f : tell)
    f();
}

void EventConsumer::Run() {
  std::uint64_t connection = 0;
  bool logged = false;
  while (!stopping_.load()) {
    connection = connection % ((1u << kConnectionBits) - 1) + 1;
    try {
      amqp::AmqpClient client(url_, std::chrono::seconds(5));
      client.DeclareExchange(std::string(topology::kEventsExchange), "topic");
      client.DeclareQueue(queue_);
      {
        std::lock_guard lock(accounts_mutex_);
        added_ = accounts_;  // every account, bound again on this connection
        has_added_.store(true, std::memory_order_release);
      }
      BindAdded(client);
      client.Consume(queue_, prefetch_);
      ready_.store(true);
      if (logged) spdlog::info("gateway: RabbitMQ event consumer connected again");
      logged = false;
      Consume(client, connection);
      return;
    } catch (const amqp::AmqpError& e) {
      {
        std::lock_guard lock(error_mutex_);
        last_error_ = e.what();
      }
      if (!logged) spdlog::error("gateway: RabbitMQ event consumer: {} (retrying)", e.what());
      logged = true;
    }
    std::this_thread::sleep_for(kReconnectDelay);
  }
}

void EventConsumer::Consume(amqp::AmqpClient& client, std::uint64_t connection) {
  std::uint64_t acked = 0;
  while (!stopping_.load()) {
    if (has_added_.load(std::memory_order_acquire)) BindAdded(client);
    // Acknowledge what the I/O thread has handled on this connection.
    const std::uint64_t handled = handled_.load(std::memory_order_acquire);
    if (handled >> (64 - kConnectionBits) == connection) {
      const std::uint64_t tag = handled & kTagMask;
      if (tag > acked) {
        client.Ack(tag, /*multiple=*/true);
        acked = tag;
      }
    }
    std::optional<amqp::Delivery> d = client.Next(kPollWait);
    if (!d) continue;
    wire::EventBatch batch;
    if (auto error = wire::DecodeEventBatch(d->body, batch)) {
      // Only the engine publishes here: a bad batch is a bug, not input to
      // retry. It is logged with what is needed to find it, then dropped.
      spdlog::error("gateway: undecodable event batch on {} (routing key {}): {} at byte {}",
                    queue_, d->routing_key, error->reason, error->offset);
      continue;  // acked with the next handled batch (multiple)
    }
    batches_.fetch_add(1, std::memory_order_relaxed);
    on_batch_(std::move(batch), Receipt{connection, d->tag});
  }
}

}  // namespace exchange::fix
