// WebSocket framing (RFC 6455) for exchange-md's streams: server frames are
// built once per message and shared by every subscriber (a batch of
// messages for one client then goes out in one gather write), and client
// frames are parsed incrementally from whatever the socket delivered.
//
// Boost.Beast's websocket::stream writes one message per operation and
// frames it per connection; with 1,000 subscribers of one stream that is
// 1,000 framings and 1,000 writes per message. The handshake still goes
// through Beast (ws_upgrade.h); only the data phase uses this file.
//
// Plain functions and a value type; one thread per ClientFrameReader.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace exchange::md {

enum class WsOpcode : std::uint8_t {
  kContinuation = 0x0,
  kText = 0x1,
  kBinary = 0x2,
  kClose = 0x8,
  kPing = 0x9,
  kPong = 0xA,
};

// Close codes this server sends.
inline constexpr std::uint16_t kCloseNormal = 1000;
inline constexpr std::uint16_t kCloseGoingAway = 1001;
inline constexpr std::uint16_t kCloseProtocolError = 1002;
inline constexpr std::uint16_t kCloseTooBig = 1009;
inline constexpr std::uint16_t kClosePolicy = 1008;  // e.g. too slow

// Appends one unmasked, final server frame carrying `payload`.
void AppendServerFrame(std::string& out, WsOpcode opcode, std::string_view payload);
// A close frame with `code` and a short `reason` (cut to 123 bytes).
std::string CloseFrame(std::uint16_t code, std::string_view reason);

// A frame's header size (before any mask) and payload length, read from
// its first bytes; nullopt until `bytes` holds the whole length field.
struct FrameLength {
  std::size_t header = 2;
  std::uint64_t payload = 0;
};
std::optional<FrameLength> ParseFrameLength(std::string_view bytes);

// One complete client message or control frame.
struct WsMessage {
  WsOpcode opcode = WsOpcode::kText;  // kText, kBinary, kClose, kPing or kPong
  std::string payload;                // unmasked; fragments joined
};

// Parses client frames: masked (a client frame without a mask is a
// protocol error), fragmented data messages joined, control frames
// (≤ 125 bytes, never fragmented) passed through between fragments.
class ClientFrameReader {
 public:
  explicit ClientFrameReader(std::size_t max_message_bytes) : max_message_(max_message_bytes) {}

  // Takes bytes read from the socket.
  void Feed(std::string_view bytes) { input_.append(bytes); }
  // The next complete message, or nullopt when more bytes are needed or
  // the stream is broken (then error() says why and close_code() what to
  // close with). Nothing is parsed after an error.
  std::optional<WsMessage> Next();

  const std::string& error() const { return error_; }
  std::uint16_t close_code() const { return close_code_; }

 private:
  std::optional<WsMessage> Fail(std::uint16_t code, std::string message);

  std::size_t max_message_;
  std::string input_;
  std::size_t consumed_ = 0;  // bytes of input_ already parsed
  std::string fragments_;     // a data message still being joined
  std::optional<WsOpcode> fragment_opcode_;
  std::string error_;
  std::uint16_t close_code_ = 0;
};

}  // namespace exchange::md
