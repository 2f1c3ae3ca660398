// Receiver: the receiving thread of the `exchange-bench fix` client; the
// run's thread starts, polls and stops it, and reads its figures after Stop().
#pragma once

#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "bench/bench_clock.h"
#include "bench/fix/client_session.h"
#include "bench/fix/options.h"
#include "gateway/fix_message.h"

namespace exchange::bench::fix_bench {

// The receiver thread: reads every session (epoll), frames and parses, and
// records for order k (ClOrdID k) the receipt of its first ExecutionReport
// with ExecType New or Rejected, with that report's TransactTime and
// SendingTime.
class Receiver {
 public:
  Receiver(std::vector<std::unique_ptr<ClientSession>>& sessions, std::size_t orders)
      : sessions_(sessions),
        receipt_(orders, 0),
        transact_(orders, 0),
        sending_(orders, 0),
        first_type_(orders, 0) {
    epoll_ = ::epoll_create1(EPOLL_CLOEXEC);
    if (epoll_ < 0) throw std::runtime_error("epoll_create1: " + std::string(strerror(errno)));
    for (auto& s : sessions_) {
      epoll_event ev{};
      ev.events = EPOLLIN;
      ev.data.u64 = s->index();
      if (::epoll_ctl(epoll_, EPOLL_CTL_ADD, s->fd(), &ev) != 0) {
        ::close(epoll_);
        throw std::runtime_error("epoll_ctl: " + std::string(strerror(errno)));
      }
    }
    thread_ = std::thread([this] { Loop(); });
  }
  ~Receiver() { Stop(); }
  Receiver(const Receiver&) = delete;
  Receiver& operator=(const Receiver&) = delete;

  void Stop() {
    stop_.store(true);
    if (thread_.joinable()) thread_.join();
    if (epoll_ >= 0) ::close(epoll_);
    epoll_ = -1;
  }
  // Throws when the thread failed (a session closed, logged out, garbled…).
  void Check() const {
    if (failed_.load()) throw std::runtime_error(error_);
  }

  std::uint64_t answered() const { return answered_.load(std::memory_order_relaxed); }
  // 0: the probe is not answered yet; '0' New; '8' Rejected.
  char probe() const { return probe_.load(); }
  std::string probe_text() const {
    std::lock_guard lock(text_mutex_);
    return probe_text_;
  }

  // After Stop().
  const std::vector<std::int64_t>& receipt() const { return receipt_; }
  const std::vector<std::int64_t>& transact_time() const { return transact_; }
  const std::vector<std::int64_t>& sending_time() const { return sending_; }
  // The ExecType(150) of each order's first report (0: none).
  const std::vector<char>& first_type() const { return first_type_; }
  std::uint64_t news() const { return news_; }
  std::uint64_t rejects() const { return rejects_; }
  std::uint64_t fills() const { return fills_; }
  std::uint64_t cancels() const { return cancels_; }
  std::uint64_t other_reports() const { return other_reports_; }
  std::uint64_t session_rejects() const { return session_rejects_; }
  std::uint64_t test_requests() const { return test_requests_; }
  std::uint64_t messages() const { return messages_; }
  std::uint64_t reads() const { return reads_; }
  const std::string& first_error_text() const { return first_error_text_; }

 private:
  void Loop() {
    try {
      epoll_event events[64];
      char buffer[1 << 16];
      while (!stop_.load(std::memory_order_relaxed)) {
        const int n = ::epoll_wait(epoll_, events, 64, 10);
        if (n < 0) {
          if (errno == EINTR) continue;
          throw std::runtime_error("epoll_wait: " + std::string(strerror(errno)));
        }
        for (int i = 0; i < n; ++i) {
          ClientSession& s = *sessions_[events[i].data.u64];
          for (;;) {
            const ssize_t got = ::recv(s.fd(), buffer, sizeof buffer, MSG_DONTWAIT);
            if (got > 0) {
              const std::int64_t now = NowNs();
              ++reads_;
              s.input.append(buffer, static_cast<std::size_t>(got));
              Frame(s, now);
              if (static_cast<std::size_t>(got) < sizeof buffer) break;
              continue;
            }
            if (got < 0 && errno == EINTR) continue;
            if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
            std::string what = "the gateway closed session " + s.comp_id() + "'s connection";
            if (got < 0) what = "reading session " + s.comp_id() + ": " + strerror(errno);
            if (!s.logout_text.empty()) what += " after a Logout: " + s.logout_text;
            throw std::runtime_error(what);
          }
        }
      }
    } catch (const std::exception& e) {
      error_ = e.what();
      failed_.store(true);
    }
  }

  void Frame(ClientSession& s, std::int64_t now) {
    while (s.input_start < s.input.size()) {
      const std::string_view rest(s.input.data() + s.input_start, s.input.size() - s.input_start);
      const fix::Frame frame = fix::FrameMessage(rest);
      if (frame.status == fix::FrameStatus::kIncomplete) break;
      if (frame.status == fix::FrameStatus::kGarbled) {
        throw std::runtime_error("session " + s.comp_id() +
                                 ": garbled message from the gateway: " + frame.error);
      }
      const std::string_view bytes = rest.substr(0, frame.length);
      s.input_start += frame.length;
      if (const auto error = message_.Parse(bytes)) {
        throw std::runtime_error("session " + s.comp_id() + ": unparsable message (" + error->text +
                                 "): " + fix::Printable(bytes));
      }
      ++messages_;
      Handle(s, message_, now);
    }
    if (s.input_start == s.input.size()) {
      s.input.clear();
      s.input_start = 0;
    } else if (s.input_start > (1u << 16)) {
      s.input.erase(0, s.input_start);
      s.input_start = 0;
    }
  }

  static std::int64_t FixTime(const fix::FixMessage& m, int t) {
    const auto ns = fix::ParseUtcTimestamp(m.Get(t));
    return ns ? *ns : 0;
  }

  void NoteError(std::string_view what, const fix::FixMessage& m) {
    if (first_error_text_.empty()) {
      first_error_text_ = std::string(what) + ": " + fix::Printable(m.raw());
    }
  }

  void Handle(ClientSession& s, const fix::FixMessage& m, std::int64_t now) {
    const std::string_view type = m.msg_type();
    if (type == msg::kExecutionReport) {
      const std::string_view exec = m.Get(tag::kExecType);
      const char e = exec.size() == 1 ? exec[0] : '?';
      switch (e) {
        case '0': ++news_; break;
        case '8':
          ++rejects_;
          NoteError("order rejected", m);
          break;
        case 'F': ++fills_; break;
        case '4': ++cancels_; break;
        default: ++other_reports_; break;
      }
      // The order's first report answers it, whatever its ExecType: the
      // gateway may report a fill before (or without) the New.
      const std::string_view id = m.Get(tag::kClOrdID);
      if (id == kProbeId) {
        if (probe_.load() != 0) return;
        {
          std::lock_guard lock(text_mutex_);
          probe_text_ = std::string(m.Get(tag::kText));
        }
        probe_.store(e);
        return;
      }
      std::uint64_t k = 0;
      const auto [end, ec] = std::from_chars(id.data(), id.data() + id.size(), k);
      if (ec != std::errc() || end != id.data() + id.size() || k >= receipt_.size()) {
        NoteError("report for an unknown ClOrdID", m);
        return;
      }
      if (receipt_[k] != 0) return;
      receipt_[k] = now;
      transact_[k] = FixTime(m, tag::kTransactTime);
      sending_[k] = FixTime(m, tag::kSendingTime);
      first_type_[k] = e;
      answered_.fetch_add(1, std::memory_order_relaxed);
    } else if (type == msg::kTestRequest) {
      ++test_requests_;
      const std::string id(m.Get(tag::kTestReqID));
      s.Send(msg::kHeartbeat, WallNs(), [&](fix::FixWriter& w) { w.Add(tag::kTestReqID, id); });
    } else if (type == msg::kLogon) {
      s.logged_on.store(true);
    } else if (type == msg::kLogout) {
      s.logout_text = m.Has(tag::kText) ? std::string(m.Get(tag::kText)) : "(no Text)";
    } else if (type == msg::kReject || type == msg::kBusinessMessageReject) {
      ++session_rejects_;
      NoteError(type == msg::kReject ? "session Reject(35=3)" : "BusinessMessageReject(35=j)", m);
    } else if (type == msg::kResendRequest) {
      throw std::runtime_error(
          "session " + s.comp_id() +
          ": the gateway asked for a resend (a sequence gap): " + fix::Printable(m.raw()));
    }
    // Heartbeats and anything else: nothing to do.
  }

  std::vector<std::unique_ptr<ClientSession>>& sessions_;
  int epoll_ = -1;
  std::vector<std::int64_t> receipt_, transact_, sending_;
  std::vector<char> first_type_;  // ExecType of each order's first report
  fix::FixMessage message_;
  std::uint64_t news_ = 0, rejects_ = 0, fills_ = 0, cancels_ = 0, other_reports_ = 0;
  std::uint64_t session_rejects_ = 0, test_requests_ = 0, messages_ = 0, reads_ = 0;
  std::string first_error_text_;
  std::atomic<std::uint64_t> answered_{0};
  std::atomic<char> probe_{0};
  mutable std::mutex text_mutex_;
  std::string probe_text_;  // guarded by text_mutex_
  std::atomic<bool> stop_{false}, failed_{false};
  std::string error_;  // written before failed_ is set
  std::thread thread_;
};

}  // namespace exchange::bench::fix_bench
