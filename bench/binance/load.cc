#include "bench/binance/load.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <deque>
#include <memory>
#include <stdexcept>

#include "auth/request_signature.h"

namespace exchange::bench::binance_bench {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;
using Clock = std::chrono::steady_clock;

std::int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
      .count();
}

std::int64_t WallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct DueOrder {
  std::uint64_t index = 0;
  std::int64_t due_ns = 0;
};

class Load {
 public:
  Load(const LoadOptions& o, const auth::OpenedApiKey& seller, const auth::OpenedApiKey& buyer)
      : o_(o), seller_(seller), buyer_(buyer), timer_(io_) {
    warmup_orders_ = static_cast<std::uint64_t>(o.rate * o.warmup_seconds);
    total_ = warmup_orders_ + static_cast<std::uint64_t>(o.rate * o.seconds);
    result_.latencies = LatencyRecorder(total_);
  }

  LoadResult Run() {
    const tcp::endpoint at(boost::asio::ip::make_address("127.0.0.1"), o_.port);
    for (std::size_t i = 0; i < o_.connections; ++i) {
      auto c = std::make_unique<Connection>(io_);
      c->stream.connect(at);
      c->stream.socket().set_option(tcp::no_delay(true));
      connections_.push_back(std::move(c));
    }
    start_ns_ = NowNs();
    measured_start_ns_ = start_ns_ + DueOffset(warmup_orders_);
    timeline_ = std::make_unique<LatencyTimeline>(DueOffset(total_) - DueOffset(warmup_orders_),
                                                  total_ - warmup_orders_);
    Schedule();
    io_.run();
    const double span = static_cast<double>(last_answer_ns_ - measured_start_ns_) / 1e9;
    result_.achieved_per_second = span > 0 ? static_cast<double>(result_.answered) / span : 0;
    result_.latencies.Finish();
    result_.trace = timeline_->Finish(result_.latencies);
    return std::move(result_);
  }

 private:
  struct Connection {
    explicit Connection(boost::asio::io_context& io) : stream(io) {}
    beast::tcp_stream stream;
    beast::flat_buffer buffer;
    http::request<http::string_body> request;
    http::response<http::string_body> response;
    DueOrder order;
    bool busy = false;
  };

  std::int64_t DueOffset(std::uint64_t index) const {
    return static_cast<std::int64_t>(static_cast<double>(index) * 1e9 / o_.rate);
  }

  // Queues every order due by now, hands them to free connections, and
  // sleeps until the next one is due.
  void Schedule() {
    const std::int64_t now = NowNs();
    while (next_ < total_ && start_ns_ + DueOffset(next_) <= now) {
      queue_.push_back({next_, start_ns_ + DueOffset(next_)});
      ++next_;
    }
    for (auto& c : connections_) {
      if (queue_.empty()) break;
      if (!c->busy) Send(*c);
    }
    if (next_ < total_) {
      timer_.expires_at(Clock::time_point(std::chrono::nanoseconds(start_ns_ + DueOffset(next_))));
      timer_.async_wait([this](const boost::system::error_code& ec) {
        if (!ec) Schedule();
      });
    }
  }

  void Send(Connection& c) {
    c.order = queue_.front();
    queue_.pop_front();
    c.busy = true;
    const bool sell = c.order.index % 2 == 0;
    const auth::OpenedApiKey& key = sell ? seller_ : buyer_;
    std::string body = "symbol=" + o_.symbol + (sell ? "&side=SELL" : "&side=BUY") +
                       "&type=LIMIT&timeInForce=GTC&quantity=0.0001&price=100.00"
                       "&newOrderRespType=RESULT&timestamp=" +
                       std::to_string(WallMs());
    body += "&signature=" + auth::HmacSha256Hex(key.secret, body);
    c.request = {http::verb::post, "/api/v3/order", 11};
    c.request.set(http::field::host, "127.0.0.1");
    c.request.set(http::field::content_type, "application/x-www-form-urlencoded");
    c.request.set("X-MBX-APIKEY", key.key.key);
    c.request.keep_alive(true);
    c.request.body() = std::move(body);
    c.request.prepare_payload();
    c.stream.expires_after(
        std::chrono::milliseconds(static_cast<std::int64_t>(o_.timeout_seconds * 1000)));
    http::async_write(c.stream, c.request, [this, &c](beast::error_code ec, std::size_t) {
      if (ec) return Fail("write", ec);
      c.response = {};
      http::async_read(c.stream, c.buffer, c.response,
                       [this, &c](beast::error_code ec2, std::size_t) { OnAnswer(c, ec2); });
    });
  }

  void OnAnswer(Connection& c, beast::error_code ec) {
    if (ec) return Fail("read", ec);
    const std::int64_t now = NowNs();
    c.busy = false;
    if (c.order.index >= warmup_orders_) {
      ++result_.sent;
      if (c.response.result_int() == 200) {
        ++result_.answered;
        result_.latencies.Record(now - c.order.due_ns);
        timeline_->Record(c.order.due_ns - measured_start_ns_, now - c.order.due_ns);
      } else if (result_.refused++ == 0) {
        result_.first_refusal = c.response.body();
      }
      last_answer_ns_ = now;
    }
    if (++done_ == total_) {
      timer_.cancel();
      for (auto& conn : connections_)
        conn->stream.close();
      return;
    }
    if (!queue_.empty()) Send(c);
  }

  [[noreturn]] void Fail(const char* what, beast::error_code ec) {
    throw std::runtime_error(std::string("HTTP ") + what + " failed: " + ec.message());
  }

  LoadOptions o_;
  const auth::OpenedApiKey& seller_;
  const auth::OpenedApiKey& buyer_;
  boost::asio::io_context io_;
  boost::asio::steady_timer timer_;
  std::vector<std::unique_ptr<Connection>> connections_;
  std::deque<DueOrder> queue_;
  std::uint64_t next_ = 0, done_ = 0, total_ = 0, warmup_orders_ = 0;
  std::int64_t start_ns_ = 0, measured_start_ns_ = 0, last_answer_ns_ = 0;
  std::unique_ptr<LatencyTimeline> timeline_;
  LoadResult result_;
};

}  // namespace

LoadResult RunLoad(const LoadOptions& options, const auth::OpenedApiKey& seller,
                   const auth::OpenedApiKey& buyer) {
  Load load(options, seller, buyer);
  return load.Run();
}

}  // namespace exchange::bench::binance_bench
