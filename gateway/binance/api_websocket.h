// WebSocket connections of the Binance-compatible API's listener: an
// upgrade request (GET with "Upgrade: websocket") on an ApiHttpServer
// connection is offered to the ApiHandler, which refuses it with an HTTP
// answer or takes it with a WebSocketListener; the connection is then a
// WebSocketChannel (Boost.Beast websocket, text frames) until either side
// closes it. Pings are answered by Beast; a connection silent for the
// suggested server timeout (Beast's) is closed.
//
// Owned by the ApiHttpServer's connections (the listener by its channel;
// whoever keeps the channel may send on it); I/O thread only.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace exchange::binance {

class WebSocketChannel {
 public:
  virtual ~WebSocketChannel() = default;
  // Queues a text frame. `tag` (0: none) numbers it: written_tag() is the
  // last tag whose frame was written to the socket. Dropped once closed.
  virtual void Send(std::string text, std::uint64_t tag = 0) = 0;
  // Closes after the frames queued so far.
  virtual void Close() = 0;
  virtual bool open() const = 0;
  virtual std::uint64_t written_tag() const = 0;
  // Frames queued and not yet written: a reader that falls behind by
  // kMaxQueuedFrames is disconnected.
  static constexpr std::size_t kMaxQueuedFrames = 20'000;
  // The largest frame a client may send.
  static constexpr std::size_t kMaxIncomingFrame = 64 * 1024;
};

class WebSocketListener {
 public:
  virtual ~WebSocketListener() = default;
  // The handshake is done: frames may be sent on `channel`.
  virtual void OnOpen(std::shared_ptr<WebSocketChannel> channel) = 0;
  // A text (or binary) frame from the client.
  virtual void OnText(std::string_view text) = 0;
  // The connection is closed (by either side, or failed); once.
  virtual void OnClose() = 0;
};

}  // namespace exchange::binance
