#include "md/ws/ws_session.h"

#include <spdlog/spdlog.h>

#include <charconv>

#include <boost/asio/write.hpp>
#include <nlohmann/json.hpp>
#include <variant>

#include "md/ws/stream_name.h"

namespace exchange::md {
namespace {

using Clock = std::chrono::steady_clock;

std::string InvalidRequest(std::string_view detail) {
  return "Invalid request: " + std::string(detail);
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
      heartbeat_(socket_.get_executor()),
      lifetime_(socket_.get_executor()),
      rate_(options.max_messages_per_second) {
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
  while (auto message = reader_.Next()) {
    Handle(*message);
    if (closed_ || closing_) return;
  }
  if (options_.max_lifetime.count() > 0) {
    lifetime_.expires_after(options_.max_lifetime);
    lifetime_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (ec) return;
      self->hub_.stats().lifetime_closed.fetch_add(1, std::memory_order_relaxed);
      self->CloseWith(kCloseGoingAway, "connection lifetime reached; reconnect");
    });
  }
  ScheduleHeartbeat();
  Read();
}

void WsSession::CancelTimers() {
  heartbeat_.cancel();  // their handlers hold this session
  lifetime_.cancel();
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
  const auto now = Clock::now();
  if (!unanswered_.empty() && now - unanswered_.front().second >= options_.pong_timeout) {
    hub_.stats().ping_timeouts.fetch_add(1, std::memory_order_relaxed);
    // A close frame if it can go out now; a peer whose writes are stuck is
    // dropped at once.
    if (!writing_.empty()) return Drop();
    return CloseWith(kCloseGoingAway, "no pong to the server's ping");
  }
  // The payload is the ping's number: a pong answers the pings up to the
  // one whose payload it carries.
  const std::uint64_t number = ++pings_sent_;
  unanswered_.emplace_back(number, now);
  std::string frame;
  AppendServerFrame(frame, WsOpcode::kPing, std::to_string(number));
  Send(std::move(frame));
  ScheduleHeartbeat();
}

void WsSession::OnPong(std::string_view payload) {
  std::uint64_t number = 0;
  const auto [end, ec] = std::from_chars(payload.data(), payload.data() + payload.size(), number);
  if (ec != std::errc() || end != payload.data() + payload.size()) return;  // unsolicited
  if (unanswered_.empty() || number < unanswered_.front().first || number > pings_sent_) return;
  while (!unanswered_.empty() && unanswered_.front().first <= number)
    unanswered_.pop_front();
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
  if (message.opcode != WsOpcode::kClose && message.opcode != WsOpcode::kContinuation &&
      !rate_.Allow(Clock::now())) {
    hub_.stats().rate_limited.fetch_add(1, std::memory_order_relaxed);
    return CloseWith(kClosePolicy, "too many messages: at most " +
                                       std::to_string(options_.max_messages_per_second) +
                                       " a second (pings, pongs and requests)");
  }
  switch (message.opcode) {
    case WsOpcode::kText: return HandleRequest(message.payload);
    case WsOpcode::kBinary:
      return Reply(WsErrorReply(
          {kWsInvalidJson, "Invalid JSON: binary frames are not requests; send text", nullptr}));
    case WsOpcode::kPing: {
      std::string frame;
      AppendServerFrame(frame, WsOpcode::kPong, message.payload);
      return Send(std::move(frame));
    }
    case WsOpcode::kPong: return OnPong(message.payload);
    case WsOpcode::kClose: return CloseWith(kCloseNormal, "");
    case WsOpcode::kContinuation: return;
  }
}

void WsSession::HandleRequest(std::string_view text) {
  auto parsed = ParseWsRequest(text);
  if (const auto* error = std::get_if<WsRequestError>(&parsed)) return Reply(WsErrorReply(*error));
  const WsRequest& request = std::get<WsRequest>(parsed);
  switch (request.method) {
    case WsMethod::kListSubscriptions: {
      nlohmann::json list = nlohmann::json::array();
      for (const std::string& stream : streams_)
        list.push_back(stream);
      return Reply(WsResultReply(list, request.id));
    }
    case WsMethod::kSetProperty:
      combined_ = request.combined;
      return Reply(WsResultReply(nullptr, request.id));
    case WsMethod::kGetProperty: return Reply(WsResultReply(combined_, request.id));
    case WsMethod::kSubscribe:
    case WsMethod::kUnsubscribe: break;
  }
  const std::string error = Change(request.method == WsMethod::kSubscribe, request.streams);
  if (!error.empty()) return Reply(WsErrorReply({kWsInvalidRequest, error, request.id}));
  Reply(WsResultReply(nullptr, request.id));
}

std::string WsSession::Change(bool subscribe, const std::vector<std::string>& names) {
  // Every name is checked before any is applied: a request is all or nothing.
  std::vector<std::string> canonical;
  for (const std::string& name : names) {
    std::string error;
    const auto stream = ParseStreamName(name, error);
    if (!stream) return InvalidRequest(error);
    if (subscribe) {
      if (!hub_.registry().ready()) {
        return InvalidRequest("market data feed not ready yet; retry shortly");
      }
      if (!stream->every_symbol && !hub_.registry().Resolve(stream->symbol)) {
        return InvalidRequest("unknown symbol '" + stream->symbol + "' in stream '" + name + "'");
      }
    }
    canonical.push_back(stream->ToString());
  }
  if (subscribe) {
    std::size_t added = 0;
    for (const std::string& s : canonical)
      added += streams_.count(s) == 0 ? 1 : 0;
    if (streams_.size() + added > options_.max_streams) {
      return InvalidRequest("too many streams: at most " + std::to_string(options_.max_streams) +
                            " per connection");
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
  CancelTimers();
  if (writing_.empty()) Write();
}

void WsSession::Drop() {
  if (closed_) return;
  closed_ = true;
  Shutdown();
  CancelTimers();
  boost::system::error_code ignored;
  socket_.close(ignored);
}

void WsSession::Shutdown() {
  for (const std::string& stream : streams_)
    hub_.Unsubscribe(this, stream);
  streams_.clear();
}

}  // namespace exchange::md
