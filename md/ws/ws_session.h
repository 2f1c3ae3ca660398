// WsSession: one WebSocket client of exchange-md after the handshake: reads
// its control messages (Binance's SUBSCRIBE, UNSUBSCRIBE,
// LIST_SUBSCRIPTIONS, SET_PROPERTY and GET_PROPERTY as JSON text frames,
// ws_request.h, answered by id), answers pings, and writes the frames its
// streams get from the StreamHub: everything queued since the last write
// goes out in one gather write.
//
// Binance's rules (web-socket-streams.md): the server pings every
// `ping_interval` (20 s), each ping carrying its number; a client that has
// not answered a ping with a pong carrying its payload within
// `pong_timeout` (1 minute) is closed (1001; counted in WsStats), so a peer
// that vanished without a FIN is noticed. Unsolicited pongs are allowed and
// do not count as answers. More than `max_messages_per_second` messages
// (pings, pongs, requests) in any second close the connection (1008); at
// most `max_streams` streams; after `max_lifetime` (24 h) the connection
// is closed (1001).
//
// A client that does not read is dropped: when what waits to be written
// passes `max_pending_bytes`, the connection is closed at once (TCP
// reset, no close handshake: it is not reading) and counted in WsStats, so
// a slow client can never make the server hold more than that for it.
//
// Owned by itself (shared_ptr held by its pending read and write); lives on
// one serving thread's io_context, with that thread's StreamHub.
#pragma once

#include <array>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <deque>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "md/feed/feed_batch.h"
#include "md/ws/message_rate.h"
#include "md/ws/stream_hub.h"
#include "md/ws/ws_frame.h"
#include "md/ws/ws_request.h"

namespace exchange::md {

struct WsOptions {
  std::size_t max_pending_bytes = 4 << 20;
  std::size_t max_streams = 1024;            // per connection, as Binance
  std::size_t max_message_bytes = 64 << 10;  // a client's control message
  // SO_SNDBUF of each WebSocket connection; 0 leaves the kernel's (which
  // grows to net.ipv4.tcp_wmem's maximum, 4 MiB by default, per client).
  std::size_t socket_send_buffer = 0;
  // Server pings (above); 0: none. Binance pings every 20 s and closes a
  // connection whose pong has not come within a minute.
  std::chrono::milliseconds ping_interval{20'000};
  std::chrono::milliseconds pong_timeout{60'000};
  std::size_t max_messages_per_second = 5;                   // 0: no limit
  std::chrono::milliseconds max_lifetime{24 * 3600 * 1000};  // 0: none
};

class WsSession : public std::enable_shared_from_this<WsSession> {
 public:
  // `combined`: messages wrapped as {"stream","data"} (a /stream URL).
  // `initial`: the streams of the URL, already checked. `leftover`: bytes
  // read past the handshake request.
  WsSession(boost::asio::ip::tcp::socket socket, StreamHub& hub, const WsOptions& options,
            bool combined, std::vector<std::string> initial, std::string leftover);
  ~WsSession();

  // Subscribes the initial streams and starts reading; on the socket's executor.
  void Start();

  // --- From the StreamHub, on this thread ---
  // Queues the frames; true when something was queued.
  bool Enqueue(const std::shared_ptr<const FeedBatch>& batch, const StreamFrames& frames);
  // Starts a write of what is queued unless one is running (or drops the
  // client when it is too far behind).
  void Flush();

 private:
  struct Chunk {
    std::shared_ptr<const void> owner;  // keeps `bytes` alive
    std::string_view bytes;
  };

  void ScheduleHeartbeat();
  void OnHeartbeat();
  void OnPong(std::string_view payload);
  void Read();
  void OnRead(boost::system::error_code ec, std::size_t n);
  void Handle(const WsMessage& message);
  void HandleRequest(std::string_view text);
  // Subscribes or unsubscribes `names`; "" or the first error.
  std::string Change(bool subscribe, const std::vector<std::string>& names);
  void CancelTimers();
  void Reply(std::string_view json);  // a text frame
  void Send(std::string frame);       // a frame of ours: queued and flushed
  void Write();
  void OnWrite(boost::system::error_code ec);
  // Close handshake: our close frame, then the socket once it is written.
  void CloseWith(std::uint16_t code, std::string_view reason);
  void Drop();      // at once, no handshake
  void Shutdown();  // unsubscribes everything; idempotent

  boost::asio::ip::tcp::socket socket_;
  StreamHub& hub_;
  WsOptions options_;
  bool combined_;
  std::vector<std::string> initial_;
  ClientFrameReader reader_;
  std::array<char, 4096> read_buffer_{};
  std::set<std::string> streams_;
  std::vector<Chunk> queued_;
  std::vector<Chunk> writing_;
  std::vector<boost::asio::const_buffer> buffers_;
  std::size_t queued_bytes_ = 0;
  std::size_t writing_bytes_ = 0;
  boost::asio::steady_timer heartbeat_;
  boost::asio::steady_timer lifetime_;
  MessageRate rate_;
  std::uint64_t pings_sent_ = 0;
  // The pings not answered yet: number and when it went out, oldest first.
  std::deque<std::pair<std::uint64_t, std::chrono::steady_clock::time_point>> unanswered_;
  bool closing_ = false;  // our close frame is queued: write it, then close
  bool closed_ = false;
};

}  // namespace exchange::md
