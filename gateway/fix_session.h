// FixSession: the FIX 4.4 session layer of one configured session (a pair of
// CompIDs), acceptor side. Logon with password, heartbeats and test requests
// at the negotiated HeartBtInt, MsgSeqNum checking, ResendRequest in both
// directions, SequenceReset (gap fill and reset), ResetSeqNumFlag, Logout.
// Application messages go to the SessionHost in sequence order, each once.
//
// No I/O and no clock of its own: bytes go out through the host, time comes
// in as arguments, so every rule is unit-testable. The session outlives its
// TCP connections: Attach() on logon, Detach() when the connection goes.
// Application messages sent while no connection is attached are stored and
// reach the client through its ResendRequest after the next logon, as FIX
// prescribes.
//
// Owned by the gateway's SessionDirectory; used on the I/O thread only.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "gateway/fix_message.h"
#include "gateway/fix_writer.h"
#include "gateway/session_store.h"

namespace exchange::fix {

struct SessionConfig {
  std::string name;            // for logs and the store file name
  std::string client_comp_id;  // the client's SenderCompID(49)
  std::string gateway_comp_id; // the client's TargetCompID(56): ours
  std::string password;        // Password(554) the Logon must carry
  std::uint32_t account = 0;   // the engine account this session trades for
  int max_heartbeat_seconds = 300;  // a Logon asking for more is refused
  std::int64_t max_clock_skew_ns = 120'000'000'000;  // SendingTime(52) accuracy
  std::int64_t logout_timeout_ns = 2'000'000'000;    // wait for the peer's Logout
};

// What a FixSession needs from the connection it is attached to.
class SessionHost {
 public:
  virtual ~SessionHost() = default;
  // Bytes of one whole message to write to the peer, in order.
  virtual void Send(std::string_view message) = 0;
  // Close the connection once what was sent has been written. The session
  // has already been detached when this is called.
  virtual void Disconnect(std::string_view reason) = 0;
};

// What a FixSession delivers upwards (the gateway's order router).
class SessionApplication {
 public:
  virtual ~SessionApplication() = default;
  // An in-sequence application message (not a duplicate). It is valid only
  // during the call.
  virtual void OnApplicationMessage(class FixSession& session, const FixMessage& message,
                                    std::int64_t now_ns) = 0;
  virtual void OnLogon(class FixSession& /*session*/) {}
  virtual void OnLogout(class FixSession& /*session*/) {}
};

class FixSession {
 public:
  enum class State {
    kDisconnected,
    kAwaitingLogon,  // attached, Logon not yet processed
    kLoggedOn,
    kLoggingOut,     // we sent Logout, waiting for the peer's
  };

  // The store must outlive the session.
  FixSession(SessionConfig config, SessionStore& store, SessionApplication& application);

  // A connection whose first message names this session's CompIDs. The
  // caller then passes that first message (the Logon) to OnMessage.
  void Attach(SessionHost& host, std::int64_t now_ns);
  // The connection is gone (no further Send or Disconnect on its host).
  void Detach();

  // A framed message that parsed. Handles everything the session layer
  // does and hands in-sequence application messages to the application.
  void OnMessage(const FixMessage& message, std::int64_t now_ns);
  // A framed message that did not parse: Reject(35=3) with RefSeqNum when
  // its MsgSeqNum was read (and the sequence number is used up), else it is
  // ignored as garbled.
  void OnParseError(const FixMessage& partial, const ParseError& error, std::int64_t now_ns);
  // Call at least once a second: heartbeats, test requests, timeouts.
  void OnTimer(std::int64_t now_ns);

  // Sends an application message: BeginApplication() returns the writer
  // with the header started (35, 49, 56, 34, 52); the caller adds the body
  // and calls SendApplication(). The message is stored; it is written now if
  // the session is logged on, else delivered later through resend.
  FixWriter& BeginApplication(std::string_view msg_type, std::int64_t now_ns);
  void SendApplication();

  // Session-level Reject(35=3) of an in-sequence application message (the
  // router's verdict on a malformed field).
  void SendReject(std::uint64_t ref_seq_num, std::string_view ref_msg_type, int ref_tag,
                  int reason, std::string_view text, std::int64_t now_ns);
  // Logout with a text, then disconnect when the peer answers or after the
  // logout timeout.
  void Logout(std::string_view text, std::int64_t now_ns);

  State state() const { return state_; }
  bool logged_on() const { return state_ == State::kLoggedOn; }
  const SessionConfig& config() const { return config_; }
  int heartbeat_seconds() const { return heartbeat_seconds_; }
  std::uint64_t next_outgoing() const { return store_.next_outgoing(); }
  std::uint64_t next_incoming() const { return store_.next_incoming(); }

 private:
  // (private helpers are the implementation's business)
  SessionConfig config_;
  SessionStore& store_;
  SessionApplication& application_;
  SessionHost* host_ = nullptr;
  State state_ = State::kDisconnected;
  FixWriter writer_;
  int heartbeat_seconds_ = 30;
  std::int64_t last_received_ns_ = 0;
  std::int64_t last_sent_ns_ = 0;
  std::int64_t test_request_sent_ns_ = 0;  // 0: none outstanding
  std::int64_t logout_sent_ns_ = 0;
  std::uint64_t resend_requested_up_to_ = 0;  // a ResendRequest of ours is outstanding below this
};

}  // namespace exchange::fix
