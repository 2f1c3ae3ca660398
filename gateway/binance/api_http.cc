#include "gateway/binance/api_http.h"

#include <boost/asio/ip/address.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <deque>
#include <optional>
#include <stdexcept>

namespace exchange::binance {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = boost::asio::ip::tcp;

namespace {

constexpr std::size_t kMaxRequestBytes = 16 * 1024;

// A connection upgraded to WebSocket: frames from the client go to the
// listener; Send queues frames, written one at a time.
class WsConnection : public WebSocketChannel, public std::enable_shared_from_this<WsConnection> {
 public:
  WsConnection(beast::tcp_stream stream, std::shared_ptr<WebSocketListener> listener)
      : ws_(std::move(stream)), listener_(std::move(listener)) {}

  void Accept(http::request<http::string_body> request) {
    beast::get_lowest_layer(ws_).expires_never();
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& r) { r.set(http::field::server, "exchange-gateway"); }));
    ws_.read_message_max(kMaxIncomingFrame);
    request_ = std::move(request);
    ws_.async_accept(request_, [self = shared_from_this()](beast::error_code ec) {
      if (ec) return self->Closed();
      self->open_ = true;
      self->listener_->OnOpen(self);
      self->Read();
    });
  }

  void Send(std::string text, std::uint64_t tag) override {
    if (!open_ || closing_) return;
    if (queue_.size() >= kMaxQueuedFrames) {  // the reader fell too far behind
      queue_.clear();
      tags_.clear();
      Close();
      return;
    }
    queue_.push_back(std::move(text));
    tags_.push_back(tag);
    if (!writing_) WriteNext();
  }

  void Close() override {
    if (!open_ || closing_) return;
    closing_ = true;
    if (!writing_) CloseNow();
  }

  bool open() const override { return open_ && !closing_; }
  std::uint64_t written_tag() const override { return written_tag_; }

 private:
  void Read() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->Closed();
      const std::string text = beast::buffers_to_string(self->buffer_.data());
      self->buffer_.consume(self->buffer_.size());
      if (self->listener_) self->listener_->OnText(text);
      self->Read();
    });
  }

  void WriteNext() {
    writing_ = true;
    ws_.text(true);
    ws_.async_write(boost::asio::buffer(queue_.front()),
                    [self = shared_from_this()](beast::error_code ec, std::size_t) {
                      self->writing_ = false;
                      if (ec) return self->Closed();
                      if (self->tags_.front() != 0) self->written_tag_ = self->tags_.front();
                      self->queue_.pop_front();
                      self->tags_.pop_front();
                      if (!self->queue_.empty()) return self->WriteNext();
                      if (self->closing_) self->CloseNow();
                    });
  }

  void CloseNow() {
    ws_.async_close(websocket::close_code::normal,
                    [self = shared_from_this()](beast::error_code) { self->Closed(); });
  }

  void Closed() {
    if (closed_) return;
    closed_ = true;
    open_ = false;
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().close(ignored);
    if (listener_) {
      std::shared_ptr<WebSocketListener> listener = std::move(listener_);
      listener->OnClose();  // may drop the last channel reference but ours
    }
  }

  websocket::stream<beast::tcp_stream> ws_;
  std::shared_ptr<WebSocketListener> listener_;
  http::request<http::string_body> request_;
  beast::flat_buffer buffer_;
  std::deque<std::string> queue_;
  std::deque<std::uint64_t> tags_;
  std::uint64_t written_tag_ = 0;
  bool open_ = false, writing_ = false, closing_ = false, closed_ = false;
};

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
    if (websocket::is_upgrade(req)) return Upgrade(request, version);
    stream_.expires_never();  // the answer may take a while (RESULT waits for the engine)
    // The callback keeps the connection: a pending answer holds it open.
    handler_.Handle(request, [self = shared_from_this(), version, keep_alive](ApiResponse r) {
      self->Write(std::move(r), version, keep_alive);
    });
  }

  void Upgrade(const ApiRequest& request, unsigned version) {
    auto upgraded = handler_.Upgrade(request);
    if (auto* refused = std::get_if<ApiResponse>(&upgraded)) {
      return Write(std::move(*refused), version, false);
    }
    std::make_shared<WsConnection>(std::move(stream_), std::move(std::get<1>(upgraded)))
        ->Accept(parser_->release());
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
