// FixConnection: one accepted TCP connection of the FIX gateway. Reads bytes,
// frames and parses messages, hands the first (the Logon) to FixServer to
// find its session and then every message to that session; writes what the
// session sends, in order, with one write in flight and the rest gathered.
// A write starts at the end of the I/O thread's round (posted), so all the
// reports one round produces for a session (a batch of events) leave in one
// send.
//
// Shared-owned by its pending asynchronous operations; I/O thread only.
#pragma once

#include <boost/asio.hpp>
#include <cstdint>
#include <memory>
#include <string>

#include "gateway/fix_message.h"
#include "gateway/fix_session.h"

namespace exchange::fix {

class FixServer;

class FixConnection : public SessionHost, public std::enable_shared_from_this<FixConnection> {
 public:
  FixConnection(boost::asio::ip::tcp::socket socket, FixServer& server);
  ~FixConnection() override;

  void Start();
  // Called by the server's timer: the logon deadline.
  void OnTimer(std::int64_t now_ns);
  // Ends the connection now (the server is stopping).
  void Close(std::string_view reason);

  // SessionHost
  void Send(std::string_view message) override;
  void Disconnect(std::string_view reason) override;

  bool closed() const { return closed_; }

 private:
  void Read();
  void OnBytes(std::int64_t now_ns);
  bool OnFrame(std::string_view frame, std::int64_t now_ns);  // false: stop reading
  bool OnFirstMessage(const FixMessage& m, std::int64_t now_ns);
  void RefuseLogon(const FixMessage& m, std::string_view text);
  void Write();
  bool CountMessage(std::int64_t now_ns);  // false: above the rate limit

  boost::asio::ip::tcp::socket socket_;
  FixServer& server_;
  std::string peer_;
  FixSession* session_ = nullptr;
  std::int64_t logon_deadline_ns_ = 0;
  std::string input_;  // received, not yet framed
  std::size_t input_start_ = 0;
  std::string pending_;  // to write after the write in flight
  std::string writing_;  // the write in flight
  bool write_in_flight_ = false;
  bool write_posted_ = false;  // a Write() is posted for the end of this round
  bool closing_ = false;       // close once the output is written
  bool closed_ = false;
  std::int64_t rate_window_start_ns_ = 0;
  std::uint64_t rate_window_count_ = 0;
  FixMessage message_;  // parsed in place, reused (its field table is large)
};

}  // namespace exchange::fix
