// HttpServer: exchange-md's HTTP and WebSocket listener and its serving
// threads. Each
// serving thread runs its own io_context with its own RequestHandler (and
// so its own Redis and PostgreSQL connections): a request is read, answered
// and written on one thread, and no lock is shared between threads on the
// way. One acceptor (on thread 0's io_context) hands new connections to the
// threads in turn. A connection that upgrades to WebSocket stays on its
// thread, with that thread's StreamHub; Publish (from the market feed)
// posts each FeedBatch to every thread's hub.
//
// Publish first waits (at most kDeliveryWait) until every thread has
// delivered the previous batch. While the threads are behind, the feed's
// next read so takes in everything that came meanwhile, and it goes out as
// one batch (one write per client) instead of batch after batch queueing
// up on the threads: under load the batches grow and the delay stays about
// one delivery round, where fixed batches would fall further and further
// behind.
//
// Built and started on the main thread; Stop from any thread but a serving
// one. The handlers are built by the factory on the constructing thread.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "md/feed/feed_batch.h"
#include "md/http/request_handler.h"
#include "md/ws/stream_hub.h"
#include "md/ws/stream_registry.h"
#include "md/ws/ws_session.h"
#include "md/ws/ws_stats.h"

namespace exchange::md {

class HttpServer {
 public:
  struct Options {
    std::string host = "127.0.0.1";
    std::uint16_t port = 8080;  // 0: any free port (see port())
    std::size_t threads = 2;
    std::chrono::milliseconds idle_timeout{30'000};
    WsOptions ws;
  };
  // The handler of serving thread `index`.
  using HandlerFactory = std::function<std::unique_ptr<RequestHandler>(std::size_t index)>;

  // Builds the handlers, binds and listens. Throws std::runtime_error naming
  // the address when it cannot.
  HttpServer(const Options& options, const HandlerFactory& make_handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Starts the serving threads and accepting.
  void Start();
  // Stops accepting, closes every connection and joins the threads.
  // Idempotent.
  void Stop();

  std::uint16_t port() const { return port_; }

  // For the market feed: the streams' shared state, and delivery of a
  // batch to every serving thread (any thread).
  StreamRegistry& registry() { return registry_; }
  WsStats& ws_stats() { return ws_stats_; }
  void Publish(std::shared_ptr<const FeedBatch> batch);

  // Publish never waits longer than this for the previous batch (a thread
  // that stopped serving must not stop the feed).
  static constexpr std::chrono::milliseconds kDeliveryWait{100};
  static constexpr std::chrono::seconds kTickInterval{1};

 private:
  struct Worker {
    Worker(StreamRegistry& registry, WsStats& stats) : hub(registry, stats) {}
    std::unique_ptr<RequestHandler> handler;  // outlive the io_context's sessions
    StreamHub hub;
    boost::asio::io_context io{1};
    std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work;
    boost::asio::steady_timer tick{io};  // the handler's housekeeping (Tick)
    std::thread thread;
  };

  void Accept();
  // Calls the worker's handler's Tick every kTickInterval, on its thread.
  static void ScheduleTick(Worker& worker);
  void Delivered();  // a thread delivered its copy of a batch

  Options options_;
  StreamRegistry registry_;  // outlive the workers' hubs and sessions
  WsStats ws_stats_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::unique_ptr<boost::asio::ip::tcp::acceptor> acceptor_;  // on workers_[0]'s io_context
  std::mutex delivery_mu_;
  std::condition_variable delivery_done_;
  std::size_t deliveries_pending_ = 0;  // threads yet to deliver what was published
  std::size_t next_worker_ = 0;
  std::uint16_t port_ = 0;
  bool started_ = false;
};

}  // namespace exchange::md
