#include "md/http/http_server.h"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <stdexcept>

#include "md/http/http_session.h"

namespace exchange::md {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

}  // namespace

HttpServer::HttpServer(const Options& options, const HandlerFactory& make_handler)
    : options_(options) {
  if (options.threads == 0) throw std::invalid_argument("HttpServer: threads must be at least 1");
  for (std::size_t i = 0; i < options.threads; ++i) {
    auto worker = std::make_unique<Worker>(registry_, ws_stats_);
    worker->handler = make_handler(i);
    workers_.push_back(std::move(worker));
  }
  const std::string where = options.host + ":" + std::to_string(options.port);
  try {
    const tcp::endpoint endpoint(asio::ip::make_address(options.host), options.port);
    acceptor_ = std::make_unique<tcp::acceptor>(workers_[0]->io);
    acceptor_->open(endpoint.protocol());
    acceptor_->set_option(asio::socket_base::reuse_address(true));
    acceptor_->bind(endpoint);
    acceptor_->listen(asio::socket_base::max_listen_connections);
    port_ = acceptor_->local_endpoint().port();
  } catch (const boost::system::system_error& e) {
    throw std::runtime_error("cannot listen on " + where + ": " + e.code().message());
  }
}

HttpServer::~HttpServer() {
  Stop();
}

void HttpServer::Start() {
  if (started_) return;
  started_ = true;
  for (auto& worker : workers_) {
    worker->work.emplace(worker->io.get_executor());
    ScheduleTick(*worker);
    Worker* w = worker.get();
    w->thread = std::thread([w] {
      for (;;) {
        try {
          w->io.run();
          return;
        } catch (const std::exception& e) {
          spdlog::error("md: serving thread: {}; going on", e.what());
        }
      }
    });
  }
  asio::post(workers_[0]->io, [this] { Accept(); });
}

void HttpServer::ScheduleTick(Worker& worker) {
  worker.tick.expires_after(kTickInterval);
  worker.tick.async_wait([&worker](boost::system::error_code ec) {
    if (ec) return;  // stopped
    worker.handler->Tick();
    ScheduleTick(worker);
  });
}

void HttpServer::Accept() {
  Worker& target = *workers_[next_worker_];
  next_worker_ = (next_worker_ + 1) % workers_.size();
  acceptor_->async_accept(
      target.io, [this, &target](boost::system::error_code ec, tcp::socket socket) {
        if (ec == asio::error::operation_aborted || !acceptor_->is_open()) return;
        if (!ec) {
          auto session = std::make_shared<HttpSession>(
              std::move(socket), *target.handler, target.hub, options_.ws, options_.idle_timeout);
          asio::post(target.io, [session] { session->Start(); });
        } else {
          spdlog::warn("md: accept: {}", ec.message());
        }
        Accept();
      });
}

void HttpServer::Publish(std::shared_ptr<const FeedBatch> batch) {
  {
    std::unique_lock lock(delivery_mu_);
    if (deliveries_pending_ > 0) {
      const auto started = std::chrono::steady_clock::now();
      delivery_done_.wait_for(lock, kDeliveryWait, [this] { return deliveries_pending_ == 0; });
      const auto waited = std::chrono::steady_clock::now() - started;
      ws_stats_.feed_wait_us.fetch_add(
          static_cast<std::uint64_t>(
              std::chrono::duration_cast<std::chrono::microseconds>(waited).count()),
          std::memory_order_relaxed);
    }
    deliveries_pending_ += workers_.size();
  }
  for (auto& worker : workers_) {
    Worker* w = worker.get();
    asio::post(w->io, [this, w, batch] {
      w->hub.Deliver(batch);
      Delivered();
    });
  }
}

void HttpServer::Delivered() {
  std::lock_guard lock(delivery_mu_);
  if (--deliveries_pending_ == 0) delivery_done_.notify_one();
}

void HttpServer::Stop() {
  if (!acceptor_) return;
  // Every io_context stops; with no serving thread left, the acceptor and
  // the sessions (destroyed with their io_context) are ours to close.
  for (auto& worker : workers_) {
    worker->work.reset();
    worker->io.stop();
  }
  for (auto& worker : workers_) {
    if (worker->thread.joinable()) worker->thread.join();
  }
  boost::system::error_code ignored;
  acceptor_->close(ignored);
  acceptor_.reset();
}

}  // namespace exchange::md
