#include "md/ws/ws_session.h"

#include <spdlog/spdlog.h>

#include <boost/asio/write.hpp>
#include <nlohmann/json.hpp>

#include "md/ws/stream_name.h"

namespace exchange::md {
namespace {

// Binance's error codes for stream requests.
constexpr int kInvalidValue = 1;
constexpr int kInvalidRequest = 2;
constexpr int kInvalidJson = 3;

std::string ErrorReply(int code, std::string_view message, const nlohmann::json& id) {
  nlohmann::json reply = {{"error", {{"code", code}, {"msg", message}}}, {"id", id}};
  return reply.dump();
}

}  // namespace

WsSession::WsSession(boost::asio::ip::tcp::socket socket, StreamHub& hub, const WsOptions& options,
                     bool combined, std::vector<std::string> initial, std::string leftover)
    : socket_(std::move(socket)),
      hub_(hub),
      options_(options),
      combined_(combined),
      initial_(std::move(initial)),
      reader_(options.max_message_bytes),
      heartbeat_(socket_.get_executor()) {
  reader_.Feed(leftover);
  if (options_.socket_send_buffer > 0) {
    boost::system::error_code ignored;
    socket_.set_option(
        boost::asio::socket_base::send_buffer_size(static_cast<int>(options_.socket_send_buffer)),
        ignored);
  }
  hub_.stats().connections.fetch_add(1, std::memory_order_relaxed);
  hub_.stats().accepted.fetch_add(1, std::memory_order_relaxed);
}

WsSession::~WsSession() {
  Shutdown();
  hub_.stats().connections.fetch_sub(1, std::memory_order_relaxed);
}

void WsSession::Start() {
  for (const std::string& stream : initial_) {
    if (streams_.insert(stream).second) hub_.Subscribe(this, stream);
  }
  initial_.clear();
  // Messages that came with the handshake's bytes.
  while (auto message = reader_.Next())
    Handle(*message);
  ScheduleHeartbeat();
  Read();
}

void WsSession::ScheduleHeartbeat() {
  if (options_.ping_interval.count() <= 0 || closed_ || closing_) return;
  heartbeat_.expires_after(options_.ping_interval);
  heartbeat_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (!ec) self->OnHeartbeat();
  });
}

void WsSession::OnHeartbeat() {
  if (closed_ || closing_) return;
  if (awaiting_pong_) {
    hub_.stats().ping_timeouts.fetch_add(1, std::memory_order_relaxed);
    // A close frame if it can go out now; a peer whose writes are stuck is
    // dropped at once.
    if (!writing_.empty()) return Drop();
    return CloseWith(kCloseGoingAway, "no pong to the server's ping");
  }
  awaiting_pong_ = true;
  std::string frame;
  AppendServerFrame(frame, WsOpcode::kPing, "exchange-md");
  Send(std::move(frame));
  ScheduleHeartbeat();
}

void WsSession::Read() {
  if (closed_) return;
  socket_.async_read_some(boost::asio::buffer(read_buffer_),
                          [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
                            self->OnRead(ec, n);
                          });
}

void WsSession::OnRead(boost::system::error_code ec, std::size_t n) {
  if (ec) return Drop();  // the client went away (or we dropped it)
  reader_.Feed(std::string_view(read_buffer_.data(), n));
  while (auto message = reader_.Next()) {
    Handle(*message);
    if (closed_ || closing_) return;
  }
  if (!reader_.error().empty()) {
    hub_.stats().protocol_errors.fetch_add(1, std::memory_order_relaxed);
    return CloseWith(reader_.close_code(), reader_.error());
  }
  Read();
}

void WsSession::Handle(const WsMessage& message) {
  switch (message.opcode) {
    case WsOpcode::kText: return HandleRequest(message.payload);
    case WsOpcode::kBinary:
      return Reply(
          ErrorReply(kInvalidJson, "binary frames are not requests; send JSON text", nullptr));
    case WsOpcode::kPing: {
      std::string frame;
      AppendServerFrame(frame, WsOpcode::kPong, message.payload);
      return Send(std::move(frame));
    }
    case WsOpcode::kPong: awaiting_pong_ = false; return;
    case WsOpcode::kClose: return CloseWith(kCloseNormal, "");
    case WsOpcode::kContinuation: return;
  }
}

void WsSession::HandleRequest(std::string_view text) {
  const nlohmann::json request = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (request.is_discarded() || !request.is_object()) {
    return Reply(ErrorReply(kInvalidJson, "not a JSON object", nullptr));
  }
  const nlohmann::json id = request.contains("id") ? request["id"] : nlohmann::json(nullptr);
  if (!id.is_null() && !id.is_number_unsigned() && !id.is_number_integer() && !id.is_string()) {
    return Reply(ErrorReply(kInvalidValue, "'id' must be an integer, a string or null", nullptr));
  }
  const auto method = request.find("method");
  if (method == request.end() || !method->is_string()) {
    return Reply(ErrorReply(kInvalidRequest,
                            "'method' missing: use SUBSCRIBE, UNSUBSCRIBE or "
                            "LIST_SUBSCRIPTIONS",
                            id));
  }
  const std::string name = *method;
  if (name == "LIST_SUBSCRIPTIONS") {
    nlohmann::json list = nlohmann::json::array();
    for (const std::string& stream : streams_)
      list.push_back(stream);
    return Reply(nlohmann::json{{"result", list}, {"id", id}}.dump());
  }
  if (name != "SUBSCRIBE" && name != "UNSUBSCRIBE") {
    return Reply(ErrorReply(
        kInvalidRequest,
        "unknown method '" + name + "': use SUBSCRIBE, UNSUBSCRIBE or LIST_SUBSCRIPTIONS", id));
  }
  const auto params = request.find("params");
  if (params == request.end() || !params->is_array()) {
    return Reply(ErrorReply(kInvalidValue, "'params' must be an array of stream names", id));
  }
  std::vector<std::string> names;
  for (const nlohmann::json& p : *params) {
    if (!p.is_string()) {
      return Reply(ErrorReply(kInvalidValue, "'params' must be an array of stream names", id));
    }
    names.push_back(p.get<std::string>());
  }
  const std::string error = Change(name == "SUBSCRIBE", names);
  if (!error.empty()) return Reply(ErrorReply(kInvalidRequest, error, id));
  Reply(nlohmann::json{{"result", nullptr}, {"id", id}}.dump());
}

std::string WsSession::Change(bool subscribe, const std::vector<std::string>& names) {
  // Every name is checked before any is applied: a request is all or nothing.
  std::vector<std::string> canonical;
  for (const std::string& name : names) {
    std::string error;
    const auto stream = ParseStreamName(name, error);
    if (!stream) return error;
    if (subscribe) {
      if (!hub_.registry().ready()) return "market data feed not ready yet; retry shortly";
      if (!hub_.registry().Resolve(stream->symbol)) {
        return "unknown symbol '" + stream->symbol + "' in stream '" + name + "'";
      }
    }
    canonical.push_back(stream->ToString());
  }
  if (subscribe) {
    std::size_t added = 0;
    for (const std::string& s : canonical)
      added += streams_.count(s) == 0 ? 1 : 0;
    if (streams_.size() + added > options_.max_streams) {
      return "too many streams: at most " + std::to_string(options_.max_streams) +
             " per connection";
    }
  }
  for (const std::string& stream : canonical) {
    if (subscribe && streams_.insert(stream).second) hub_.Subscribe(this, stream);
    if (!subscribe && streams_.erase(stream) > 0) hub_.Unsubscribe(this, stream);
  }
  return "";
}

bool WsSession::Enqueue(const std::shared_ptr<const FeedBatch>& batch, const StreamFrames& frames) {
  if (closed_ || closing_) return false;
  const std::string& bytes = combined_ ? frames.combined : frames.raw;
  if (bytes.empty()) return false;
  queued_.push_back(Chunk{batch, bytes});
  queued_bytes_ += bytes.size();
  hub_.stats().messages_sent.fetch_add(frames.messages, std::memory_order_relaxed);
  return true;
}

void WsSession::Reply(std::string_view json) {
  std::string frame;
  AppendServerFrame(frame, WsOpcode::kText, json);
  Send(std::move(frame));
}

void WsSession::Send(std::string frame) {
  if (closed_ || closing_) return;
  auto owned = std::make_shared<const std::string>(std::move(frame));
  queued_.push_back(Chunk{owned, *owned});
  queued_bytes_ += owned->size();
  Flush();
}

void WsSession::Flush() {
  if (closed_) return;
  if (queued_bytes_ + writing_bytes_ > options_.max_pending_bytes) {
    hub_.stats().slow_dropped.fetch_add(1, std::memory_order_relaxed);
    spdlog::warn("ws: dropping a slow client ({} bytes waiting, limit {})",
                 queued_bytes_ + writing_bytes_, options_.max_pending_bytes);
    return Drop();
  }
  if (!writing_.empty() || queued_.empty()) return;
  Write();
}

void WsSession::Write() {
  writing_.swap(queued_);
  writing_bytes_ = queued_bytes_;
  queued_bytes_ = 0;
  buffers_.clear();
  for (const Chunk& chunk : writing_)
    buffers_.emplace_back(chunk.bytes.data(), chunk.bytes.size());
  boost::asio::async_write(socket_, buffers_,
                           [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                             self->OnWrite(ec);
                           });
}

void WsSession::OnWrite(boost::system::error_code ec) {
  hub_.stats().bytes_sent.fetch_add(writing_bytes_, std::memory_order_relaxed);
  writing_.clear();
  writing_bytes_ = 0;
  if (ec) return Drop();
  if (!queued_.empty()) return Write();
  if (closing_) {
    boost::system::error_code ignored;
    socket_.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
    Drop();
  }
}

void WsSession::CloseWith(std::uint16_t code, std::string_view reason) {
  if (closed_ || closing_) return;
  auto frame = std::make_shared<const std::string>(CloseFrame(code, reason));
  queued_.push_back(Chunk{frame, *frame});
  queued_bytes_ += frame->size();
  closing_ = true;
  Shutdown();
  heartbeat_.cancel();
  if (writing_.empty()) Write();
}

void WsSession::Drop() {
  if (closed_) return;
  closed_ = true;
  Shutdown();
  heartbeat_.cancel();  // its handler holds this session
  boost::system::error_code ignored;
  socket_.close(ignored);
}

void WsSession::Shutdown() {
  for (const std::string& stream : streams_)
    hub_.Unsubscribe(this, stream);
  streams_.clear();
}

}  // namespace exchange::md
