// FixServer: the gateway's TCP side. Listens for FIX clients, owns the
// configured sessions (each with its SessionStore under data_dir), and for
// every connection frames and parses the byte stream, attaches the
// connection to its session on Logon, and drives the sessions' timers.
//
// Protection of the gateway and of the other sessions: a connection must log
// on within logon_timeout_ms; garbage before the Logon, an unknown CompID
// pair, a second connection for a session already logged on, more than
// max_messages_per_second, or more than max_output_bytes of unsent replies
// (a client that does not read) ends that connection only. A peer that
// disconnects mid-message loses only its unfinished message.
//
// Everything here runs on the I/O thread (the io_context's one thread).
#pragma once

#include <boost/asio.hpp>
#include <cstdint>
#include <list>
#include <memory>
#include <string>
#include <vector>

#include "gateway/fix_session.h"
#include "gateway/gateway_config.h"

namespace exchange::fix {

class FixConnection;

class FixServer {
 public:
  // Opens the session stores (throws SessionStoreError) and binds the
  // listening socket (throws std::runtime_error naming the address).
  FixServer(boost::asio::io_context& io, const GatewayConfig& config,
            SessionApplication& application);
  ~FixServer();

  void Start();
  // Closes the listener and every connection (clients log on again and
  // recover by sequence numbers).
  void Stop();

  std::uint16_t port() const;
  const std::vector<std::unique_ptr<FixSession>>& sessions() const { return sessions_; }

  // For FixConnection: the session a Logon's CompIDs name; nullptr if none.
  FixSession* FindSession(std::string_view client_comp_id, std::string_view gateway_comp_id);
  // The session configured under `name` (SessionConfig::name); nullptr when none.
  FixSession* SessionNamed(std::string_view name);
  const GatewayConfig& config() const { return config_; }
  // Writes every session store's buffered records (SessionStore::Flush):
  // called before anything leaves the process, a socket write or a round's
  // commands to the publisher.
  void FlushStores();

 private:
  void Accept();
  void ScheduleTimer();
  void OnTimer();

  boost::asio::io_context& io_;
  const GatewayConfig& config_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer timer_;
  std::vector<std::unique_ptr<SessionStore>> stores_;
  std::vector<std::unique_ptr<FixSession>> sessions_;
  std::list<std::weak_ptr<FixConnection>> connections_;
  bool stopped_ = false;
};

// Nanoseconds since the Unix epoch (the wall clock, as FIX timestamps are).
std::int64_t WallClockNs();

}  // namespace exchange::fix
