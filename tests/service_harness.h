// Test harness for the engine service: runs the real exchange-engine binary
// as a child process, publishes command batches to RabbitMQ with confirms,
// collects the events the service publishes, and computes what an
// uninterrupted in-process engine produces for the same commands.
//
// Used by one test thread, except EventCollector, which owns a consumer
// thread and is safe to query from the test thread.
#pragma once

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "amqp/amqp_client.h"
#include "amqp/event_routes.h"
#include "amqp/shard_topology.h"
#include "amqp/topology.h"
#include "bookstate/book_view_seed.h"
#include "config/instruments_file.h"
#include "engine/engine.h"
#include "testing/child_process.h"
#include "wire/wire_format.h"

namespace exchange::testing {

inline std::uint64_t RandomId() {
  std::random_device rd;
  return (std::uint64_t{rd()} << 32 | rd()) | 1;
}

// A symbol no other test or service uses, so bindings see only our events.
inline std::string UniqueSymbol(const std::string& prefix) {
  return prefix + std::to_string(RandomId() % 1000000);
}

// Writes an instruments file with one instrument named `symbol` (like BENCH:
// tick 1, lot 1); returns its spec as the service will read it.
inline InstrumentSpec WriteInstrumentFile(const std::string& path, const std::string& symbol) {
  std::ofstream(path) << "[[instrument]]\nsymbol = \"" << symbol
                      << "\"\ntick_size = 1\nlot_size = 1\nmin_quantity = 1\n"
                         "max_quantity = 1000000\nmarket_protection_ticks = 1000\n";
  return LoadInstruments(path).at(0).spec;
}

// The exchange-engine process (ChildProcess: killed with SIGKILL when
// destroyed still running).
class ServiceProcess {
 public:
  // The shard is named after the symbol; instruments come from `instruments`.
  ServiceProcess(std::string amqp_url, std::string symbol, std::string instruments,
                 std::string data_dir, std::vector<std::string> extra = {})
      : url_(std::move(amqp_url)),
        shard_("test-" + symbol),
        symbol_(std::move(symbol)),
        instruments_(std::move(instruments)),
        data_dir_(std::move(data_dir)),
        extra_(std::move(extra)) {}

  void Start() {
    ChildOptions options;
    options.path = EXCHANGE_ENGINE_BIN;
    options.args = {
        EXCHANGE_ENGINE_BIN, "--amqp-url", url_,         "--shard",           shard_,
        "--symbols",         symbol_,      "--data-dir", data_dir_,           "--instruments",
        instruments_,        "--metrics",  "",           "--expected-orders", "65536",
        "--log-level",       "warn"};
    options.args.insert(options.args.end(), extra_.begin(), extra_.end());
    process_.emplace(std::move(options));
  }
  void Kill9() { Signal(SIGKILL); }
  const std::string& shard() const { return shard_; }
  // Clean stop; returns the exit status.
  int Terminate() { return Signal(SIGTERM); }
  // True while the process has not exited.
  bool Running() { return process_ && process_->running() && !process_->Poll(); }

 private:
  int Signal(int sig) { return process_ ? process_->SignalAndWait(sig) : -1; }

  std::string url_, shard_, symbol_, instruments_, data_dir_;
  std::vector<std::string> extra_;
  std::optional<ChildProcess> process_;
};

// Publishes commands as batches (one symbol per message) with confirms.
class CommandProducer {
 public:
  // `asset_names`: the name on the wire of each AssetId the commands'
  // deposits and withdrawals use (the engine resolves it); everything goes
  // under the symbol's routing key, which the shard binds.
  CommandProducer(const std::string& url, std::string symbol,
                  std::vector<std::string> asset_names = {})
      : url_(url),
        symbol_(std::move(symbol)),
        asset_names_(std::move(asset_names)),
        producer_id_(RandomId()) {
    Reconnect();
  }
  // A new connection; the producer id and sequence carry on.
  void Reconnect() {
    client_.reset();
    client_ = std::make_unique<amqp::AmqpClient>(amqp::ParseUrl(url_));
    client_->EnableConfirms();
  }
  void Send(const std::vector<Command>& commands, std::size_t batch_size) {
    for (std::size_t i = 0; i < commands.size(); i += batch_size) {
      wire::CommandBatch batch;
      batch.producer_id = producer_id_;
      for (std::size_t j = i; j < std::min(commands.size(), i + batch_size); ++j) {
        batch.records.push_back({++sequence_, SymbolName(NameOf(commands[j])), commands[j]});
      }
      body_.clear();
      wire::AppendCommandBatch(batch, body_);
      client_->Publish(std::string(topology::kOrdersExchange), symbol_, body_);
      if (client_->published() - client_->confirmed() > 200) client_->PollConfirms();
    }
    if (!client_->WaitConfirms(std::chrono::seconds(30)))
      throw std::runtime_error("no publisher confirms");
  }
  void SendRaw(std::string_view body, const std::string& key) {
    client_->Publish(std::string(topology::kOrdersExchange), key, body);
    if (!client_->WaitConfirms(std::chrono::seconds(30)))
      throw std::runtime_error("no publisher confirms");
  }
  std::uint64_t producer_id() const { return producer_id_; }

 private:
  std::string NameOf(const Command& c) const {
    AssetId asset = kUnknownAsset;
    if (const auto* d = std::get_if<Deposit>(&c.body)) asset = d->asset;
    if (const auto* w = std::get_if<Withdraw>(&c.body)) asset = w->asset;
    return asset < asset_names_.size() ? asset_names_[asset] : symbol_;
  }
  std::string url_;
  std::unique_ptr<amqp::AmqpClient> client_;
  std::string symbol_;
  std::vector<std::string> asset_names_;
  std::uint64_t producer_id_;
  std::uint64_t sequence_ = 0;
  std::string body_;
};

inline std::string EncodeEvent(const wire::EventRecord& r) {
  std::string out;
  wire::AppendEventBatch(std::span<const wire::EventRecord>(&r, 1), out);
  return out;
}

// Consumes events (keys bound to a queue) on its own thread; keeps the first
// copy of each sequence and counts later copies that differ.
class EventCollector {
 public:
  // queue "" → a temporary queue; else a durable one (survives a broker
  // restart), deleted by the caller's cleanup if wanted.
  // Keeps only events of `symbol` (other services may publish on the same
  // keys), and those about one of `assets` (cash risk: transfers, assets).
  EventCollector(const std::string& url, std::string symbol, const std::vector<std::string>& keys,
                 const std::string& durable_queue = "", std::vector<std::string> assets = {})
      : url_(url),
        symbol_(std::move(symbol)),
        assets_(std::move(assets)),
        keys_(keys),
        filter_(keys),
        durable_queue_(durable_queue) {
    Connect();
    thread_ = std::thread([this] { Loop(); });
  }
  ~EventCollector() {
    stop_ = true;
    thread_.join();
  }

  // Waits until every sequence from 1 to `to` arrived; false on timeout.
  bool WaitForAllUpTo(std::uint64_t to, std::chrono::seconds timeout) {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, timeout, [&] { return contiguous_ >= to; });
  }
  // The highest n such that sequences 1..n all arrived.
  std::uint64_t contiguous() {
    std::lock_guard lock(mutex_);
    return contiguous_;
  }
  // Waits until the highest sequence seen reaches `seq`.
  bool WaitForSequence(std::uint64_t seq, std::chrono::seconds timeout) {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, timeout,
                        [&] { return !events_.empty() && events_.rbegin()->first >= seq; });
  }
  std::uint64_t highest() {
    std::lock_guard lock(mutex_);
    return events_.empty() ? 0 : events_.rbegin()->first;
  }
  std::map<std::uint64_t, wire::EventRecord> events() {
    std::lock_guard lock(mutex_);
    return events_;
  }
  std::uint64_t duplicates() const { return duplicates_; }
  std::uint64_t conflicts() const { return conflicts_; }
  std::string error() {
    std::lock_guard lock(mutex_);
    return error_;
  }

 private:
  // Kept up to date as events arrive (mutex_ held): waiting on it costs
  // nothing, where walking the map on every wake-up starved this thread.
  void AdvanceContiguous() {
    for (auto it = events_.upper_bound(contiguous_);
         it != events_.end() && it->first == contiguous_ + 1; ++it) {
      ++contiguous_;
    }
  }
  void Connect() {
    client_ = std::make_unique<amqp::AmqpClient>(amqp::ParseUrl(url_));
    amqp::DeclareEventsExchange(*client_);
    std::string queue = durable_queue_;
    if (queue.empty()) {
      queue = client_->DeclareTemporaryQueue();
    } else {
      client_->DeclareQueue(queue);
    }
    for (const auto& key : keys_)
      client_->Bind(queue, std::string(topology::kEventsExchange), key);
    client_->Consume(queue, 500);
  }
  void Loop() {
    wire::EventBatch batch;
    while (!stop_) {
      try {
        if (!client_) Connect();
        auto d = client_->Next(std::chrono::milliseconds(50));
        if (!d) continue;
        if (auto error = wire::DecodeEventBatch(d->body, batch)) {
          std::lock_guard lock(mutex_);
          error_ = "undecodable event message: " + error->reason;
        }
        {
          std::lock_guard lock(mutex_);
          for (const auto& r : batch.records) {
            if (filter_.MatchingKey(r).empty()) continue;  // the batch's other keys
            const bool asset =
                r.symbol.view().empty() &&
                std::find(assets_.begin(), assets_.end(), r.asset.view()) != assets_.end();
            if (r.symbol.view() != symbol_ && !asset) continue;
            auto [it, added] = events_.try_emplace(r.event.sequence, r);
            if (!added) {
              ++duplicates_;
              if (EncodeEvent(it->second) != EncodeEvent(r)) ++conflicts_;
            }
          }
          AdvanceContiguous();
        }
        cv_.notify_all();
        client_->Ack(d->tag, false);
      } catch (const amqp::AmqpError&) {
        client_.reset();  // broker restarting: try again
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
      }
    }
  }

  std::string url_;
  std::string symbol_;
  std::vector<std::string> assets_;
  std::vector<std::string> keys_;
  amqp::EventFilter filter_;
  std::string durable_queue_;
  std::unique_ptr<amqp::AmqpClient> client_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::condition_variable cv_;
  std::map<std::uint64_t, wire::EventRecord> events_;
  std::uint64_t contiguous_ = 0;
  std::atomic<std::uint64_t> duplicates_{0}, conflicts_{0};
  std::string error_;
};

// What an engine that never stopped produces: instrument first, then the
// commands; events indexed by sequence.
struct ReferenceRun {
  std::map<std::uint64_t, wire::EventRecord> events;
  std::uint64_t state_hash = 0;
  std::uint64_t last_sequence = 0;
  bookstate::BookViews book;  // the final book as the Redis view should show it
};

// With `assets` (cash risk), they are added first, as the service adds the
// instruments file's assets; events name their asset, and those about no
// symbol (a transfer's BALANCE, ASSET_ADDED) carry no symbol name.
inline ReferenceRun RunReference(const InstrumentSpec& spec, const std::vector<Command>& commands,
                                 const std::vector<AssetSpec>& assets = {}) {
  Engine engine(EngineOptions{1 << 16});
  ReferenceRun run;
  auto keep = [&](std::span<const Event> events) {
    for (const Event& e : events) {
      wire::EventRecord r;
      r.event = e;
      if (e.symbol < engine.symbol_count() || assets.empty()) r.symbol = spec.symbol;
      if (e.asset < engine.asset_count()) r.asset = engine.asset(e.asset).name;
      run.events[e.sequence] = r;
    }
  };
  for (const AssetSpec& a : assets)
    keep(engine.Process(Command{0, AddAsset{a}}));
  keep(engine.Process(Command{0, AddInstrument{spec}}));
  for (Command c : commands) {
    std::visit(
        [](auto& body) {
          using T = std::decay_t<decltype(body)>;
          if constexpr (std::is_same_v<T, Deposit> || std::is_same_v<T, Withdraw> ||
                        std::is_same_v<T, AddAsset>) {
            // named by asset
          } else if constexpr (!std::is_same_v<T, AddInstrument>) {
            body.symbol = 0;
          }
        },
        c.body);
    keep(engine.Process(c));
  }
  run.state_hash = engine.StateHash();
  run.last_sequence = engine.last_sequence();
  run.book = bookstate::SeedBookViews(engine);
  return run;
}

inline std::string FreshDir(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("exchange-" + name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

}  // namespace exchange::testing
