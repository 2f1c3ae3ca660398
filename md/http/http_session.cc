#include "md/http/http_session.h"

#include <boost/beast/websocket.hpp>

#include "md/api/json_errors.h"
#include "md/http/query_params.h"
#include "md/ws/stream_name.h"

namespace exchange::md {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;

constexpr std::uint32_t kHeaderLimit = 16 * 1024;
constexpr std::uint64_t kBodyLimit = 16 * 1024;

}  // namespace

HttpSession::HttpSession(boost::asio::ip::tcp::socket socket, RequestHandler& handler,
                         StreamHub& hub, const WsOptions& ws_options,
                         std::chrono::milliseconds idle_timeout)
    : stream_(std::move(socket)),
      handler_(handler),
      hub_(hub),
      ws_options_(ws_options),
      idle_timeout_(idle_timeout) {
  boost::system::error_code ignored;
  stream_.socket().set_option(boost::asio::ip::tcp::no_delay(true), ignored);
  const auto peer = stream_.socket().remote_endpoint(ignored);
  if (!ignored) client_ = peer.address().to_string();
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
  if (beast::websocket::is_upgrade(request)) return Upgrade();
  HttpRequest view;
  view.method = request.method_string();
  view.target = request.target();
  view.accept_encoding = request[http::field::accept_encoding];
  view.access_control_request_headers = request[http::field::access_control_request_headers];
  view.if_none_match = request[http::field::if_none_match];
  view.client = client_;
  HttpResponse response = handler_.Handle(view);
  Write(std::move(response), request.version(), request.keep_alive(),
        request.method() == http::verb::head);
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

void HttpSession::RefuseUpgrade(unsigned status, std::string message) {
  HttpResponse response;
  response.status = status;
  response.body = BinanceErrorBody(binance_code::kUnsupported, message);
  response.headers.emplace_back("Content-Type", "application/json");
  response.headers.emplace_back("Access-Control-Allow-Origin", "*");
  Write(std::move(response), parser_->get().version(), false);
}

void HttpSession::Upgrade() {
  const std::string_view target = parser_->get().target();
  const auto [path, query] = SplitTarget(target);
  std::vector<std::string> names;
  auto split = [&](std::string_view list) {
    while (!list.empty()) {
      const std::size_t slash = list.find('/');
      if (slash != 0) names.emplace_back(list.substr(0, slash));
      if (slash == std::string_view::npos) break;
      list.remove_prefix(slash + 1);
    }
  };
  bool combined = false;
  if (path == "/ws") {
  } else if (path.starts_with("/ws/")) {
    split(path.substr(4));
  } else if (path == "/stream") {
    combined = true;
    try {
      const QueryParams params = QueryParams::Parse(query);
      if (const auto streams = params.Find("streams")) split(*streams);
    } catch (const RequestError& e) {
      return RefuseUpgrade(400, e.what());
    }
  } else {
    return RefuseUpgrade(404, "no WebSocket endpoint at '" + std::string(path) +
                                  "': use /ws, /ws/<stream> or /stream?streams=<a>/<b>");
  }
  // As Binance: a path segment that is not a stream of ours (ccxt opens
  // /ws/0, /ws/1, ... and subscribes afterwards) is accepted and follows
  // nothing.
  std::vector<std::string> streams;
  for (const std::string& name : names) {
    std::string error;
    const auto stream = ParseStreamName(name, error);
    if (!stream) continue;
    if (!hub_.registry().ready()) return RefuseUpgrade(503, "market data feed not ready yet");
    if (!stream->every_symbol && !hub_.registry().Resolve(stream->symbol)) continue;
    streams.push_back(stream->ToString());
  }
  if (streams.size() > ws_options_.max_streams) {
    return RefuseUpgrade(400, "too many streams: at most " +
                                  std::to_string(ws_options_.max_streams) + " per connection");
  }
  stream_.expires_never();
  auto ws = std::make_shared<beast::websocket::stream<beast::tcp_stream>>(std::move(stream_));
  ws->async_accept(parser_->get(), [self = shared_from_this(), ws, combined,
                                    streams = std::move(streams)](beast::error_code ec) mutable {
    if (ec) return;  // Beast answered the bad handshake; the client is gone
    std::string leftover(static_cast<const char*>(self->buffer_.data().data()),
                         self->buffer_.size());
    auto session = std::make_shared<WsSession>(beast::get_lowest_layer(*ws).release_socket(),
                                               self->hub_, self->ws_options_, combined,
                                               std::move(streams), std::move(leftover));
    session->Start();
  });
}

void HttpSession::Write(HttpResponse response, unsigned version, bool keep_alive, bool head) {
  response_ = {};
  response_.version(version);
  response_.result(response.status);
  response_.keep_alive(keep_alive);
  response_.set(http::field::server, "exchange-md");
  for (auto& [name, value] : response.headers)
    response_.set(name, std::move(value));
  response_.body() = std::move(response.body);
  response_.prepare_payload();
  // HEAD: the GET's headers, Content-Length included, and no body.
  if (head) response_.body().clear();
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
