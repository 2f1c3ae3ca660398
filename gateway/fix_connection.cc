// FixConnection: see fix_connection.h.
#include "gateway/fix_connection.h"

#include <spdlog/spdlog.h>

#include "gateway/fix_server.h"
#include "gateway/fix_tags.h"

namespace exchange::fix {
namespace {

constexpr std::size_t kReadChunk = 64 * 1024;
constexpr std::int64_t kSecond = 1'000'000'000;

}  // namespace

FixConnection::FixConnection(boost::asio::ip::tcp::socket socket, FixServer& server)
    : socket_(std::move(socket)), server_(server) {
  boost::system::error_code ec;
  const auto endpoint = socket_.remote_endpoint(ec);
  peer_ = ec ? std::string("unknown peer")
             : endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
  socket_.set_option(boost::asio::ip::tcp::no_delay(true), ec);
}

FixConnection::~FixConnection() = default;

void FixConnection::Start() {
  logon_deadline_ns_ =
      WallClockNs() + static_cast<std::int64_t>(server_.config().logon_timeout_ms) * 1'000'000;
  spdlog::info("gateway: connection from {}", peer_);
  Read();
}

void FixConnection::Read() {
  if (closed_) return;
  // Keep unframed bytes at the front; grow by a chunk for the next read.
  if (input_start_ > 0) {
    input_.erase(0, input_start_);
    input_start_ = 0;
  }
  const std::size_t used = input_.size();
  input_.resize(used + kReadChunk);
  socket_.async_read_some(
      boost::asio::buffer(input_.data() + used, kReadChunk),
      [self = shared_from_this(), used](const boost::system::error_code& ec, std::size_t n) {
        self->input_.resize(used + n);
        if (self->closed_) return;
        if (ec) {
          const bool mid_message = self->input_.size() > self->input_start_;
          self->Close(ec == boost::asio::error::eof
                          ? (mid_message ? "peer closed the connection mid-message"
                                         : "peer closed the connection")
                          : "read failed: " + ec.message());
          return;
        }
        self->OnBytes(WallClockNs());
        if (!self->closed_ && !self->closing_) self->Read();
      });
}

void FixConnection::OnBytes(std::int64_t now_ns) {
  while (!closed_ && !closing_ && input_start_ < input_.size()) {
    const std::string_view rest(input_.data() + input_start_, input_.size() - input_start_);
    const Frame frame = FrameMessage(rest);
    if (frame.status == FrameStatus::kIncomplete) return;
    if (frame.status == FrameStatus::kGarbled) {
      // FIX: a garbled message is ignored (its sequence number is not used).
      spdlog::warn("gateway: {} sent a garbled message ({}); {} bytes skipped", peer_, frame.error,
                   frame.length);
      input_start_ += frame.length;
      if (session_ == nullptr) {
        Close("garbled data before the Logon: " + frame.error);
        return;
      }
      continue;
    }
    const std::string_view bytes = rest.substr(0, frame.length);
    input_start_ += frame.length;
    if (!OnFrame(bytes, now_ns)) return;
  }
}

bool FixConnection::OnFrame(std::string_view bytes, std::int64_t now_ns) {
  if (!CountMessage(now_ns)) {
    std::string text = "more than ";
    text += std::to_string(server_.config().max_messages_per_second);
    text += " messages per second";
    spdlog::warn("gateway: {}: {}; logging out", peer_, text);
    if (session_) {
      session_->Logout(text, now_ns);
    } else {
      Close(text);
    }
    return false;
  }
  const std::optional<ParseError> error = message_.Parse(bytes);
  if (session_ == nullptr) {
    if (error) {
      Close("the first message does not parse: " + error->text);
      return false;
    }
    return OnFirstMessage(message_, now_ns);
  }
  if (error) {
    session_->OnParseError(message_, *error, now_ns);
  } else {
    session_->OnMessage(message_, now_ns);
  }
  return !closed_ && !closing_;
}

bool FixConnection::OnFirstMessage(const FixMessage& m, std::int64_t now_ns) {
  if (m.msg_type() != msg::kLogon) {
    RefuseLogon(m, "the first message must be a Logon(35=A)");
    return false;
  }
  FixSession* session = server_.FindSession(m.Get(tag::kSenderCompID), m.Get(tag::kTargetCompID));
  if (session == nullptr) {
    std::string text = "unknown session: SenderCompID(49) '";
    text += m.Get(tag::kSenderCompID);
    text += "' with TargetCompID(56) '";
    text += m.Get(tag::kTargetCompID);
    text += "'";
    RefuseLogon(m, text);
    return false;
  }
  if (session->state() != FixSession::State::kDisconnected) {
    RefuseLogon(m, "this session is logged on from another connection");
    return false;
  }
  session_ = session;
  session_->Attach(*this, now_ns);
  session_->OnMessage(m, now_ns);
  if (session_ != nullptr && session_->logged_on()) {
    spdlog::info("gateway: {} logged on as session {}", peer_, session_->config().name);
  }
  return !closed_ && !closing_;
}

// A Logout from outside any session (sequence number 1: nothing is stored).
void FixConnection::RefuseLogon(const FixMessage& m, std::string_view text) {
  spdlog::warn("gateway: {} refused: {}", peer_, text);
  FixWriter w;
  w.Start(msg::kLogout, m.Get(tag::kTargetCompID), m.Get(tag::kSenderCompID), 1, WallClockNs());
  w.Add(tag::kText, text);
  Send(w.Finish());
  Disconnect(text);
}

bool FixConnection::CountMessage(std::int64_t now_ns) {
  if (now_ns - rate_window_start_ns_ >= kSecond) {
    rate_window_start_ns_ = now_ns;
    rate_window_count_ = 0;
  }
  return ++rate_window_count_ <= server_.config().max_messages_per_second;
}

void FixConnection::OnTimer(std::int64_t now_ns) {
  if (session_ == nullptr && !closed_ && !closing_ && now_ns > logon_deadline_ns_) {
    Close("no Logon within " + std::to_string(server_.config().logon_timeout_ms) + " ms");
  }
}

void FixConnection::Send(std::string_view message) {
  if (closed_) return;
  pending_.append(message);
  if (pending_.size() + writing_.size() > server_.config().max_output_bytes) {
    // The client does not read: drop it rather than grow without bound.
    Close("more than " + std::to_string(server_.config().max_output_bytes) +
          " bytes of replies unread by the client");
    return;
  }
  if (write_in_flight_ || write_posted_) return;  // the write under way takes it
  write_posted_ = true;
  boost::asio::post(socket_.get_executor(), [self = shared_from_this()] {
    self->write_posted_ = false;
    if (!self->write_in_flight_) self->Write();
  });
}

void FixConnection::Write() {
  if (closed_) return;
  if (pending_.empty()) {
    if (closing_) Close("");
    return;
  }
  server_.FlushStores();  // what the peer reads is on file first
  writing_.swap(pending_);
  pending_.clear();
  write_in_flight_ = true;
  boost::asio::async_write(
      socket_, boost::asio::buffer(writing_),
      [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
        self->write_in_flight_ = false;
        self->writing_.clear();
        if (ec) {
          self->Close("write failed: " + ec.message());
          return;
        }
        self->Write();
      });
}

void FixConnection::Disconnect(std::string_view reason) {
  if (closed_) return;
  if (!reason.empty()) spdlog::info("gateway: disconnecting {}: {}", peer_, reason);
  session_ = nullptr;  // the session has detached itself
  closing_ = true;
  if (!write_in_flight_ && pending_.empty()) Close("");
}

void FixConnection::Close(std::string_view reason) {
  if (closed_) return;
  closed_ = true;
  if (!reason.empty()) spdlog::info("gateway: connection {} closed: {}", peer_, reason);
  if (session_ != nullptr) {
    FixSession* s = session_;
    session_ = nullptr;
    s->Detach();
  }
  boost::system::error_code ec;
  socket_.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
  socket_.close(ec);
}

}  // namespace exchange::fix
