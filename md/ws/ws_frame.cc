#include "md/ws/ws_frame.h"

#include <algorithm>

namespace exchange::md {

void AppendServerFrame(std::string& out, WsOpcode opcode, std::string_view payload) {
  out += static_cast<char>(0x80 | static_cast<std::uint8_t>(opcode));  // FIN
  const std::uint64_t n = payload.size();
  if (n < 126) {
    out += static_cast<char>(n);
  } else if (n <= 0xFFFF) {
    out += static_cast<char>(126);
    out += static_cast<char>(n >> 8);
    out += static_cast<char>(n & 0xFF);
  } else {
    out += static_cast<char>(127);
    for (int shift = 56; shift >= 0; shift -= 8)
      out += static_cast<char>((n >> shift) & 0xFF);
  }
  out.append(payload);
}

std::string CloseFrame(std::uint16_t code, std::string_view reason) {
  std::string payload;
  payload += static_cast<char>(code >> 8);
  payload += static_cast<char>(code & 0xFF);
  payload.append(reason.substr(0, 123));
  std::string out;
  AppendServerFrame(out, WsOpcode::kClose, payload);
  return out;
}

std::optional<FrameLength> ParseFrameLength(std::string_view bytes) {
  if (bytes.size() < 2) return std::nullopt;
  const auto* p = reinterpret_cast<const std::uint8_t*>(bytes.data());
  FrameLength f;
  f.payload = p[1] & 0x7F;
  if (f.payload == 126) {
    if (bytes.size() < 4) return std::nullopt;
    f.payload = (std::uint64_t{p[2]} << 8) | p[3];
    f.header = 4;
  } else if (f.payload == 127) {
    if (bytes.size() < 10) return std::nullopt;
    f.payload = 0;
    for (int i = 0; i < 8; ++i)
      f.payload = (f.payload << 8) | p[2 + i];
    f.header = 10;
  }
  return f;
}

std::optional<WsMessage> ClientFrameReader::Fail(std::uint16_t code, std::string message) {
  close_code_ = code;
  error_ = std::move(message);
  return std::nullopt;
}

std::optional<WsMessage> ClientFrameReader::Next() {
  while (error_.empty()) {
    const auto* p = reinterpret_cast<const std::uint8_t*>(input_.data()) + consumed_;
    const std::size_t available = input_.size() - consumed_;
    if (available < 2) break;
    const bool fin = (p[0] & 0x80) != 0;
    const auto opcode = static_cast<WsOpcode>(p[0] & 0x0F);
    const bool masked = (p[1] & 0x80) != 0;
    if ((p[0] & 0x70) != 0) return Fail(kCloseProtocolError, "reserved bits set (no extension)");
    if (!masked) return Fail(kCloseProtocolError, "client frame not masked");
    const bool control = (p[0] & 0x08) != 0;
    const auto frame = ParseFrameLength(std::string_view(input_).substr(consumed_));
    if (!frame) break;
    const std::uint64_t length = frame->payload;
    const std::size_t header = frame->header;
    if (control && (length > 125 || !fin)) {
      return Fail(kCloseProtocolError, "control frame fragmented or longer than 125 bytes");
    }
    if (length > max_message_ || fragments_.size() + length > max_message_) {
      return Fail(kCloseTooBig, "message longer than " + std::to_string(max_message_) + " bytes");
    }
    if (available < header + 4 + length) break;
    const std::uint8_t* mask = p + header;
    std::string payload(reinterpret_cast<const char*>(mask + 4), length);
    for (std::size_t i = 0; i < payload.size(); ++i)
      payload[i] = static_cast<char>(payload[i] ^ mask[i % 4]);
    consumed_ += header + 4 + length;
    if (consumed_ > 65536 || consumed_ == input_.size()) {  // keep the buffer small
      input_.erase(0, consumed_);
      consumed_ = 0;
    }
    if (control) {
      switch (opcode) {
        case WsOpcode::kClose:
        case WsOpcode::kPing:
        case WsOpcode::kPong: return WsMessage{opcode, std::move(payload)};
        default: return Fail(kCloseProtocolError, "unknown control opcode");
      }
    }
    if (opcode == WsOpcode::kContinuation) {
      if (!fragment_opcode_) return Fail(kCloseProtocolError, "continuation without a message");
    } else if (opcode == WsOpcode::kText || opcode == WsOpcode::kBinary) {
      if (fragment_opcode_) return Fail(kCloseProtocolError, "new message inside a fragmented one");
      fragment_opcode_ = opcode;
    } else {
      return Fail(kCloseProtocolError, "unknown data opcode");
    }
    fragments_ += payload;
    if (!fin) continue;
    WsMessage message{*fragment_opcode_, std::move(fragments_)};
    fragments_.clear();
    fragment_opcode_.reset();
    return message;
  }
  return std::nullopt;
}

}  // namespace exchange::md
