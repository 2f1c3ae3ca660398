// ClientSession: one FIX session of the `exchange-bench fix` client. The
// sender thread sends orders, the receiver thread answers TestRequests (the
// outgoing side is guarded by a mutex); the incoming buffer is the receiver
// thread's.
#pragma once

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>

#include "bench/fix/options.h"
#include "gateway/fix_writer.h"

namespace exchange::bench::fix_bench {

// One FIX session of the client: its socket (non-blocking after the connect),
// its outgoing sequence numbers and the bytes the socket did not take yet
// (both guarded by a mutex: the sender thread sends orders, the receiver
// thread answers TestRequests), and its incoming buffer (receiver thread).
class ClientSession {
 public:
  ClientSession(std::size_t index, std::uint32_t account)
      : index_(index),
        account_(account),
        comp_id_("BENCH" + std::to_string(index + 1)),
        password_("pw-" + std::to_string(index + 1)) {}
  ~ClientSession() { Close(); }
  ClientSession(const ClientSession&) = delete;
  ClientSession& operator=(const ClientSession&) = delete;

  std::size_t index() const { return index_; }
  std::uint32_t account() const { return account_; }
  const std::string& comp_id() const { return comp_id_; }
  const std::string& password() const { return password_; }
  int fd() const { return fd_; }

  void Connect(std::uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) throw std::runtime_error("socket: " + std::string(std::strerror(errno)));
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      const int error = errno;
      Close();
      throw std::runtime_error("session " + comp_id_ + ": cannot connect to the gateway on port " +
                               std::to_string(port) + ": " + std::strerror(error));
    }
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) | O_NONBLOCK);
  }
  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  // Builds a message with the next MsgSeqNum (add(writer) adds the body) and
  // writes it, or queues what the socket does not take. Any thread; throws
  // when the connection failed.
  template <typename AddBody>
  void Send(std::string_view type, std::int64_t wall_ns, AddBody add) {
    std::lock_guard lock(mutex_);
    writer_.Start(type, comp_id_, kGatewayCompId, next_seq_++, wall_ns);
    add(writer_);
    const std::string_view bytes = writer_.Finish();
    if (pending_start_ == pending_.size()) {
      const std::size_t n = WriteSome(bytes);
      if (n == bytes.size()) return;
      pending_.assign(bytes.substr(n));
      pending_start_ = 0;
    } else {
      pending_.append(bytes);
      FlushLocked();
    }
    pending_bytes_.store(pending_.size() - pending_start_, std::memory_order_relaxed);
  }
  // Builds a message like Send() but only queues it: Flush() writes it.
  template <typename AddBody>
  void Queue(std::string_view type, std::int64_t wall_ns, AddBody add) {
    std::lock_guard lock(mutex_);
    writer_.Start(type, comp_id_, kGatewayCompId, next_seq_++, wall_ns);
    add(writer_);
    pending_.append(writer_.Finish());
  }
  // Writes what it can of the queued bytes. Any thread.
  void Flush() {
    std::lock_guard lock(mutex_);
    FlushLocked();
    pending_bytes_.store(pending_.size() - pending_start_, std::memory_order_relaxed);
  }
  // Bytes queued because the socket was full (a hint: no lock).
  std::size_t pending_bytes() const { return pending_bytes_.load(std::memory_order_relaxed); }

  // Receiver thread only.
  std::string input;
  std::size_t input_start = 0;
  std::string logout_text;  // the gateway's Logout(35=5) Text(58), if it sent one

  std::atomic<bool> logged_on{false};

 private:
  // Writes what the socket takes now; returns how much.
  std::size_t WriteSome(std::string_view bytes) {
    std::size_t done = 0;
    while (done < bytes.size()) {
      const ssize_t n =
          ::send(fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n > 0) {
        done += static_cast<std::size_t>(n);
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
      throw std::runtime_error("session " + comp_id_ + ": writing to the gateway failed: " +
                               (n < 0 ? std::strerror(errno) : "connection closed"));
    }
    return done;
  }
  void FlushLocked() {
    if (pending_start_ < pending_.size()) {
      pending_start_ += WriteSome(std::string_view(pending_).substr(pending_start_));
    }
    if (pending_start_ == pending_.size()) {
      pending_.clear();
      pending_start_ = 0;
    } else if (pending_start_ > (1u << 20) && pending_start_ > pending_.size() / 2) {
      pending_.erase(0, pending_start_);
      pending_start_ = 0;
    }
  }

  const std::size_t index_;
  const std::uint32_t account_;
  const std::string comp_id_, password_;
  int fd_ = -1;
  std::mutex mutex_;
  fix::FixWriter writer_;       // guarded by mutex_
  std::uint64_t next_seq_ = 1;  // guarded by mutex_
  std::string pending_;         // guarded by mutex_
  std::size_t pending_start_ = 0;
  std::atomic<std::size_t> pending_bytes_{0};
};

}  // namespace exchange::bench::fix_bench
