#include "amqp/amqp_client.h"

#include <amqp.h>
#include <amqp_tcp_socket.h>
#include <sys/time.h>

#include <cstring>
#include <vector>

namespace exchange::amqp {

namespace {

constexpr amqp_channel_t kChannel = 1;
constexpr int kHeartbeatSeconds = 10;

amqp_bytes_t Bytes(std::string_view s) {
  return amqp_bytes_t{s.size(), const_cast<char*>(s.data())};
}

std::string Text(amqp_bytes_t b) {
  return std::string(static_cast<const char*>(b.bytes), b.len);
}

timeval ToTimeval(std::chrono::milliseconds ms) {
  timeval tv;
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  return tv;
}

std::string Describe(const amqp_rpc_reply_t& r) {
  switch (r.reply_type) {
    case AMQP_RESPONSE_NORMAL: return "ok";
    case AMQP_RESPONSE_NONE: return "missing RPC reply";
    case AMQP_RESPONSE_LIBRARY_EXCEPTION: return amqp_error_string2(r.library_error);
    case AMQP_RESPONSE_SERVER_EXCEPTION:
      if (r.reply.id == AMQP_CONNECTION_CLOSE_METHOD) {
        auto* m = static_cast<amqp_connection_close_t*>(r.reply.decoded);
        return "server closed the connection: " + std::to_string(m->reply_code) + " " +
               Text(m->reply_text);
      }
      if (r.reply.id == AMQP_CHANNEL_CLOSE_METHOD) {
        auto* m = static_cast<amqp_channel_close_t*>(r.reply.decoded);
        return "server closed the channel: " + std::to_string(m->reply_code) + " " +
               Text(m->reply_text);
      }
      return "server error, method " + std::to_string(r.reply.id);
  }
  return "unknown reply";
}

}  // namespace

struct AmqpClient::State {
  amqp_connection_state_t conn = nullptr;
  std::string where;  // host:port for messages
};

Url ParseUrl(const std::string& url) {
  std::vector<char> buffer(url.begin(), url.end());
  buffer.push_back('\0');
  amqp_connection_info info;
  amqp_default_connection_info(&info);
  if (amqp_parse_url(buffer.data(), &info) != AMQP_STATUS_OK) {
    throw AmqpError("malformed AMQP URL '" + url + "' (want amqp://user:password@host:port/)");
  }
  Url u;
  u.host = info.host;
  u.port = info.port;
  u.user = info.user;
  u.password = info.password;
  u.vhost = info.vhost;
  return u;
}

AmqpClient::AmqpClient(const Url& url, std::chrono::seconds timeout) : state_(new State) {
  state_->where = url.host + ":" + std::to_string(url.port);
  state_->conn = amqp_new_connection();
  amqp_socket_t* socket = amqp_tcp_socket_new(state_->conn);
  if (socket == nullptr) {
    amqp_destroy_connection(state_->conn);
    delete state_;
    throw AmqpError("cannot create a TCP socket");
  }
  timeval tv = ToTimeval(timeout);
  if (const int rc = amqp_socket_open_noblock(socket, url.host.c_str(), url.port, &tv); rc != 0) {
    const std::string where = state_->where;
    amqp_destroy_connection(state_->conn);
    delete state_;
    throw AmqpError("cannot connect to RabbitMQ at " + where + ": " + amqp_error_string2(rc));
  }
  amqp_set_rpc_timeout(state_->conn, &tv);
  const amqp_rpc_reply_t login =
      amqp_login(state_->conn, url.vhost.c_str(), 0, 131072, kHeartbeatSeconds,
                 AMQP_SASL_METHOD_PLAIN, url.user.c_str(), url.password.c_str());
  if (login.reply_type != AMQP_RESPONSE_NORMAL) {
    const std::string why = Describe(login), where = state_->where;
    amqp_destroy_connection(state_->conn);
    delete state_;
    throw AmqpError("login to RabbitMQ at " + where + " as '" + url.user + "' failed: " + why);
  }
  amqp_channel_open(state_->conn, kChannel);
  Check("channel open");
}

AmqpClient::~AmqpClient() {
  amqp_channel_close(state_->conn, kChannel, AMQP_REPLY_SUCCESS);
  amqp_connection_close(state_->conn, AMQP_REPLY_SUCCESS);
  amqp_destroy_connection(state_->conn);
  delete state_;
}

void AmqpClient::Check(const char* what) {
  const amqp_rpc_reply_t r = amqp_get_rpc_reply(state_->conn);
  if (r.reply_type != AMQP_RESPONSE_NORMAL) {
    throw AmqpError(std::string(what) + " at " + state_->where + ": " + Describe(r));
  }
}

void AmqpClient::DeclareExchange(const std::string& name, const std::string& type) {
  amqp_exchange_declare(state_->conn, kChannel, Bytes(name), Bytes(type), 0, /*durable=*/1,
                        /*auto_delete=*/0, /*internal=*/0, amqp_empty_table);
  Check(("declare exchange " + name).c_str());
}

void AmqpClient::DeclareQueue(const std::string& name, const std::string& dead_letter_exchange) {
  amqp_table_entry_t entry;
  amqp_table_t args = amqp_empty_table;
  if (!dead_letter_exchange.empty()) {
    entry.key = amqp_cstring_bytes("x-dead-letter-exchange");
    entry.value.kind = AMQP_FIELD_KIND_UTF8;
    entry.value.value.bytes = Bytes(dead_letter_exchange);
    args = amqp_table_t{1, &entry};
  }
  amqp_queue_declare(state_->conn, kChannel, Bytes(name), 0, /*durable=*/1, /*exclusive=*/0,
                     /*auto_delete=*/0, args);
  Check(("declare queue " + name).c_str());
}

void AmqpClient::Bind(const std::string& queue, const std::string& exchange,
                      const std::string& key) {
  amqp_queue_bind(state_->conn, kChannel, Bytes(queue), Bytes(exchange), Bytes(key),
                  amqp_empty_table);
  Check(("bind " + queue + " to " + exchange + " with " + key).c_str());
}

std::string AmqpClient::DeclareTemporaryQueue() {
  amqp_queue_declare_ok_t* ok =
      amqp_queue_declare(state_->conn, kChannel, amqp_empty_bytes, 0, /*durable=*/0,
                         /*exclusive=*/1, /*auto_delete=*/1, amqp_empty_table);
  Check("declare a temporary queue");
  return Text(ok->queue);
}

void AmqpClient::DeleteQueue(const std::string& name) {
  amqp_queue_delete(state_->conn, kChannel, Bytes(name), 0, 0);
  Check(("delete queue " + name).c_str());
}

std::uint64_t AmqpClient::QueueDepth(const std::string& name) {
  amqp_queue_declare_ok_t* ok = amqp_queue_declare(state_->conn, kChannel, Bytes(name),
                                                   /*passive=*/1, 0, 0, 0, amqp_empty_table);
  Check(("look up queue " + name).c_str());
  return ok->message_count;
}

void AmqpClient::Consume(const std::string& queue, std::uint16_t prefetch, bool exclusive) {
  amqp_basic_qos(state_->conn, kChannel, 0, prefetch, 0);
  Check("basic.qos");
  amqp_basic_consume(state_->conn, kChannel, Bytes(queue), amqp_empty_bytes, 0, /*no_ack=*/0,
                     exclusive ? 1 : 0, amqp_empty_table);
  Check(("consume " + queue).c_str());
}

std::optional<Delivery> AmqpClient::Next(std::chrono::milliseconds timeout) {
  amqp_maybe_release_buffers(state_->conn);
  amqp_envelope_t envelope;
  timeval tv = ToTimeval(timeout);
  const amqp_rpc_reply_t r = amqp_consume_message(state_->conn, &envelope, &tv, 0);
  if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION && r.library_error == AMQP_STATUS_TIMEOUT) {
    return std::nullopt;
  }
  if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION &&
      r.library_error == AMQP_STATUS_UNEXPECTED_STATE) {
    // A frame other than a delivery: a confirm, or the server closing us.
    amqp_frame_t frame;
    if (amqp_simple_wait_frame(state_->conn, &frame) != AMQP_STATUS_OK) {
      throw AmqpError("connection to " + state_->where + " lost");
    }
    if (frame.frame_type == AMQP_FRAME_METHOD) {
      const amqp_method_number_t id = frame.payload.method.id;
      if (id == AMQP_BASIC_ACK_METHOD) {
        auto* ack = static_cast<amqp_basic_ack_t*>(frame.payload.method.decoded);
        HandleConfirm(ack->delivery_tag, ack->multiple);
      } else if (id == AMQP_CHANNEL_CLOSE_METHOD || id == AMQP_CONNECTION_CLOSE_METHOD) {
        throw AmqpError("server closed the connection to " + state_->where);
      }
    }
    return std::nullopt;
  }
  if (r.reply_type != AMQP_RESPONSE_NORMAL) {
    throw AmqpError("consume from " + state_->where + ": " + Describe(r));
  }
  Delivery d;
  d.tag = envelope.delivery_tag;
  d.exchange = Text(envelope.exchange);
  d.routing_key = Text(envelope.routing_key);
  d.body = Text(envelope.message.body);
  d.redelivered = envelope.redelivered != 0;
  const amqp_basic_properties_t& p = envelope.message.properties;
  if (p._flags & AMQP_BASIC_HEADERS_FLAG) {
    for (int i = 0; i < p.headers.num_entries; ++i) {
      const amqp_table_entry_t& e = p.headers.entries[i];
      if (e.value.kind == AMQP_FIELD_KIND_UTF8 || e.value.kind == AMQP_FIELD_KIND_BYTES) {
        d.headers[Text(e.key)] = Text(e.value.value.bytes);
      }
    }
  }
  amqp_destroy_envelope(&envelope);
  return d;
}

void AmqpClient::Ack(std::uint64_t tag, bool multiple) {
  if (amqp_basic_ack(state_->conn, kChannel, tag, multiple ? 1 : 0) != AMQP_STATUS_OK) {
    throw AmqpError("ack to " + state_->where + " failed");
  }
}

void AmqpClient::Reject(std::uint64_t tag, bool requeue) {
  if (amqp_basic_reject(state_->conn, kChannel, tag, requeue ? 1 : 0) != AMQP_STATUS_OK) {
    throw AmqpError("reject to " + state_->where + " failed");
  }
}

void AmqpClient::EnableConfirms() {
  amqp_confirm_select(state_->conn, kChannel);
  Check("confirm.select");
  confirms_ = true;
}

std::uint64_t AmqpClient::Publish(const std::string& exchange, const std::string& key,
                                  std::string_view body, const Headers& headers,
                                  std::span<const std::string> also_keys) {
  amqp_basic_properties_t props;
  props._flags = AMQP_BASIC_DELIVERY_MODE_FLAG | AMQP_BASIC_CONTENT_TYPE_FLAG;
  props.delivery_mode = 2;  // persistent
  props.content_type = amqp_cstring_bytes("application/octet-stream");
  std::vector<amqp_table_entry_t> entries;
  entries.reserve(headers.size());
  for (const auto& [k, v] : headers) {
    amqp_table_entry_t e;
    e.key = Bytes(k);
    e.value.kind = AMQP_FIELD_KIND_UTF8;
    e.value.value.bytes = Bytes(v);
    entries.push_back(e);
  }
  std::vector<amqp_field_value_t> bcc;
  if (!also_keys.empty()) {
    bcc.reserve(also_keys.size());
    for (const std::string& k : also_keys) {
      amqp_field_value_t v;
      v.kind = AMQP_FIELD_KIND_UTF8;
      v.value.bytes = Bytes(k);
      bcc.push_back(v);
    }
    amqp_table_entry_t e;
    e.key = amqp_cstring_bytes("BCC");
    e.value.kind = AMQP_FIELD_KIND_ARRAY;
    e.value.value.array = amqp_array_t{static_cast<int>(bcc.size()), bcc.data()};
    entries.push_back(e);
  }
  if (!entries.empty()) {
    props._flags |= AMQP_BASIC_HEADERS_FLAG;
    props.headers = amqp_table_t{static_cast<int>(entries.size()), entries.data()};
  }
  const int rc = amqp_basic_publish(state_->conn, kChannel, Bytes(exchange), Bytes(key), 0, 0,
                                    &props, Bytes(body));
  if (rc != AMQP_STATUS_OK) {
    throw AmqpError("publish to " + state_->where + " failed: " + amqp_error_string2(rc));
  }
  return ++published_;
}

void AmqpClient::HandleConfirm(std::uint64_t tag, bool multiple) {
  if (multiple) {
    if (tag > confirmed_) confirmed_ = tag;
  } else {
    acked_ahead_.insert(tag);
  }
  while (!acked_ahead_.empty() && *acked_ahead_.begin() <= confirmed_ + 1) {
    confirmed_ = std::max(confirmed_, *acked_ahead_.begin());
    acked_ahead_.erase(acked_ahead_.begin());
  }
}

int AmqpClient::socket_fd() const {
  return amqp_get_sockfd(state_->conn);
}

bool AmqpClient::HasBufferedFrames() const {
  return amqp_frames_enqueued(state_->conn) || amqp_data_in_buffer(state_->conn);
}

void AmqpClient::PollConfirms() {
  while (ReadConfirms(std::chrono::milliseconds(0))) {
  }
}

bool AmqpClient::ReadConfirms(std::chrono::milliseconds timeout) {
  amqp_maybe_release_buffers(state_->conn);
  amqp_frame_t frame;
  timeval tv = ToTimeval(timeout);
  const int rc = amqp_simple_wait_frame_noblock(state_->conn, &frame, &tv);
  if (rc == AMQP_STATUS_TIMEOUT) return false;
  if (rc != AMQP_STATUS_OK) {
    throw AmqpError("connection to " + state_->where + " lost: " + amqp_error_string2(rc));
  }
  if (frame.frame_type != AMQP_FRAME_METHOD) return true;
  switch (frame.payload.method.id) {
    case AMQP_BASIC_ACK_METHOD: {
      auto* ack = static_cast<amqp_basic_ack_t*>(frame.payload.method.decoded);
      HandleConfirm(ack->delivery_tag, ack->multiple);
      return true;
    }
    case AMQP_BASIC_NACK_METHOD:
      throw AmqpError("RabbitMQ at " + state_->where + " refused (nacked) a published message");
    case AMQP_CHANNEL_CLOSE_METHOD:
    case AMQP_CONNECTION_CLOSE_METHOD:
      throw AmqpError("server closed the connection to " + state_->where);
    default: return true;
  }
}

bool AmqpClient::WaitConfirms(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (confirmed_ < published_) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    ReadConfirms(left);
  }
  return true;
}

}  // namespace exchange::amqp
