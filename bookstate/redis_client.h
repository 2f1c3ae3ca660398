// RedisClient: one synchronous connection to Redis or KeyDB, over hiredis.
// Single commands are one round trip each (Command); pipelines buffer any number
// of commands (Append) and read their replies in order (ReadReply,
// ReadReplies), which is how the book-state writer sends its batches (MULTI ...
// EXEC included). Every argument goes with its length: binary-safe.
//
// Errors: a Redis error reply (WRONGTYPE, EXECABORT, ...) is a RedisReply with
// is_error(); it leaves the connection usable. A connection-level failure
// (refused, timeout, connection lost, protocol error, authentication) throws
// RedisError naming the server's address, never the password; the client is
// then broken for good (ok() is false) and the caller builds a new one.
//
// Commands are written with send(MSG_NOSIGNAL), never hiredis's write(): a
// pipeline flushed into a connection the server has closed would otherwise
// raise SIGPIPE and kill the whole process. hiredis reads and parses replies.
//
// Owned by whoever builds it (the book-state writer thread, each reader). A
// hiredis context is not thread-safe: a RedisClient belongs to one thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <initializer_list>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

struct redisContext;
struct redisReply;

namespace exchange::redis {

// Connection-level failures only; never a Redis error reply.
class RedisError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct RedisUrl {
  std::string host = "127.0.0.1";
  int port = 6379;
  std::string user;      // empty: legacy one-argument AUTH (Redis's "default" user)
  std::string password;  // empty: no AUTH
  int db = 0;
};

// redis://[user[:password]@]host[:port][/db], user and password
// percent-decoded; an IPv6 host goes in brackets. Defaults: 127.0.0.1, 6379,
// db 0. Throws RedisError saying what is wrong (the password masked).
RedisUrl ParseRedisUrl(std::string_view url);

// "host:port/db" for messages and logs: no user, no password.
std::string Describe(const RedisUrl& url);

// A non-owning view of a reply or of an element of one; valid while the
// RedisReply it comes from lives.
class RedisReplyView {
 public:
  explicit RedisReplyView(const redisReply* reply) : r_(reply) {}

  bool is_error() const;
  bool is_nil() const;
  bool is_string() const;  // a bulk string or a status (+OK, +QUEUED)
  bool is_integer() const;
  bool is_array() const;
  // The bytes of a string, status or error; empty for other types.
  std::string_view str() const;
  // The value of an integer reply; 0 for other types.
  long long integer() const;
  // The number of elements of an array; 0 for other types.
  std::size_t size() const;
  // Element i of an array; throws std::out_of_range past size().
  RedisReplyView element(std::size_t i) const;

 private:
  const redisReply* r_;
};

// Owns one reply (freeReplyObject). Move-only; a moved-from or
// default-constructed RedisReply holds nothing and must not be inspected.
class RedisReply {
 public:
  RedisReply() = default;
  explicit RedisReply(redisReply* reply) : r_(reply) {}
  ~RedisReply();
  RedisReply(RedisReply&& other) noexcept : r_(other.r_) { other.r_ = nullptr; }
  RedisReply& operator=(RedisReply&& other) noexcept;
  RedisReply(const RedisReply&) = delete;
  RedisReply& operator=(const RedisReply&) = delete;

  RedisReplyView view() const { return RedisReplyView(r_); }
  bool is_error() const { return view().is_error(); }
  bool is_nil() const { return view().is_nil(); }
  bool is_string() const { return view().is_string(); }
  bool is_integer() const { return view().is_integer(); }
  bool is_array() const { return view().is_array(); }
  std::string_view str() const { return view().str(); }
  long long integer() const { return view().integer(); }
  std::size_t size() const { return view().size(); }
  RedisReplyView element(std::size_t i) const { return view().element(i); }

 private:
  redisReply* r_ = nullptr;
};

struct RedisOptions {
  std::chrono::milliseconds connect_timeout{2000};  // zero: none
  // For each wait on the socket while writing commands or reading a reply
  // (SO_SNDTIMEO/SO_RCVTIMEO); zero: none.
  std::chrono::milliseconds command_timeout{5000};
};

class RedisClient {
 public:
  using Options = RedisOptions;

  // Connects, turns on TCP keepalive, sends AUTH (user password, or password
  // alone when the URL has no user) when the URL has a password and SELECT
  // when its db is not 0, or else a PING, so that a server that refuses us
  // says so here. Throws RedisError.
  explicit RedisClient(const RedisUrl& url, const Options& options = {});
  ~RedisClient();
  RedisClient(RedisClient&& other) noexcept;
  RedisClient& operator=(RedisClient&& other) noexcept;
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  // One command, one round trip. Not while pipelined replies are unread
  // (std::logic_error). Throws RedisError on connection failures.
  RedisReply Command(std::initializer_list<std::string_view> argv) {
    return Command(std::span<const std::string_view>(argv.begin(), argv.size()));
  }
  RedisReply Command(std::span<const std::string_view> argv);

  // --- pipelining ---
  // Buffers a command; sends the buffer once it holds 64 KiB (which may throw
  // RedisError), else nothing reaches the server before Flush() or a read.
  void Append(std::initializer_list<std::string_view> argv) {
    Append(std::span<const std::string_view>(argv.begin(), argv.size()));
  }
  void Append(std::span<const std::string_view> argv);
  // Sends whatever is buffered. Throws RedisError.
  void Flush();
  // Commands appended whose replies are not read yet.
  std::size_t pending() const { return pending_; }
  // Flushes, then reads the next pending reply (std::logic_error when none).
  RedisReply ReadReply();
  // Flushes, then reads exactly pending() replies, in order, into `out`
  // (cleared first; keep reusing it to keep its capacity).
  void ReadReplies(std::vector<RedisReply>& out);
  // Flushes, then the next pending reply if it has fully arrived, without
  // waiting (what the socket holds is read once when nothing complete is
  // buffered): false when it has not arrived yet, and then poll() on fd()
  // says when more has. std::logic_error when nothing is pending; RedisError
  // as ReadReply.
  bool TryReadReply(RedisReply& out);

  // False once a connection-level failure has been thrown (the socket is
  // then closed) and when moved from: the caller builds a new client.
  bool ok() const { return context_ != nullptr; }
  // The socket, for poll(); -1 when not ok().
  int fd() const;
  // host:port/db, as in the messages.
  const std::string& address() const { return address_; }

 private:
  void RequireOk() const;
  RedisReply ReadOne();
  // Closes the connection, remembers why and throws RedisError
  // "redis ADDRESS: why".
  [[noreturn]] void Fail(const std::string& why);
  // Fail() with what the hiredis context says went wrong.
  [[noreturn]] void FailFromContext(int saved_errno);
  void Close();

  redisContext* context_ = nullptr;
  std::string address_;
  Options options_;
  std::string out_;  // encoded commands not sent yet (capacity kept)
  std::size_t pending_ = 0;
  std::string failure_;  // the connection-level failure that closed it, if one did
};

}  // namespace exchange::redis
