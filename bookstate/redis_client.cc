#include "bookstate/redis_client.h"

#include <hiredis/hiredis.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <utility>

namespace exchange::redis {

namespace {

// Append() sends the buffer once it holds this much, so that the server works
// on the start of a long pipeline while the rest is being encoded.
constexpr std::size_t kFlushBytes = 64 * 1024;

// ---- URLs ----

// The URL with its password masked, for error messages.
std::string Redacted(std::string_view url) {
  const std::size_t scheme = url.find("://");
  const std::size_t start = scheme == std::string_view::npos ? 0 : scheme + 3;
  const std::size_t at = url.rfind('@');
  if (at == std::string_view::npos || at < start) return std::string(url);
  const std::size_t colon = url.find(':', start);
  if (colon == std::string_view::npos || colon > at) return std::string(url);
  return std::string(url.substr(0, colon + 1)) + "***" + std::string(url.substr(at));
}

[[noreturn]] void BadUrl(std::string_view url, const std::string& why) {
  throw RedisError("bad redis URL '" + Redacted(url) + "': " + why);
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string PercentDecode(std::string_view s, std::string_view url, const char* what) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out.push_back(s[i]);
      continue;
    }
    if (i + 2 >= s.size() || HexDigit(s[i + 1]) < 0 || HexDigit(s[i + 2]) < 0) {
      BadUrl(url, std::string("bad percent-encoding in the ") + what + " (want %XX, hex)");
    }
    out.push_back(static_cast<char>(HexDigit(s[i + 1]) * 16 + HexDigit(s[i + 2])));
    i += 2;
  }
  return out;
}

// All of `s` as a number in [low, high].
bool ParseNumber(std::string_view s, int low, int high, int& value) {
  if (s.empty()) return false;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  return ec == std::errc() && end == s.data() + s.size() && value >= low && value <= high;
}

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  }
  return true;
}

// ---- messages ----

std::string Milliseconds(std::chrono::milliseconds ms) {
  return std::to_string(ms.count()) + " ms";
}

// hiredis and strerror() texts start with a capital: "Connection refused".
std::string Lowered(std::string s) {
  if (!s.empty()) s[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(s[0])));
  return s;
}

timeval ToTimeval(std::chrono::milliseconds ms) {
  timeval tv;
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  return tv;
}

// ---- the protocol ----

// prefix, n, CRLF: "*3\r\n", "$5\r\n".
void AppendHeader(std::string& out, char prefix, std::size_t n) {
  char buffer[24];
  buffer[0] = prefix;
  char* p = std::to_chars(buffer + 1, buffer + sizeof buffer - 2, n).ptr;
  *p++ = '\r';
  *p++ = '\n';
  out.append(buffer, p);
}

// One command as a RESP array of bulk strings: what redisFormatCommandArgv
// produces, minus its allocation per command.
void Encode(std::string& out, std::span<const std::string_view> argv) {
  AppendHeader(out, '*', argv.size());
  for (const std::string_view arg : argv) {
    AppendHeader(out, '$', arg.size());
    out.append(arg);
    out.append("\r\n", 2);
  }
}

}  // namespace

RedisUrl ParseRedisUrl(std::string_view url) {
  constexpr std::string_view kScheme = "redis://";
  if (!StartsWithNoCase(url, kScheme)) {
    if (StartsWithNoCase(url, "rediss://")) BadUrl(url, "TLS (rediss://) is not supported");
    BadUrl(url, "want redis://[user[:password]@]host[:port][/db]");
  }
  RedisUrl out;
  std::string_view rest = url.substr(kScheme.size());

  // The last '@': a password with a raw '@' or '/' still parses.
  if (const std::size_t at = rest.rfind('@'); at != std::string_view::npos) {
    const std::string_view userinfo = rest.substr(0, at);
    const std::size_t colon = userinfo.find(':');
    out.user = PercentDecode(userinfo.substr(0, colon), url, "user");
    if (colon != std::string_view::npos) {
      out.password = PercentDecode(userinfo.substr(colon + 1), url, "password");
    }
    rest = rest.substr(at + 1);
  }
  if (rest.find_first_of("?#") != std::string_view::npos) {
    BadUrl(url, "query strings and fragments are not supported");
  }

  const std::size_t slash = rest.find('/');
  std::string_view hostport = rest.substr(0, slash);
  if (slash != std::string_view::npos) {
    const std::string_view db = rest.substr(slash + 1);
    if (!db.empty() && !ParseNumber(db, 0, 1 << 30, out.db)) {
      BadUrl(url, "database '" + std::string(db) + "' is not a number (want /0, /1, ...)");
    }
  }

  std::string_view host = hostport, port;
  bool has_port = false;
  if (!hostport.empty() && hostport.front() == '[') {
    const std::size_t close = hostport.find(']');
    if (close == std::string_view::npos) BadUrl(url, "unterminated IPv6 address (no ']')");
    host = hostport.substr(1, close - 1);
    const std::string_view after = hostport.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') BadUrl(url, "unexpected '" + std::string(after) + "' after ']'");
      port = after.substr(1);
      has_port = true;
    }
  } else if (const std::size_t colon = hostport.find(':'); colon != std::string_view::npos) {
    if (hostport.find(':', colon + 1) != std::string_view::npos) {
      BadUrl(url, "an IPv6 address needs brackets: redis://[::1]:6379");
    }
    host = hostport.substr(0, colon);
    port = hostport.substr(colon + 1);
    has_port = true;
  }
  if (!host.empty()) out.host = std::string(host);
  if (has_port && !ParseNumber(port, 1, 65535, out.port)) {
    BadUrl(url, "port '" + std::string(port) + "' is not a number from 1 to 65535");
  }
  return out;
}

std::string Describe(const RedisUrl& url) {
  const bool ipv6 = url.host.find(':') != std::string::npos;
  return (ipv6 ? "[" + url.host + "]" : url.host) + ":" + std::to_string(url.port) + "/" +
         std::to_string(url.db);
}

// ---- replies ----

bool RedisReplyView::is_error() const {
  return r_->type == REDIS_REPLY_ERROR;
}
bool RedisReplyView::is_nil() const {
  return r_->type == REDIS_REPLY_NIL;
}
bool RedisReplyView::is_string() const {
  return r_->type == REDIS_REPLY_STRING || r_->type == REDIS_REPLY_STATUS;
}
bool RedisReplyView::is_integer() const {
  return r_->type == REDIS_REPLY_INTEGER;
}
bool RedisReplyView::is_array() const {
  return r_->type == REDIS_REPLY_ARRAY;
}

std::string_view RedisReplyView::str() const {
  if (r_->type != REDIS_REPLY_STRING && r_->type != REDIS_REPLY_STATUS &&
      r_->type != REDIS_REPLY_ERROR) {
    return {};
  }
  return std::string_view(r_->str, r_->len);
}

long long RedisReplyView::integer() const {
  return r_->type == REDIS_REPLY_INTEGER ? r_->integer : 0;
}

std::size_t RedisReplyView::size() const {
  return r_->type == REDIS_REPLY_ARRAY ? r_->elements : 0;
}

RedisReplyView RedisReplyView::element(std::size_t i) const {
  if (i >= size()) {
    throw std::out_of_range("redis reply: element " + std::to_string(i) + " of an array of " +
                            std::to_string(size()));
  }
  return RedisReplyView(r_->element[i]);
}

RedisReply::~RedisReply() {
  if (r_ != nullptr) freeReplyObject(r_);
}

RedisReply& RedisReply::operator=(RedisReply&& other) noexcept {
  if (this != &other) {
    if (r_ != nullptr) freeReplyObject(r_);
    r_ = std::exchange(other.r_, nullptr);
  }
  return *this;
}

// ---- the client ----

RedisClient::RedisClient(const RedisUrl& url, const Options& options)
    : address_(Describe(url)), options_(options) {
  try {
    context_ = options.connect_timeout.count() > 0
                   ? redisConnectWithTimeout(url.host.c_str(), url.port,
                                             ToTimeval(options.connect_timeout))
                   : redisConnect(url.host.c_str(), url.port);
    if (context_ == nullptr) Fail("cannot connect: out of memory");
    if (context_->err != 0) {
      const int saved_errno = errno;
      std::string why = "cannot connect: " + Lowered(context_->errstr);
      if (saved_errno == ETIMEDOUT || why.ends_with(Lowered(std::strerror(ETIMEDOUT)))) {
        why += " (connect timeout " + Milliseconds(options.connect_timeout) + ")";
      }
      Fail(why);
    }
    if (options.command_timeout.count() > 0 &&
        redisSetTimeout(context_, ToTimeval(options.command_timeout)) != REDIS_OK) {
      Fail("cannot set the command timeout: " + Lowered(context_->errstr));
    }
    if (redisEnableKeepAlive(context_) != REDIS_OK) {
      Fail("cannot turn on TCP keepalive: " + Lowered(context_->errstr));
    }

    if (!url.password.empty()) {
      // The password is never part of a message, ours or the server's.
      const RedisReply auth = url.user.empty() ? Command({"AUTH", url.password})
                                               : Command({"AUTH", url.user, url.password});
      if (auth.is_error()) {
        Fail("authentication failed for user '" + (url.user.empty() ? "default" : url.user) +
             "': " + std::string(auth.str()));
      }
    }
    // SELECT; or, when there was no AUTH either, a PING: a server that wants
    // a password, or refuses us for another reason, says so now rather than
    // at the first command.
    if (url.db != 0 || url.password.empty()) {
      const std::string db = std::to_string(url.db);
      const std::string what = url.db != 0 ? "SELECT " + db : "PING";
      const RedisReply reply = url.db != 0 ? Command({"SELECT", db}) : Command({"PING"});
      if (reply.is_error()) {
        const std::string_view error = reply.str();
        Fail(what + " failed: " + std::string(error) +
             (error.starts_with("NOAUTH") ? " (the URL has no password)" : ""));
      }
    }
  } catch (...) {
    Close();
    throw;
  }
}

RedisClient::~RedisClient() {
  Close();
}

RedisClient::RedisClient(RedisClient&& other) noexcept
    : context_(std::exchange(other.context_, nullptr)),
      address_(std::move(other.address_)),
      options_(other.options_),
      out_(std::move(other.out_)),
      pending_(std::exchange(other.pending_, 0)),
      failure_(std::move(other.failure_)) {}

RedisClient& RedisClient::operator=(RedisClient&& other) noexcept {
  if (this != &other) {
    Close();
    context_ = std::exchange(other.context_, nullptr);
    address_ = std::move(other.address_);
    options_ = other.options_;
    out_ = std::move(other.out_);
    pending_ = std::exchange(other.pending_, 0);
    failure_ = std::move(other.failure_);
  }
  return *this;
}

void RedisClient::Close() {
  if (context_ != nullptr) redisFree(context_);
  context_ = nullptr;
  out_.clear();
  pending_ = 0;
}

int RedisClient::fd() const {
  return context_ != nullptr ? context_->fd : -1;
}

void RedisClient::RequireOk() const {
  if (context_ != nullptr) return;
  if (failure_.empty()) throw RedisError("redis client used after it was moved from");
  throw RedisError(failure_ + " (earlier; this client is closed, build a new one)");
}

void RedisClient::Fail(const std::string& why) {
  failure_ = "redis " + address_ + ": " + why;
  Close();
  throw RedisError(failure_);
}

void RedisClient::FailFromContext(int saved_errno) {
  const std::string text = context_->errstr;
  switch (context_->err) {
    case REDIS_ERR_EOF: Fail("connection lost: the server closed the connection");
    case REDIS_ERR_IO:
      if (saved_errno == EAGAIN || saved_errno == EWOULDBLOCK) {
        Fail("no reply within " + Milliseconds(options_.command_timeout) + " (command timeout)");
      }
      if (saved_errno == ECONNRESET || saved_errno == EPIPE) {
        Fail("connection lost: " + Lowered(text));
      }
      Fail("reading a reply: " + Lowered(text));
    case REDIS_ERR_PROTOCOL:  // "Protocol error, got "H" as reply type byte"
      Fail(Lowered(text) + " (is that a Redis server?)");
    case REDIS_ERR_OOM: Fail("out of memory reading a reply");
    default: Fail("reading a reply: " + Lowered(text));
  }
}

RedisReply RedisClient::Command(std::span<const std::string_view> argv) {
  RequireOk();
  if (pending_ != 0) {
    throw std::logic_error("RedisClient::Command with " + std::to_string(pending_) +
                           " pipelined replies unread");
  }
  Append(argv);
  return ReadReply();
}

void RedisClient::Append(std::span<const std::string_view> argv) {
  RequireOk();
  if (argv.empty()) throw std::invalid_argument("RedisClient: an empty command");
  Encode(out_, argv);
  ++pending_;
  if (out_.size() >= kFlushBytes) Flush();
}

// send(MSG_NOSIGNAL) rather than hiredis's write(): see the header.
void RedisClient::Flush() {
  RequireOk();
  std::size_t sent = 0;
  while (sent < out_.size()) {
    const ssize_t n = ::send(context_->fd, out_.data() + sent, out_.size() - sent, MSG_NOSIGNAL);
    if (n >= 0) {
      sent += static_cast<std::size_t>(n);
      continue;
    }
    const int e = errno;
    if (e == EINTR) continue;
    if (e == EAGAIN || e == EWOULDBLOCK) {
      Fail("cannot send commands within " + Milliseconds(options_.command_timeout) +
           " (command timeout)");
    }
    if (e == EPIPE) Fail("connection lost: the server closed the connection");
    if (e == ECONNRESET) Fail("connection lost: " + Lowered(std::strerror(e)));
    Fail("sending commands: " + Lowered(std::strerror(e)));
  }
  out_.clear();
}

RedisReply RedisClient::ReadOne() {
  void* reply = nullptr;
  // The context's output buffer is always empty (we send), so hiredis only reads.
  if (redisGetReply(context_, &reply) != REDIS_OK) FailFromContext(errno);
  --pending_;
  return RedisReply(static_cast<redisReply*>(reply));
}

RedisReply RedisClient::ReadReply() {
  RequireOk();
  if (pending_ == 0) throw std::logic_error("RedisClient::ReadReply with no command pending");
  if (!out_.empty()) Flush();
  return ReadOne();
}

void RedisClient::ReadReplies(std::vector<RedisReply>& out) {
  RequireOk();
  out.clear();
  if (!out_.empty()) Flush();
  out.reserve(pending_);
  while (pending_ > 0)
    out.push_back(ReadOne());
}

bool RedisClient::TryReadReply(RedisReply& out) {
  RequireOk();
  if (pending_ == 0) throw std::logic_error("RedisClient::TryReadReply with no command pending");
  if (!out_.empty()) Flush();
  void* reply = nullptr;
  if (redisGetReplyFromReader(context_, &reply) != REDIS_OK) FailFromContext(errno);
  if (reply == nullptr) {
    pollfd p{context_->fd, POLLIN, 0};
    if (::poll(&p, 1, 0) <= 0) return false;  // nothing yet (or EINTR: try again later)
    if (redisBufferRead(context_) != REDIS_OK) FailFromContext(errno);
    if (redisGetReplyFromReader(context_, &reply) != REDIS_OK) FailFromContext(errno);
    if (reply == nullptr) return false;
  }
  --pending_;
  out = RedisReply(static_cast<redisReply*>(reply));
  return true;
}

}  // namespace exchange::redis
