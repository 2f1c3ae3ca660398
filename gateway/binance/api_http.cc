#include "gateway/binance/api_http.h"

#include <boost/asio/ip/address.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <optional>
#include <stdexcept>

namespace exchange::binance {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

namespace {

constexpr std::size_t kMaxRequestBytes = 16 * 1024;

// One client connection: read a request, hand it over, write the answer
// when it comes, read the next.
class ApiConnection : public std::enable_shared_from_this<ApiConnection> {
 public:
  ApiConnection(tcp::socket socket, ApiHandler& handler, std::chrono::milliseconds idle)
      : stream_(std::move(socket)), handler_(handler), idle_(idle) {}

  void Start() { Read(); }

 private:
  void Read() {
    parser_.emplace();
    parser_->header_limit(kMaxRequestBytes);
    parser_->body_limit(kMaxRequestBytes);
    stream_.expires_after(idle_);
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->OnRead(ec); });
  }

  void OnRead(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == boost::asio::error::operation_aborted || ec == boost::asio::error::eof ||
        ec == boost::asio::error::connection_reset) {
      Close();
      return;
    }
    if (ec) {
      ApiResponse bad{
          ec == http::error::body_limit || ec == http::error::header_limit ? 413u : 400u,
          R"({"code":-1000,"msg":"malformed HTTP request: )" + ec.message() + "\"}",
          {}};
      Write(std::move(bad), 11, false);
      return;
    }
    const auto& req = parser_->get();
    ApiRequest request;
    request.method = std::string(req.method_string());
    const std::string_view target = req.target();
    const std::size_t q = target.find('?');
    request.path = std::string(target.substr(0, q));
    if (q != std::string_view::npos) request.query = std::string(target.substr(q + 1));
    request.body = req.body();
    request.content_type = std::string(req[http::field::content_type]);
    request.api_key = std::string(req["X-MBX-APIKEY"]);
    beast::error_code peer_ec;
    const auto peer = stream_.socket().remote_endpoint(peer_ec);
    request.peer = peer_ec ? "" : peer.address().to_string();
    if (peer.address().is_v6() && peer.address().to_v6().is_v4_mapped()) {
      request.peer =
          boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, peer.address().to_v6())
              .to_string();
    }
    const unsigned version = req.version();
    const bool keep_alive = req.keep_alive();
    stream_.expires_never();  // the answer may take a while (RESULT waits for the engine)
    // The callback keeps the connection: a pending answer holds it open.
    handler_.Handle(request, [self = shared_from_this(), version, keep_alive](ApiResponse r) {
      self->Write(std::move(r), version, keep_alive);
    });
  }

  void Write(ApiResponse r, unsigned version, bool keep_alive) {
    response_ = {};
    response_.version(version);
    response_.result(r.status);
    response_.set(http::field::content_type, "application/json;charset=UTF-8");
    response_.set(http::field::server, "exchange-gateway");
    for (const auto& [name, value] : r.headers)
      response_.set(name, value);
    response_.keep_alive(keep_alive);
    response_.body() = std::move(r.body);
    response_.prepare_payload();
    stream_.expires_after(idle_);
    http::async_write(stream_, response_,
                      [self = shared_from_this(), keep_alive](beast::error_code ec, std::size_t) {
                        if (ec || !keep_alive) {
                          self->Close();
                          return;
                        }
                        self->Read();
                      });
  }

  void Close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.socket().close(ignored);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> response_;
  ApiHandler& handler_;
  std::chrono::milliseconds idle_;
};

tcp::endpoint EndpointOf(const std::string& listen) {
  const std::size_t colon = listen.rfind(':');
  if (colon == std::string::npos)
    throw std::runtime_error("listen '" + listen + "': not host:port");
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address(listen.substr(0, colon), ec);
  if (ec) throw std::runtime_error("listen '" + listen + "': " + ec.message());
  const int port = std::stoi(listen.substr(colon + 1));
  if (port < 0 || port > 65535) throw std::runtime_error("listen '" + listen + "': bad port");
  return {address, static_cast<std::uint16_t>(port)};
}

}  // namespace

ApiHttpServer::ApiHttpServer(boost::asio::io_context& io, const std::string& listen,
                             ApiHandler& handler, std::chrono::milliseconds idle_timeout)
    : io_(io), acceptor_(io), handler_(handler), idle_timeout_(idle_timeout) {
  const tcp::endpoint endpoint = EndpointOf(listen);
  boost::system::error_code ec;
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(boost::asio::socket_base::max_listen_connections, ec);
  if (ec) throw std::runtime_error("Binance API: cannot listen on " + listen + ": " + ec.message());
  port_ = acceptor_.local_endpoint().port();
}

ApiHttpServer::~ApiHttpServer() {
  Stop();
}

void ApiHttpServer::Start() {
  Accept();
}

void ApiHttpServer::Stop() {
  boost::system::error_code ignored;
  acceptor_.close(ignored);
}

void ApiHttpServer::Accept() {
  acceptor_.async_accept(io_, [this](boost::system::error_code ec, tcp::socket socket) {
    if (ec == boost::asio::error::operation_aborted) return;
    if (!ec) {
      socket.set_option(tcp::no_delay(true), ec);
      std::make_shared<ApiConnection>(std::move(socket), handler_, idle_timeout_)->Start();
    }
    if (acceptor_.is_open()) Accept();
  });
}

}  // namespace exchange::binance
