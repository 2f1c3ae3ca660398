// FixSession: the FIX 4.4 session rules, acceptor side (see fix_session.h).
// Incoming: Logon checks, header checks on every message, MsgSeqNum rules,
// SequenceReset, ResendRequest, TestRequest, Logout. Outgoing: every message
// takes the store's next MsgSeqNum and is recorded before it is written.
#include "gateway/fix_session.h"

#include <algorithm>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

#include "gateway/fix_tags.h"

namespace exchange::fix {

namespace {

constexpr std::int64_t kNanosPerSecond = 1'000'000'000;
// A ResendRequest is answered reading this many sequence numbers at a time.
constexpr std::uint64_t kResendWindow = 1024;

bool Flag(const FixMessage& m, int tag) {
  return m.Get(tag) == "Y";
}

// MsgSeqNum(34) when present and positive.
std::optional<std::uint64_t> SeqNum(const FixMessage& m) {
  const auto seq = m.seq_num();
  if (!seq || *seq <= 0) return std::nullopt;
  return static_cast<std::uint64_t>(*seq);
}

std::string SeqTooLowText(std::uint64_t expected, std::uint64_t received) {
  std::string text = "MsgSeqNum too low, expected ";
  text += std::to_string(expected);
  text += " but received ";
  text += std::to_string(received);
  return text;
}

// Compares without an early exit, so the time taken says nothing about
// how much of a guessed password was right.
bool SameSecret(std::string_view given, std::string_view secret) {
  unsigned char diff = given.size() == secret.size() ? 0 : 1;
  for (std::size_t i = 0; i < given.size(); ++i) {
    diff |= static_cast<unsigned char>(given[i] ^ (secret.empty() ? 0 : secret[i % secret.size()]));
  }
  return diff == 0;
}

// A peer's value quoted in a Text(58), cut short: the peer may send up to
// a whole message's worth of it.
std::string_view Excerpt(std::string_view value) {
  return value.substr(0, 40);
}

// |a - b| without overflow for any two int64 values.
std::uint64_t Distance(std::int64_t a, std::int64_t b) {
  return a > b ? static_cast<std::uint64_t>(a) - static_cast<std::uint64_t>(b)
               : static_cast<std::uint64_t>(b) - static_cast<std::uint64_t>(a);
}

// Header fields a resend writes afresh rather than copies.
bool RewrittenOnResend(int tag) {
  switch (tag) {
    case tag::kBeginString:
    case tag::kBodyLength:
    case tag::kCheckSum:
    case tag::kMsgSeqNum:
    case tag::kMsgType:
    case tag::kPossDupFlag:
    case tag::kSenderCompID:
    case tag::kSendingTime:
    case tag::kTargetCompID:
    case tag::kOrigSendingTime: return true;
    default: return false;
  }
}

}  // namespace

FixSession::FixSession(SessionConfig config, SessionStore& store, SessionApplication& application)
    : config_(std::move(config)), store_(store), application_(application) {}

// ---- connection ----------------------------------------------------------

void FixSession::Attach(SessionHost& host, std::int64_t now_ns) {
  if (host_ != nullptr && host_ != &host) Disconnect("replaced by a new connection");
  host_ = &host;
  state_ = State::kAwaitingLogon;
  last_received_ns_ = now_ns;
  last_sent_ns_ = now_ns;
  test_request_sent_ns_ = 0;
  logout_sent_ns_ = 0;
  resend_requested_up_to_ = 0;
}

void FixSession::Detach() {
  Leave();
}

// Also reached from inside host_->Send(): a host may close the connection
// (and Detach) while writing, so callers check host_ after every send.
void FixSession::Leave() {
  const bool notify = logon_notified_;
  host_ = nullptr;
  state_ = State::kDisconnected;
  test_request_sent_ns_ = 0;
  logout_sent_ns_ = 0;
  resend_requested_up_to_ = 0;
  logon_notified_ = false;
  if (notify) application_.OnLogout(*this);
}

void FixSession::Disconnect(std::string_view reason) {
  SessionHost* host = host_;
  Leave();
  if (host != nullptr) host->Disconnect(reason);
}

// ---- incoming ------------------------------------------------------------

void FixSession::NoteReceived(std::int64_t now_ns) {
  last_received_ns_ = now_ns;
  test_request_sent_ns_ = 0;  // any message shows the peer is alive
}

void FixSession::OnMessage(const FixMessage& message, std::int64_t now_ns) {
  if (host_ == nullptr) return;
  NoteReceived(now_ns);
  if (state_ == State::kAwaitingLogon) {
    HandleLogon(message, now_ns);
    return;
  }
  const auto seq = SeqNum(message);
  if (!seq) {
    LogoutAndDisconnect("MsgSeqNum(34) missing or not a positive integer", now_ns);
    return;
  }
  if (!CheckHeader(message, *seq, now_ns)) return;

  const std::string_view type = message.msg_type();
  if (type == msg::kSequenceReset && !Flag(message, tag::kGapFillFlag)) {
    HandleSequenceReset(message, *seq, now_ns);  // reset mode ignores MsgSeqNum
    return;
  }
  switch (CheckSequence(*seq, Flag(message, tag::kPossDupFlag), now_ns)) {
    case Sequence::kHandled: return;
    case Sequence::kBeyond:
      // Beyond a gap only these are acted on; the rest comes again as resends.
      if (type == msg::kResendRequest) HandleResendRequest(message, *seq, now_ns);
      if (type == msg::kLogout) HandlePeerLogout(now_ns);
      return;
    case Sequence::kInOrder: ProcessInOrder(message, *seq, now_ns); return;
  }
}

void FixSession::HandleLogon(const FixMessage& message, std::int64_t now_ns) {
  if (message.msg_type() != msg::kLogon) {
    LogoutAndDisconnect("the first message must be a Logon(35=A)", now_ns);
    return;
  }
  const auto seq = SeqNum(message);
  if (!seq) {
    LogoutAndDisconnect("MsgSeqNum(34) missing or not a positive integer", now_ns);
    return;
  }
  if (!CheckHeader(message, *seq, now_ns)) return;
  // A refused Logon does not use up its MsgSeqNum.
  if (!SameSecret(message.Get(tag::kPassword), config_.password)) {
    LogoutAndDisconnect("invalid password", now_ns);
    return;
  }
  const auto heartbeat = message.GetInt(tag::kHeartBtInt);
  if (!heartbeat || *heartbeat < 1 || *heartbeat > config_.max_heartbeat_seconds) {
    std::string text = "HeartBtInt(108) must be 1..";
    text += std::to_string(config_.max_heartbeat_seconds);
    text += " seconds";
    if (message.Has(tag::kHeartBtInt)) {
      text += ", received ";
      text += Excerpt(message.Get(tag::kHeartBtInt));
    }
    LogoutAndDisconnect(text, now_ns);
    return;
  }
  const bool reset = Flag(message, tag::kResetSeqNumFlag);
  if (reset && *seq != 1) {
    std::string text = "ResetSeqNumFlag(141)=Y requires MsgSeqNum(34) 1, received ";
    text += std::to_string(*seq);
    LogoutAndDisconnect(text, now_ns);
    return;
  }
  if (reset) store_.Reset();
  const std::uint64_t expected = store_.next_incoming();
  if (*seq < expected) {
    LogoutAndDisconnect(SeqTooLowText(expected, *seq), now_ns);
    return;
  }

  heartbeat_seconds_ = static_cast<int>(*heartbeat);
  state_ = State::kLoggedOn;
  if (*seq == expected) Advance(*seq + 1);
  FixWriter& w = StartAdmin(msg::kLogon, now_ns);
  w.Add(98, std::int64_t{0});  // EncryptMethod: none
  w.Add(tag::kHeartBtInt, *heartbeat);
  if (reset) w.Add(tag::kResetSeqNumFlag, 'Y');
  SendAdmin(now_ns);
  if (*seq > expected) RequestResend(*seq, now_ns);
  if (host_ == nullptr) return;  // the host closed while we wrote
  logon_notified_ = true;
  application_.OnLogon(*this);
}

// CompIDs and SendingTime. On a problem: Reject, Logout, disconnect (the
// message's number is used up when it was the expected one), and false.
bool FixSession::CheckHeader(const FixMessage& message, std::uint64_t seq, std::int64_t now_ns) {
  const std::string_view type = message.msg_type();
  const std::string_view sender = message.Get(tag::kSenderCompID);
  const std::string_view target = message.Get(tag::kTargetCompID);
  if (sender != config_.client_comp_id || target != config_.gateway_comp_id) {
    const bool bad_sender = sender != config_.client_comp_id;
    std::string text = bad_sender ? "SenderCompID(49) '" : "TargetCompID(56) '";
    text += Excerpt(bad_sender ? sender : target);
    text += "' is not this session's";
    RejectAndDisconnect(seq, type, bad_sender ? tag::kSenderCompID : tag::kTargetCompID,
                        session_reject::kCompIdProblem, text, now_ns);
    return false;
  }
  const std::string_view sending_time = message.Get(tag::kSendingTime);
  const auto sent_ns = ParseUtcTimestamp(sending_time);
  if (!sent_ns ||
      Distance(*sent_ns, now_ns) > static_cast<std::uint64_t>(config_.max_clock_skew_ns)) {
    std::string text = "SendingTime(52) '";
    text += Excerpt(sending_time);
    text += sent_ns ? "' is too far from the gateway's clock" : "' is not a UTCTimestamp";
    RejectAndDisconnect(seq, type, tag::kSendingTime, session_reject::kSendingTimeAccuracy, text,
                        now_ns);
    return false;
  }
  return true;
}

FixSession::Sequence FixSession::CheckSequence(std::uint64_t seq, bool poss_dup,
                                               std::int64_t now_ns) {
  const std::uint64_t expected = store_.next_incoming();
  if (seq == expected) return Sequence::kInOrder;
  if (seq > expected) {
    RequestResend(seq, now_ns);
    return Sequence::kBeyond;
  }
  if (!poss_dup) LogoutAndDisconnect(SeqTooLowText(expected, seq), now_ns);
  return Sequence::kHandled;  // a PossDup duplicate is ignored
}

void FixSession::Advance(std::uint64_t next_incoming) {
  store_.SetNextIncoming(next_incoming);
  if (next_incoming >= resend_requested_up_to_) resend_requested_up_to_ = 0;
}

void FixSession::ProcessInOrder(const FixMessage& message, std::uint64_t seq, std::int64_t now_ns) {
  const std::string_view type = message.msg_type();
  if (type == msg::kSequenceReset) {
    HandleGapFill(message, seq, now_ns);
    return;
  }
  Advance(seq + 1);
  if (type == msg::kHeartbeat || type == msg::kReject) return;
  if (type == msg::kTestRequest) {
    HandleTestRequest(message, seq, now_ns);
  } else if (type == msg::kResendRequest) {
    HandleResendRequest(message, seq, now_ns);
  } else if (type == msg::kLogout) {
    HandlePeerLogout(now_ns);
  } else if (type == msg::kLogon) {
    SendReject(seq, type, 0, session_reject::kOther, "Logon while already logged on", now_ns);
  } else if (state_ != State::kLoggedOn) {
    SendReject(seq, type, 0, session_reject::kOther, "logging out: message not processed", now_ns);
  } else {
    application_.OnApplicationMessage(*this, message, now_ns);
  }
}

// SequenceReset with GapFillFlag(123)=Y, in sequence: expected = NewSeqNo.
void FixSession::HandleGapFill(const FixMessage& message, std::uint64_t seq, std::int64_t now_ns) {
  const auto new_seq = message.GetInt(tag::kNewSeqNo);
  if (new_seq && *new_seq > static_cast<std::int64_t>(seq)) {
    Advance(static_cast<std::uint64_t>(*new_seq));
    return;
  }
  Advance(seq + 1);
  if (!new_seq) {
    SendReject(seq, msg::kSequenceReset, tag::kNewSeqNo,
               message.Has(tag::kNewSeqNo) ? session_reject::kIncorrectDataFormat
                                           : session_reject::kRequiredTagMissing,
               "NewSeqNo(36) missing or not an integer", now_ns);
    return;
  }
  std::string text = "NewSeqNo(36) ";
  text += std::to_string(*new_seq);
  text += " is not above MsgSeqNum(34) ";
  text += std::to_string(seq);
  SendReject(seq, msg::kSequenceReset, tag::kNewSeqNo, session_reject::kValueIncorrect, text,
             now_ns);
}

// SequenceReset in reset mode: MsgSeqNum ignored, expected = NewSeqNo unless
// that would go backwards.
void FixSession::HandleSequenceReset(const FixMessage& message, std::uint64_t seq,
                                     std::int64_t now_ns) {
  const auto new_seq = message.GetInt(tag::kNewSeqNo);
  if (!new_seq) {
    SendReject(seq, msg::kSequenceReset, tag::kNewSeqNo,
               message.Has(tag::kNewSeqNo) ? session_reject::kIncorrectDataFormat
                                           : session_reject::kRequiredTagMissing,
               "NewSeqNo(36) missing or not an integer", now_ns);
    return;
  }
  const std::uint64_t expected = store_.next_incoming();
  if (*new_seq < static_cast<std::int64_t>(expected)) {
    std::string text = "NewSeqNo(36) ";
    text += std::to_string(*new_seq);
    text += " is below the expected MsgSeqNum ";
    text += std::to_string(expected);
    SendReject(seq, msg::kSequenceReset, tag::kNewSeqNo, session_reject::kValueIncorrect, text,
               now_ns);
    return;
  }
  Advance(static_cast<std::uint64_t>(*new_seq));
}

// Resends the stored application messages in [BeginSeqNo, EndSeqNo] and
// replaces every run of numbers without one by a single gap fill.
void FixSession::HandleResendRequest(const FixMessage& message, std::uint64_t seq,
                                     std::int64_t now_ns) {
  const auto begin = message.GetInt(tag::kBeginSeqNo);
  const auto end = message.GetInt(tag::kEndSeqNo);
  if (!begin || !end) {
    const int missing = !begin ? tag::kBeginSeqNo : tag::kEndSeqNo;
    SendReject(seq, msg::kResendRequest, missing,
               message.Has(missing) ? session_reject::kIncorrectDataFormat
                                    : session_reject::kRequiredTagMissing,
               !begin ? "BeginSeqNo(7) missing or not an integer"
                      : "EndSeqNo(16) missing or not an integer",
               now_ns);
    return;
  }
  const std::uint64_t last_sent = store_.next_outgoing() - 1;
  if (*begin < 1 || *end < 0 || (*end != 0 && *end < *begin) ||
      static_cast<std::uint64_t>(*begin) > last_sent) {
    std::string text = "cannot resend ";
    text += std::to_string(*begin);
    text += "..";
    text += std::to_string(*end);
    text += ": the last MsgSeqNum sent is ";
    text += std::to_string(last_sent);
    SendReject(seq, msg::kResendRequest, tag::kBeginSeqNo, session_reject::kValueIncorrect, text,
               now_ns);
    return;
  }
  const auto first = static_cast<std::uint64_t>(*begin);
  const std::uint64_t last =
      *end == 0 ? last_sent : std::min(static_cast<std::uint64_t>(*end), last_sent);
  std::uint64_t pending = first;  // the first number neither resent nor gap-filled
  for (std::uint64_t window = first; window <= last && host_ != nullptr; window += kResendWindow) {
    const std::uint64_t window_last = std::min(last, window + kResendWindow - 1);
    for (const auto& [stored_seq, bytes] : store_.Outgoing(window, window_last)) {
      if (stored_seq > pending) SendGapFill(pending, stored_seq, now_ns);
      Resend(stored_seq, bytes, now_ns);
      pending = stored_seq + 1;
    }
  }
  if (pending <= last) SendGapFill(pending, last + 1, now_ns);
}

void FixSession::HandleTestRequest(const FixMessage& message, std::uint64_t seq,
                                   std::int64_t now_ns) {
  const std::string_view id = message.Get(tag::kTestReqID);
  if (id.empty()) {
    SendReject(seq, msg::kTestRequest, tag::kTestReqID, session_reject::kRequiredTagMissing,
               "TestReqID(112) missing", now_ns);
    return;
  }
  FixWriter& w = StartAdmin(msg::kHeartbeat, now_ns);
  w.Add(tag::kTestReqID, id);
  SendAdmin(now_ns);
}

void FixSession::HandlePeerLogout(std::int64_t now_ns) {
  if (state_ == State::kLoggingOut) {
    Disconnect("logout complete");
    return;
  }
  SendLogout({}, now_ns);
  Disconnect("the peer logged out");
}

void FixSession::OnParseError(const FixMessage& partial, const ParseError& error,
                              std::int64_t now_ns) {
  if (host_ == nullptr) return;
  NoteReceived(now_ns);
  if (state_ == State::kAwaitingLogon) {
    std::string text = "the first message must be a valid Logon(35=A): ";
    text += error.text;
    LogoutAndDisconnect(text, now_ns);
    return;
  }
  const auto seq = SeqNum(partial);
  if (!seq) return;  // nothing to refer to: ignored as garbled
  if (CheckSequence(*seq, Flag(partial, tag::kPossDupFlag), now_ns) != Sequence::kInOrder) return;
  Advance(*seq + 1);
  SendReject(*seq, partial.msg_type(), error.ref_tag, error.session_reject_reason, error.text,
             now_ns);
}

// ---- timer ---------------------------------------------------------------

void FixSession::OnTimer(std::int64_t now_ns) {
  if (host_ == nullptr) return;
  if (state_ == State::kLoggingOut) {
    if (now_ns - logout_sent_ns_ >= config_.logout_timeout_ns) {
      Disconnect("no Logout answer within the logout timeout");
    }
    return;
  }
  if (state_ != State::kLoggedOn) return;
  const std::int64_t interval = std::int64_t{heartbeat_seconds_} * kNanosPerSecond;
  if (test_request_sent_ns_ != 0) {
    if (now_ns - test_request_sent_ns_ >= interval) {
      LogoutAndDisconnect("heartbeat timeout", now_ns);
      return;
    }
  } else if (now_ns - last_received_ns_ >= interval * 6 / 5) {
    FixWriter& w = StartAdmin(msg::kTestRequest, now_ns);
    std::string id = "TEST-";
    id += UtcTimestamp(now_ns);
    w.Add(tag::kTestReqID, id);
    SendAdmin(now_ns);
    test_request_sent_ns_ = now_ns;
  }
  if (now_ns - last_sent_ns_ >= interval) {
    StartAdmin(msg::kHeartbeat, now_ns);
    SendAdmin(now_ns);
  }
}

// ---- outgoing ------------------------------------------------------------

FixWriter& FixSession::StartAdmin(std::string_view msg_type, std::int64_t now_ns) {
  writer_.Start(msg_type, config_.gateway_comp_id, config_.client_comp_id, store_.next_outgoing(),
                now_ns);
  return writer_;
}

// Admin messages exist only on a connection: without one nothing is sent
// and no number is used.
void FixSession::SendAdmin(std::int64_t now_ns) {
  if (host_ == nullptr) return;
  const std::string_view bytes = writer_.Finish();
  store_.RecordOutgoing(store_.next_outgoing(), bytes, false);
  Transmit(bytes, now_ns);
}

void FixSession::Transmit(std::string_view bytes, std::int64_t now_ns) {
  if (host_ == nullptr) return;
  last_sent_ns_ = now_ns;
  host_->Send(bytes);
}

FixWriter& FixSession::BeginApplication(std::string_view msg_type, std::int64_t now_ns) {
  app_pending_ = true;
  app_is_admin_ = msg::IsAdmin(msg_type);
  app_seq_ = store_.next_outgoing();
  app_now_ns_ = now_ns;
  app_writer_.Start(msg_type, config_.gateway_comp_id, config_.client_comp_id, app_seq_, now_ns);
  return app_writer_;
}

void FixSession::SendApplication() {
  if (!app_pending_) throw std::logic_error("FixSession::SendApplication without BeginApplication");
  app_pending_ = false;
  if (app_seq_ != store_.next_outgoing()) {
    throw std::logic_error(
        "FixSession: a session message was sent between BeginApplication and SendApplication");
  }
  const std::string_view bytes = app_writer_.Finish();
  store_.RecordOutgoing(app_seq_, bytes, !app_is_admin_);
  if (state_ == State::kLoggedOn) Transmit(bytes, app_now_ns_);
}

void FixSession::SendReject(std::uint64_t ref_seq_num, std::string_view ref_msg_type, int ref_tag,
                            int reason, std::string_view text, std::int64_t now_ns) {
  if (host_ == nullptr) return;
  FixWriter& w = StartAdmin(msg::kReject, now_ns);
  w.Add(tag::kRefSeqNum, static_cast<std::int64_t>(ref_seq_num));
  if (ref_tag > 0) w.Add(tag::kRefTagID, std::int64_t{ref_tag});
  if (!ref_msg_type.empty()) w.Add(tag::kRefMsgType, ref_msg_type);
  w.Add(tag::kSessionRejectReason, std::int64_t{reason});
  if (!text.empty()) w.Add(tag::kText, text);
  SendAdmin(now_ns);
}

void FixSession::RejectAndDisconnect(std::uint64_t seq, std::string_view msg_type, int ref_tag,
                                     int reason, const std::string& text, std::int64_t now_ns) {
  if (state_ != State::kAwaitingLogon && seq == store_.next_incoming()) Advance(seq + 1);
  SendReject(seq, msg_type, ref_tag, reason, text, now_ns);
  LogoutAndDisconnect(text, now_ns);
}

void FixSession::Logout(std::string_view text, std::int64_t now_ns) {
  if (host_ == nullptr || state_ == State::kLoggingOut) return;
  if (state_ != State::kLoggedOn) {
    LogoutAndDisconnect(std::string(text), now_ns);
    return;
  }
  SendLogout(text, now_ns);
  if (host_ == nullptr) return;  // the host closed while we wrote
  state_ = State::kLoggingOut;
  logout_sent_ns_ = now_ns;
}

void FixSession::SendLogout(std::string_view text, std::int64_t now_ns) {
  FixWriter& w = StartAdmin(msg::kLogout, now_ns);
  if (!text.empty()) w.Add(tag::kText, text);
  SendAdmin(now_ns);
}

void FixSession::LogoutAndDisconnect(const std::string& text, std::int64_t now_ns) {
  SendLogout(text, now_ns);
  Disconnect(text);
}

// ---- resend --------------------------------------------------------------

void FixSession::Resend(std::uint64_t seq, const std::string& stored, std::int64_t now_ns) {
  FixMessage original;
  if (const auto error = original.Parse(stored)) {
    std::string what = store_.path();
    what += ": stored message ";
    what += std::to_string(seq);
    what += " does not parse: ";
    what += error->text;
    throw SessionStoreError(what);
  }
  writer_.Start(original.msg_type(), config_.gateway_comp_id, config_.client_comp_id, seq, now_ns);
  writer_.Add(tag::kPossDupFlag, 'Y');
  const std::string_view original_time = original.Get(tag::kSendingTime);
  if (!original_time.empty()) writer_.Add(tag::kOrigSendingTime, original_time);
  for (const Field& field : original) {
    if (!RewrittenOnResend(field.tag)) writer_.Add(field.tag, field.value);
  }
  Transmit(writer_.Finish(), now_ns);
}

// SequenceReset-GapFill sent as message `seq` of a resend: numbers seq up to
// new_seq_no - 1 hold nothing to resend.
void FixSession::SendGapFill(std::uint64_t seq, std::uint64_t new_seq_no, std::int64_t now_ns) {
  writer_.Start(msg::kSequenceReset, config_.gateway_comp_id, config_.client_comp_id, seq, now_ns);
  writer_.Add(tag::kPossDupFlag, 'Y');
  writer_.AddTime(tag::kOrigSendingTime, now_ns);
  writer_.Add(tag::kGapFillFlag, 'Y');
  writer_.Add(tag::kNewSeqNo, static_cast<std::int64_t>(new_seq_no));
  Transmit(writer_.Finish(), now_ns);
}

void FixSession::RequestResend(std::uint64_t seen_seq, std::int64_t now_ns) {
  const std::uint64_t expected = store_.next_incoming();
  if (expected < resend_requested_up_to_) {  // one ResendRequest per gap
    resend_requested_up_to_ = std::max(resend_requested_up_to_, seen_seq + 1);
    return;
  }
  resend_requested_up_to_ = seen_seq + 1;
  FixWriter& w = StartAdmin(msg::kResendRequest, now_ns);
  w.Add(tag::kBeginSeqNo, static_cast<std::int64_t>(expected));
  w.Add(tag::kEndSeqNo, std::int64_t{0});
  SendAdmin(now_ns);
}

}  // namespace exchange::fix
