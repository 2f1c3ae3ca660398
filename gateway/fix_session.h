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
  std::string name;                                  // for logs and the store file name
  std::string client_comp_id;                        // the client's SenderCompID(49)
  std::string gateway_comp_id;                       // the client's TargetCompID(56): ours
  std::string password;                              // Password(554) the Logon must carry
  std::uint32_t account = 0;                         // the engine account this session trades for
  int max_heartbeat_seconds = 300;                   // a Logon asking for more is refused
  std::int64_t max_clock_skew_ns = 120'000'000'000;  // SendingTime(52) accuracy
  std::int64_t logout_timeout_ns = 2'000'000'000;    // wait for the peer's Logout
};

// What a FixSession needs from the connection it is attached to.
class SessionHost {
 public:
  virtual ~SessionHost() = default;
  // Bytes of one whole message to write to the peer, in order. It may close
  // the connection and Detach() the session before returning (a client that
  // does not read): the session allows for that.
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
    kLoggingOut,  // we sent Logout, waiting for the peer's
  };

  // The store must outlive the session.
  FixSession(SessionConfig config, SessionStore& store, SessionApplication& application);

  // A connection whose first message names this session's CompIDs. The
  // caller then passes that first message (the Logon) to OnMessage. A
  // connection still attached is disconnected first ("replaced by a new
  // connection"): refusing a second Logon is the caller's choice.
  void Attach(SessionHost& host, std::int64_t now_ns);
  // The connection is gone (no further Send or Disconnect on its host).
  void Detach();

  // A framed message that parsed. Handles everything the session layer
  // does and hands in-sequence application messages to the application.
  // Any message received counts as a sign of life (it also answers an
  // outstanding TestRequest). Throws only SessionStoreError.
  void OnMessage(const FixMessage& message, std::int64_t now_ns);
  // A framed message that did not parse: Reject(35=3) with RefSeqNum when
  // its MsgSeqNum was read (and the sequence number is used up; the usual
  // MsgSeqNum rules apply first), else it is ignored as garbled. As the
  // first message of a connection: Logout and disconnect.
  void OnParseError(const FixMessage& partial, const ParseError& error, std::int64_t now_ns);
  // Call at least once a second: heartbeats, test requests, timeouts.
  // Throws only SessionStoreError.
  void OnTimer(std::int64_t now_ns);

  // Sends an application message: BeginApplication() returns the writer
  // with the header started (35, 49, 56, 34, 52); the caller adds the body
  // and calls SendApplication(). The message is stored; it is written now if
  // the session is logged on, else delivered later through resend. Nothing
  // else may be sent in between (SendApplication throws std::logic_error).
  FixWriter& BeginApplication(std::string_view msg_type, std::int64_t now_ns);
  void SendApplication();

  // Session-level Reject(35=3) of an in-sequence application message (the
  // router's verdict on a malformed field). Session-level messages (this
  // one, Heartbeat, Logout, …) exist only on a connection: without one
  // nothing is sent and no MsgSeqNum is used.
  void SendReject(std::uint64_t ref_seq_num, std::string_view ref_msg_type, int ref_tag, int reason,
                  std::string_view text, std::int64_t now_ns);
  // Logout with a text, then disconnect when the peer answers or after the
  // logout timeout. Application messages arriving meanwhile are answered
  // with a Reject, not delivered. Before the Logon: Logout and disconnect.
  void Logout(std::string_view text, std::int64_t now_ns);

  State state() const { return state_; }
  bool logged_on() const { return state_ == State::kLoggedOn; }
  const SessionConfig& config() const { return config_; }
  int heartbeat_seconds() const { return heartbeat_seconds_; }
  std::uint64_t next_outgoing() const { return store_.next_outgoing(); }
  std::uint64_t next_incoming() const { return store_.next_incoming(); }

 private:
  // What the sequence check decided about an incoming MsgSeqNum.
  enum class Sequence {
    kInOrder,  // == expected: process
    kBeyond,   // > expected: a ResendRequest is out; only some types are processed
    kHandled,  // < expected: ignored (PossDup) or logged out
  };

  void HandleLogon(const FixMessage& message, std::int64_t now_ns);
  bool CheckHeader(const FixMessage& message, std::uint64_t seq, std::int64_t now_ns);
  Sequence CheckSequence(std::uint64_t seq, bool poss_dup, std::int64_t now_ns);
  void ProcessInOrder(const FixMessage& message, std::uint64_t seq, std::int64_t now_ns);
  void HandleGapFill(const FixMessage& message, std::uint64_t seq, std::int64_t now_ns);
  void HandleSequenceReset(const FixMessage& message, std::uint64_t seq, std::int64_t now_ns);
  void HandleResendRequest(const FixMessage& message, std::uint64_t seq, std::int64_t now_ns);
  void HandleTestRequest(const FixMessage& message, std::uint64_t seq, std::int64_t now_ns);
  void HandlePeerLogout(std::int64_t now_ns);
  void Advance(std::uint64_t next_incoming);
  void NoteReceived(std::int64_t now_ns);

  void RequestResend(std::uint64_t seen_seq, std::int64_t now_ns);
  void Resend(std::uint64_t seq, const std::string& stored, std::int64_t now_ns);
  void SendGapFill(std::uint64_t seq, std::uint64_t new_seq_no, std::int64_t now_ns);
  void RejectAndDisconnect(std::uint64_t seq, std::string_view msg_type, int ref_tag, int reason,
                           const std::string& text, std::int64_t now_ns);
  void SendLogout(std::string_view text, std::int64_t now_ns);
  void LogoutAndDisconnect(const std::string& text, std::int64_t now_ns);
  void Disconnect(std::string_view reason);
  void Leave();
  FixWriter& StartAdmin(std::string_view msg_type, std::int64_t now_ns);
  void SendAdmin(std::int64_t now_ns);
  void Transmit(std::string_view bytes, std::int64_t now_ns);

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
  bool logon_notified_ = false;               // OnLogon called, OnLogout owed
  // The application message between BeginApplication and SendApplication
  // (its own writer: admin messages use writer_).
  FixWriter app_writer_;
  bool app_pending_ = false;
  bool app_is_admin_ = false;
  std::uint64_t app_seq_ = 0;
  std::int64_t app_now_ns_ = 0;
};

}  // namespace exchange::fix
