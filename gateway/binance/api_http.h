// ApiHttpServer: the HTTP/1.1 listener of the Binance-compatible trading
// API (Boost.Beast), on the gateway's I/O thread, where the OrderRouter
// lives. A request is handed to the ApiHandler with a Respond callback; the
// handler answers at once, or later (an order's RESULT waits for the
// engine), and the connection reads its next request only once answered.
// A WebSocket upgrade request goes to ApiHandler::Upgrade (api_websocket.h).
// A connection idle for `idle_timeout` is closed; a request Beast cannot
// parse (headers or body over 16 KiB) is answered 400 (413) and the
// connection closed. A pending answer keeps its connection; writing it to a
// client that left fails quietly.
//
// Owned by the gateway; I/O thread only.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "gateway/binance/api_websocket.h"

namespace exchange::binance {

struct ApiRequest {
  std::string method;  // "GET", "POST", "PUT", "DELETE"
  std::string path;    // without the query
  std::string query;   // after '?', as sent (percent-encoded)
  std::string body;    // as sent
  std::string content_type;
  std::string api_key;  // X-MBX-APIKEY
  std::string peer;     // the client's address
};

struct ApiResponse {
  unsigned status = 200;
  std::string body;  // JSON
  std::vector<std::pair<std::string, std::string>> headers;
};

using Respond = std::function<void(ApiResponse)>;

class ApiHandler {
 public:
  virtual ~ApiHandler() = default;
  // Answers `request` by calling `respond` once, now or later (I/O thread).
  virtual void Handle(const ApiRequest& request, Respond respond) = 0;
  // A WebSocket upgrade request: the listener that takes the connection,
  // or the HTTP answer refusing it.
  using Upgraded = std::variant<ApiResponse, std::shared_ptr<WebSocketListener>>;
  virtual Upgraded Upgrade(const ApiRequest& /*request*/) {
    return ApiResponse{404, R"({"code":-1000,"msg":"no WebSocket here"})", {}};
  }
};

class ApiHttpServer {
 public:
  // Binds and listens on host:port (port 0: any). Throws std::runtime_error
  // naming the address when it cannot.
  ApiHttpServer(boost::asio::io_context& io, const std::string& listen, ApiHandler& handler,
                std::chrono::milliseconds idle_timeout = std::chrono::seconds(30));
  ~ApiHttpServer();

  void Start();
  void Stop();
  std::uint16_t port() const { return port_; }

 private:
  void Accept();

  boost::asio::io_context& io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  ApiHandler& handler_;
  std::chrono::milliseconds idle_timeout_;
  std::uint16_t port_ = 0;
};

}  // namespace exchange::binance
