// HttpSession: one client connection to exchange-md over HTTP/1.1 with
// Boost.Beast: reads a request (headers at most 16 KiB, a body at most 16
// KiB: the API only takes GETs), has the thread's RequestHandler answer it,
// writes the response, and reads the next one while the client keeps the
// connection alive. A connection idle for the idle timeout is closed; a
// request Beast cannot parse is answered 400 (413 when too large) and the
// connection closed.
//
// A WebSocket upgrade of /ws, /ws/<stream>[/<stream>...] or
// /stream?streams=<stream>/<stream>... is accepted by Beast's handshake and
// the socket handed to a WsSession (as Binance, a path segment that is not
// one of our streams is accepted and follows nothing; another path is a
// 404).
//
// Owned by itself (shared_ptr held by its pending operation); lives on one
// serving thread's io_context and touches nothing of other threads.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "md/http/request_handler.h"
#include "md/ws/stream_hub.h"
#include "md/ws/ws_session.h"

namespace exchange::md {

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(boost::asio::ip::tcp::socket socket, RequestHandler& handler, StreamHub& hub,
              const WsOptions& ws_options, std::chrono::milliseconds idle_timeout);

  // Starts reading; call on the socket's executor.
  void Start() { ReadRequest(); }

 private:
  void ReadRequest();
  void OnRead(boost::beast::error_code ec);
  // Answers a request Beast refused, then closes.
  void RefuseMalformed(boost::beast::error_code ec);
  // A WebSocket upgrade: checks the path's streams, then the handshake.
  void Upgrade();
  void RefuseUpgrade(unsigned status, std::string message);
  // `head`: the answer to a HEAD request (headers only).
  void Write(HttpResponse response, unsigned version, bool keep_alive, bool head = false);
  void OnWrite(bool keep_alive, boost::beast::error_code ec);
  void Close();

  boost::beast::tcp_stream stream_;
  std::string client_;  // the peer's address, for request weights
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  boost::beast::http::response<boost::beast::http::string_body> response_;
  RequestHandler& handler_;
  StreamHub& hub_;
  WsOptions ws_options_;
  std::chrono::milliseconds idle_timeout_;
};

}  // namespace exchange::md
