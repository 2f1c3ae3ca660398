#include "md/http_session.h"

#include "md/json_errors.h"

namespace exchange::md {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;

constexpr std::uint32_t kHeaderLimit = 16 * 1024;
constexpr std::uint64_t kBodyLimit = 16 * 1024;

}  // namespace

HttpSession::HttpSession(boost::asio::ip::tcp::socket socket, RequestHandler& handler,
                         std::chrono::milliseconds idle_timeout)
    : stream_(std::move(socket)), handler_(handler), idle_timeout_(idle_timeout) {
  boost::system::error_code ignored;
  stream_.socket().set_option(boost::asio::ip::tcp::no_delay(true), ignored);
}

void HttpSession::ReadRequest() {
  parser_.emplace();
  parser_->header_limit(kHeaderLimit);
  parser_->body_limit(kBodyLimit);
  stream_.expires_after(idle_timeout_);
  http::async_read(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, std::size_t) { self->OnRead(ec); });
}

void HttpSession::OnRead(beast::error_code ec) {
  if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
      ec == boost::asio::error::operation_aborted || ec == boost::asio::error::connection_reset ||
      ec == boost::asio::error::eof) {
    return Close();
  }
  if (ec) return RefuseMalformed(ec);
  const http::request<http::string_body>& request = parser_->get();
  HttpRequest view;
  view.method = request.method_string();
  view.target = request.target();
  view.accept_encoding = request[http::field::accept_encoding];
  view.access_control_request_headers = request[http::field::access_control_request_headers];
  Write(handler_.Handle(view), request.version(), request.keep_alive());
}

void HttpSession::RefuseMalformed(beast::error_code ec) {
  HttpResponse response;
  const bool too_large = ec == http::error::body_limit || ec == http::error::header_limit ||
                         ec == http::error::buffer_overflow;
  response.status = too_large ? 413 : 400;
  response.body = BinanceErrorBody(binance_code::kUnsupported,
                                   std::string("malformed HTTP request: ") + ec.message());
  response.headers.emplace_back("Content-Type", "application/json");
  response.headers.emplace_back("Access-Control-Allow-Origin", "*");
  Write(std::move(response), 11, false);
}

void HttpSession::Write(HttpResponse response, unsigned version, bool keep_alive) {
  response_ = {};
  response_.version(version);
  response_.result(response.status);
  response_.keep_alive(keep_alive);
  response_.set(http::field::server, "exchange-md");
  for (auto& [name, value] : response.headers)
    response_.set(name, std::move(value));
  response_.body() = std::move(response.body);
  response_.prepare_payload();
  http::async_write(stream_, response_,
                    [self = shared_from_this(), keep_alive](beast::error_code ec, std::size_t) {
                      self->OnWrite(keep_alive, ec);
                    });
}

void HttpSession::OnWrite(bool keep_alive, beast::error_code ec) {
  if (ec || !keep_alive) return Close();
  ReadRequest();
}

void HttpSession::Close() {
  beast::error_code ignored;
  stream_.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ignored);
  stream_.socket().close(ignored);
}

}  // namespace exchange::md
