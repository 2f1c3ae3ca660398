// FixTestClient: a minimal FIX 4.4 initiator for the gateway's integration
// tests, built on the gateway's own codec: blocking TCP, its own outgoing
// sequence numbers, and reads with a deadline. It checks nothing itself; the
// tests assert on the parsed messages it returns.
//
// One test thread.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "gateway/fix_message.h"
#include "gateway/fix_tags.h"
#include "gateway/fix_writer.h"

namespace exchange::testing {

using FixFields = std::map<int, std::string>;

inline std::int64_t WallNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class FixTestClient {
 public:
  FixTestClient(std::string sender, std::string target)
      : sender_(std::move(sender)), target_(std::move(target)) {}
  ~FixTestClient() { Close(); }

  // Connects to 127.0.0.1:port; false when refused.
  bool Connect(std::uint16_t port) {
    Close();
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      Close();
      return false;
    }
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    input_.clear();
    return true;
  }
  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  // Sends a message with the next sequence number (or `seq` when given).
  void Send(std::string_view type, const std::vector<std::pair<int, std::string>>& body,
            std::optional<std::uint64_t> seq = std::nullopt) {
    fix::FixWriter w;
    w.Start(type, sender_, target_, seq ? *seq : next_seq_++, WallNs());
    for (const auto& [tag, value] : body)
      w.Add(tag, value);
    SendRaw(w.Finish());
  }
  void SendRaw(std::string_view bytes) {
    std::size_t done = 0;
    while (done < bytes.size()) {
      const ssize_t n = ::send(fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
      if (n <= 0) throw std::runtime_error("FixTestClient: send failed");
      done += static_cast<std::size_t>(n);
    }
  }

  void Logon(const std::string& password, bool reset = false, int heartbeat = 30) {
    std::vector<std::pair<int, std::string>> body = {
        {98, "0"},
        {fix::tag::kHeartBtInt, std::to_string(heartbeat)},
        {fix::tag::kPassword, password}};
    if (reset) {
      body.push_back({fix::tag::kResetSeqNumFlag, "Y"});
      next_seq_ = 1;
    }
    Send(fix::msg::kLogon, body);
  }

  // The next message, or nullopt when none comes before the timeout or the
  // connection closes (closed() tells which).
  std::optional<FixFields> Receive(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      const fix::Frame frame = fix::FrameMessage(input_);
      if (frame.status == fix::FrameStatus::kComplete) {
        fix::FixMessage m;
        const std::string bytes = input_.substr(0, frame.length);
        input_.erase(0, frame.length);
        if (auto e = m.Parse(bytes)) throw std::runtime_error("unparsable reply: " + e->text);
        FixFields fields;
        for (const fix::Field& f : m)
          fields.emplace(f.tag, std::string(f.value));
        return fields;
      }
      if (frame.status == fix::FrameStatus::kGarbled) {
        throw std::runtime_error("garbled reply: " + frame.error);
      }
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0 || fd_ < 0) return std::nullopt;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
      char buffer[65536];
      const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n <= 0) {
        Close();
        closed_by_peer_ = true;
        return std::nullopt;
      }
      input_.append(buffer, static_cast<std::size_t>(n));
    }
  }

  // Reads until a message satisfies `match` (heartbeats and others are
  // kept in skipped()); nullopt on timeout or close.
  std::optional<FixFields> WaitFor(const std::function<bool(const FixFields&)>& match,
                                   std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return std::nullopt;
      auto m = Receive(left);
      if (!m) return std::nullopt;
      if (match(*m)) return m;
      skipped_.push_back(std::move(*m));
    }
  }
  std::optional<FixFields> WaitForType(
      std::string_view type, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    return WaitFor([&](const FixFields& f) { return f.at(fix::tag::kMsgType) == type; }, timeout);
  }
  // The next ExecutionReport for ClOrdID `id` with ExecType `exec_type`.
  std::optional<FixFields> WaitForReport(
      const std::string& id, char exec_type,
      std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    return WaitFor(
        [&](const FixFields& f) {
          return f.at(fix::tag::kMsgType) == "8" && f.count(fix::tag::kClOrdID) &&
                 f.at(fix::tag::kClOrdID) == id && f.at(fix::tag::kExecType)[0] == exec_type;
        },
        timeout);
  }

  bool closed_by_peer() const { return closed_by_peer_; }
  std::uint64_t next_seq() const { return next_seq_; }
  void set_next_seq(std::uint64_t s) { next_seq_ = s; }
  const std::vector<FixFields>& skipped() const { return skipped_; }

 private:
  std::string sender_, target_;
  int fd_ = -1;
  std::uint64_t next_seq_ = 1;
  std::string input_;
  bool closed_by_peer_ = false;
  std::vector<FixFields> skipped_;
};

}  // namespace exchange::testing
