#include "tools/cli/http_get.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace exchange::cli {

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

// One request in flight: resolve, connect, write, read, each step's handler
// starting the next. `stage` says which step failed.
class Fetch {
 public:
  Fetch(const std::string& host, const std::string& port, const std::string& target)
      : host_(host), port_(port) {
    request_.method(http::verb::get);
    request_.target(target);
    request_.version(11);
    request_.set(http::field::host, host + ":" + port);
    request_.set(http::field::user_agent, "exchange-cli");
    request_.set(http::field::connection, "close");
  }

  HttpResponse Run(std::chrono::milliseconds timeout) {
    resolver_.async_resolve(
        host_, port_, [this](beast::error_code ec, tcp::resolver::results_type r) {
          if (Failed(ec, "resolve " + host_)) return;
          stream_.async_connect(r, [this](beast::error_code ec2, const tcp::endpoint&) {
            if (!Failed(ec2, "connect")) Write();
          });
        });
    io_.run_for(timeout);
    if (!done_) throw HttpError("no answer within " + std::to_string(timeout.count()) + " ms");
    if (error_) throw HttpError(stage_ + ": " + error_.message());
    HttpResponse out;
    out.status = static_cast<int>(response_.result_int());
    out.reason = std::string(response_.reason());
    out.body = std::move(response_.body());
    return out;
  }

 private:
  void Write() {
    http::async_write(stream_, request_, [this](beast::error_code ec, std::size_t) {
      if (!Failed(ec, "send the request")) Read();
    });
  }

  void Read() {
    http::async_read(stream_, buffer_, response_, [this](beast::error_code ec, std::size_t) {
      if (Failed(ec, "read the response")) return;
      done_ = true;
      beast::error_code ignored;
      stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    });
  }

  // Records a failure and ends the exchange; false when `ec` is no error.
  bool Failed(beast::error_code ec, std::string stage) {
    if (!ec) return false;
    error_ = ec;
    stage_ = std::move(stage);
    done_ = true;
    return true;
  }

  std::string host_, port_;
  net::io_context io_;
  tcp::resolver resolver_{io_};
  beast::tcp_stream stream_{io_};
  http::request<http::empty_body> request_;
  beast::flat_buffer buffer_;
  http::response<http::string_body> response_;
  beast::error_code error_;
  std::string stage_;
  bool done_ = false;
};

}  // namespace

HttpResponse HttpGet(const std::string& host, const std::string& port, const std::string& target,
                     std::chrono::milliseconds timeout) {
  Fetch fetch(host, port, target);
  return fetch.Run(timeout);
}

}  // namespace exchange::cli
