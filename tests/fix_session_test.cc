// Tests of the FIX session layer (acceptor side) and its store: Logon rules,
// header checks, MsgSeqNum handling with resend in both directions,
// SequenceReset, heartbeats and timeouts, Logout, and the store file
// surviving restarts and torn writes. A recording host and application stand
// in for the gateway; time is passed in explicitly.
#include "gateway/fix_session.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "gateway/fix_tags.h"

namespace exchange::fix {
namespace {

namespace fs = std::filesystem;

constexpr std::int64_t kSecond = 1'000'000'000;
constexpr std::int64_t kT0 = 1'709'294'400 * kSecond;  // 2024-03-01 12:00:00 UTC

using Fields = std::vector<std::pair<int, std::string>>;

// A message the session sent, parsed.
struct Sent {
  std::string raw;
  std::map<int, std::string> f;

  std::string type() const { return Get(tag::kMsgType); }
  std::string Get(int t) const {
    auto it = f.find(t);
    return it == f.end() ? std::string() : it->second;
  }
  std::uint64_t seq() const { return std::stoull(Get(tag::kMsgSeqNum)); }
  bool Has(int t) const { return f.count(t) != 0; }
};

class RecordingHost : public SessionHost {
 public:
  void Send(std::string_view message) override { sent.emplace_back(message); }
  void Disconnect(std::string_view reason) override { disconnects.emplace_back(reason); }

  std::vector<std::string> sent;
  std::vector<std::string> disconnects;
};

// A host that closes the connection from inside Send() once it has taken
// `limit` messages, as the gateway does with a client that does not read.
class OverflowingHost : public SessionHost {
 public:
  OverflowingHost(FixSession& session, int limit) : session_(session), limit_(limit) {}
  void Send(std::string_view) override {
    if (++sent >= limit_) session_.Detach();
  }
  void Disconnect(std::string_view) override { ++disconnects; }

  int sent = 0;
  int disconnects = 0;

 private:
  FixSession& session_;
  int limit_;
};

class RecordingApplication : public SessionApplication {
 public:
  void OnApplicationMessage(FixSession& session, const FixMessage& message,
                            std::int64_t now_ns) override {
    delivered.emplace_back(*message.seq_num(), std::string(message.Get(tag::kClOrdID)));
    if (on_message) on_message(session, message, now_ns);
  }
  void OnLogon(FixSession&) override { ++logons; }
  void OnLogout(FixSession&) override { ++logouts; }

  std::vector<std::pair<std::int64_t, std::string>> delivered;  // (MsgSeqNum, ClOrdID)
  std::function<void(FixSession&, const FixMessage&, std::int64_t)> on_message;
  int logons = 0;
  int logouts = 0;
};

// A framed message from raw fields (any order, any values, missing ones):
// for the malformed cases FixWriter cannot produce.
std::string RawMessage(const Fields& fields) {
  std::string body;
  for (const auto& [t, v] : fields) {
    body += std::to_string(t);
    body += '=';
    body += v;
    body += kSoh;
  }
  std::string out = "8=FIX.4.4";
  out += kSoh;
  out += "9=";
  out += std::to_string(body.size());
  out += kSoh;
  out += body;
  char sum[8];
  std::snprintf(sum, sizeof(sum), "%03u", static_cast<unsigned>(Checksum(out)));
  out += "10=";
  out += sum;
  out += kSoh;
  return out;
}

Sent ParseSent(const std::string& raw) {
  const Frame frame = FrameMessage(raw);
  EXPECT_EQ(frame.status, FrameStatus::kComplete) << Printable(raw) << " " << frame.error;
  EXPECT_EQ(frame.length, raw.size()) << Printable(raw);
  FixMessage m;
  const auto error = m.Parse(raw);
  EXPECT_FALSE(error.has_value()) << Printable(raw) << ": " << (error ? error->text : "");
  Sent s{raw, {}};
  for (const Field& field : m)
    s.f[field.tag] = std::string(field.value);
  return s;
}

class FixSessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/fix_session_test.XXXXXX";
    ASSERT_NE(::mkdtemp(dir), nullptr);
    dir_ = dir;
    config_.name = "S1";
    config_.client_comp_id = "CLIENT1";
    config_.gateway_comp_id = "EXCH";
    config_.password = "secret";
    config_.account = 7;
    config_.max_heartbeat_seconds = 300;
    config_.max_clock_skew_ns = 120 * kSecond;
    config_.logout_timeout_ns = 2 * kSecond;
    Open();
  }
  void TearDown() override {
    session_.reset();
    store_.reset();
    fs::remove_all(dir_);
  }

  std::string StorePath() const { return dir_ + "/S1.fixstore"; }

  // A new store and session on the same file: a gateway restart.
  void Open() {
    session_.reset();
    store_.reset();
    store_ = std::make_unique<SessionStore>(StorePath());
    session_ = std::make_unique<FixSession>(config_, *store_, app_);
  }

  // A well-formed message from the client, built with FixWriter.
  std::string Client(std::string_view type, std::uint64_t seq, const Fields& fields = {},
                     std::int64_t time = kT0) {
    FixWriter w;
    w.Start(type, "CLIENT1", "EXCH", seq, time);
    for (const auto& [t, v] : fields)
      w.Add(t, v);
    return std::string(w.Finish());
  }
  std::string LogonMessage(std::uint64_t seq, const Fields& extra = {}) {
    Fields fields = {{98, "0"}, {tag::kHeartBtInt, "30"}, {tag::kPassword, "secret"}};
    fields.insert(fields.end(), extra.begin(), extra.end());
    return Client(msg::kLogon, seq, fields);
  }
  std::string Order(std::uint64_t seq, const std::string& cl_ord_id, bool poss_dup = false) {
    Fields fields;
    if (poss_dup) {
      fields.push_back({tag::kPossDupFlag, "Y"});
      fields.push_back({tag::kOrigSendingTime, UtcTimestamp(kT0)});
    }
    fields.push_back({tag::kClOrdID, cl_ord_id});
    fields.push_back({tag::kSymbol, "BTC-USD"});
    fields.push_back({tag::kSide, "1"});
    fields.push_back({tag::kOrderQty, "1"});
    fields.push_back({tag::kOrdType, "2"});
    fields.push_back({tag::kPrice, "100.00"});
    return Client(msg::kNewOrderSingle, seq, fields);
  }

  // Frames and parses `bytes` as the gateway will, then hands them over.
  void Receive(const std::string& bytes, std::int64_t now = kT0) {
    const Frame frame = FrameMessage(bytes);
    ASSERT_EQ(frame.status, FrameStatus::kComplete) << Printable(bytes) << " " << frame.error;
    FixMessage m;
    if (const auto error = m.Parse(bytes)) {
      session_->OnParseError(m, *error, now);
    } else {
      session_->OnMessage(m, now);
    }
  }

  // Attach + the given Logon; the host's record starts empty.
  void Connect(const std::string& logon, std::int64_t now = kT0) {
    host_ = std::make_unique<RecordingHost>();
    session_->Attach(*host_, now);
    Receive(logon, now);
  }
  // A good logon with the expected MsgSeqNum; the reply is taken.
  void LogOn(std::int64_t now = kT0) {
    Connect(LogonMessage(session_->next_incoming()), now);
    ASSERT_TRUE(session_->logged_on());
    TakeSent();
  }

  std::vector<Sent> TakeSent() {
    std::vector<Sent> out;
    for (const std::string& raw : host_->sent)
      out.push_back(ParseSent(raw));
    host_->sent.clear();
    return out;
  }

  // An ExecutionReport from the gateway's side.
  void SendReport(const std::string& order_id, std::int64_t now) {
    FixWriter& w = session_->BeginApplication(msg::kExecutionReport, now);
    w.Add(tag::kOrderID, order_id);
    w.Add(tag::kExecType, '0');
    w.Add(tag::kOrdStatus, '0');
    w.Add(tag::kSymbol, "BTC-USD");
    session_->SendApplication();
  }

  std::string dir_;
  SessionConfig config_;
  RecordingApplication app_;
  std::unique_ptr<SessionStore> store_;
  std::unique_ptr<FixSession> session_;
  std::unique_ptr<RecordingHost> host_;
};

// ---- Logon ---------------------------------------------------------------

TEST_F(FixSessionTest, GoodLogonIsAnsweredWithLogon) {
  Connect(LogonMessage(1));
  EXPECT_TRUE(session_->logged_on());
  EXPECT_EQ(app_.logons, 1);
  EXPECT_EQ(session_->heartbeat_seconds(), 30);
  const auto sent = TakeSent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].type(), "A");
  EXPECT_EQ(sent[0].Get(tag::kMsgSeqNum), "1");
  EXPECT_EQ(sent[0].Get(tag::kSenderCompID), "EXCH");
  EXPECT_EQ(sent[0].Get(tag::kTargetCompID), "CLIENT1");
  EXPECT_EQ(sent[0].Get(98), "0");
  EXPECT_EQ(sent[0].Get(tag::kHeartBtInt), "30");
  EXPECT_FALSE(sent[0].Has(tag::kResetSeqNumFlag));
  EXPECT_EQ(sent[0].Get(tag::kSendingTime), UtcTimestamp(kT0));
  EXPECT_EQ(session_->next_incoming(), 2u);
  EXPECT_EQ(session_->next_outgoing(), 2u);
  EXPECT_TRUE(host_->disconnects.empty());
}

TEST_F(FixSessionTest, BadPasswordLogsOutWithoutUsingTheSequenceNumber) {
  Connect(Client(msg::kLogon, 1, {{98, "0"}, {tag::kHeartBtInt, "30"}, {tag::kPassword, "guess"}}));
  const auto sent = TakeSent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].type(), "5");
  EXPECT_EQ(sent[0].Get(tag::kText), "invalid password");
  ASSERT_EQ(host_->disconnects.size(), 1u);
  EXPECT_EQ(session_->state(), FixSession::State::kDisconnected);
  EXPECT_EQ(session_->next_incoming(), 1u);
  EXPECT_EQ(app_.logons, 0);
  EXPECT_EQ(app_.logouts, 0);

  // No password at all is refused the same way.
  Connect(Client(msg::kLogon, 1, {{98, "0"}, {tag::kHeartBtInt, "30"}}));
  EXPECT_EQ(TakeSent().at(0).Get(tag::kText), "invalid password");
  EXPECT_EQ(host_->disconnects.size(), 1u);
}

TEST_F(FixSessionTest, HeartBtIntOutOfRangeIsRefused) {
  for (const char* value : {"0", "301", "-5", "abc"}) {
    SCOPED_TRACE(value);
    Connect(
        Client(msg::kLogon, 1, {{98, "0"}, {tag::kHeartBtInt, value}, {tag::kPassword, "secret"}}));
    const auto sent = TakeSent();
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_EQ(sent[0].type(), "5");
    EXPECT_NE(sent[0].Get(tag::kText).find("HeartBtInt(108) must be 1..300"), std::string::npos)
        << sent[0].Get(tag::kText);
    EXPECT_EQ(host_->disconnects.size(), 1u);
    EXPECT_FALSE(session_->logged_on());
  }
  Connect(Client(msg::kLogon, 1, {{98, "0"}, {tag::kPassword, "secret"}}));
  EXPECT_EQ(TakeSent().at(0).type(), "5");
  EXPECT_EQ(session_->next_incoming(), 1u);
}

TEST_F(FixSessionTest, NonLogonFirstMessageIsLoggedOut) {
  Connect(Order(1, "o1"));
  const auto sent = TakeSent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].type(), "5");
  EXPECT_EQ(host_->disconnects.size(), 1u);
  EXPECT_TRUE(app_.delivered.empty());
  EXPECT_EQ(session_->next_incoming(), 1u);
}

TEST_F(FixSessionTest, LogonWithWrongTargetCompIdIsRejected) {
  FixWriter w;
  w.Start(msg::kLogon, "CLIENT1", "NOTUS", 1, kT0);
  w.Add(98, "0");
  w.Add(tag::kHeartBtInt, "30");
  w.Add(tag::kPassword, "secret");
  Connect(std::string(w.Finish()));
  const auto sent = TakeSent();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[0].type(), "3");
  EXPECT_EQ(sent[0].Get(tag::kSessionRejectReason), "9");
  EXPECT_EQ(sent[0].Get(tag::kRefTagID), "56");
  EXPECT_EQ(sent[1].type(), "5");
  EXPECT_EQ(host_->disconnects.size(), 1u);
}

TEST_F(FixSessionTest, LogonWithHigherSeqNumAsksForResend) {
  Connect(LogonMessage(5));
  ASSERT_TRUE(session_->logged_on());
  const auto sent = TakeSent();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[0].type(), "A");
  EXPECT_EQ(sent[1].type(), "2");
  EXPECT_EQ(sent[1].Get(tag::kBeginSeqNo), "1");
  EXPECT_EQ(sent[1].Get(tag::kEndSeqNo), "0");
  EXPECT_EQ(session_->next_incoming(), 1u);
}

TEST_F(FixSessionTest, LogonWithLowerSeqNumIsLoggedOut) {
  LogOn();
  Receive(Order(2, "o1"));
  session_->Detach();
  Connect(LogonMessage(2));
  const auto sent = TakeSent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].type(), "5");
  EXPECT_EQ(sent[0].Get(tag::kText), "MsgSeqNum too low, expected 3 but received 2");
  EXPECT_EQ(host_->disconnects.size(), 1u);
}

TEST_F(FixSessionTest, ResetSeqNumFlagStartsBothSequencesAgain) {
  LogOn();
  Receive(Order(2, "o1"));
  SendReport("1", kT0);
  session_->Detach();
  EXPECT_EQ(session_->next_incoming(), 3u);
  EXPECT_EQ(session_->next_outgoing(), 3u);

  // 141=Y needs MsgSeqNum 1: refused, nothing reset.
  Connect(LogonMessage(3, {{tag::kResetSeqNumFlag, "Y"}}));
  EXPECT_EQ(TakeSent().at(0).type(), "5");
  EXPECT_EQ(session_->next_incoming(), 3u);

  Connect(LogonMessage(1, {{tag::kResetSeqNumFlag, "Y"}}));
  ASSERT_TRUE(session_->logged_on());
  const auto sent = TakeSent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].type(), "A");
  EXPECT_EQ(sent[0].Get(tag::kMsgSeqNum), "1");
  EXPECT_EQ(sent[0].Get(tag::kResetSeqNumFlag), "Y");
  EXPECT_EQ(session_->next_incoming(), 2u);
  EXPECT_EQ(session_->next_outgoing(), 2u);
  EXPECT_TRUE(store_->Outgoing(1, 0).empty());
}

// ---- header checks -------------------------------------------------------

TEST_F(FixSessionTest, WrongSenderCompIdIsRejectedAndLoggedOut) {
  LogOn();
  FixWriter w;
  w.Start(msg::kNewOrderSingle, "INTRUDER", "EXCH", 2, kT0);
  w.Add(tag::kClOrdID, "o1");
  Receive(std::string(w.Finish()));
  const auto sent = TakeSent();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[0].type(), "3");
  EXPECT_EQ(sent[0].Get(tag::kRefSeqNum), "2");
  EXPECT_EQ(sent[0].Get(tag::kRefTagID), "49");
  EXPECT_EQ(sent[0].Get(tag::kSessionRejectReason), "9");
  EXPECT_EQ(sent[1].type(), "5");
  EXPECT_EQ(host_->disconnects.size(), 1u);
  EXPECT_TRUE(app_.delivered.empty());
  EXPECT_EQ(app_.logouts, 1);
  EXPECT_EQ(session_->next_incoming(), 3u);  // used up, as FIX prescribes
}

TEST_F(FixSessionTest, SendingTimeTooFarOffIsRejectedAndLoggedOut) {
  LogOn();
  Receive(Client(msg::kNewOrderSingle, 2, {{tag::kClOrdID, "o1"}}, kT0 - 200 * kSecond));
  auto sent = TakeSent();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[0].type(), "3");
  EXPECT_EQ(sent[0].Get(tag::kSessionRejectReason), "10");
  EXPECT_EQ(sent[0].Get(tag::kRefTagID), "52");
  EXPECT_EQ(sent[1].type(), "5");
  EXPECT_EQ(host_->disconnects.size(), 1u);
  EXPECT_TRUE(app_.delivered.empty());

  // Unparseable SendingTime: the same.
  LogOn();
  Receive(RawMessage({{35, "D"}, {49, "CLIENT1"}, {56, "EXCH"}, {34, "4"}, {52, "yesterday"}}));
  sent = TakeSent();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[0].Get(tag::kSessionRejectReason), "10");
  EXPECT_EQ(host_->disconnects.size(), 1u);
}

TEST_F(FixSessionTest, SmallClockSkewIsAccepted) {
  LogOn();
  Receive(Order(2, "o1"), kT0 + 119 * kSecond);
  ASSERT_EQ(app_.delivered.size(), 1u);
}

TEST_F(FixSessionTest, MissingMsgSeqNumLogsOut) {
  LogOn();
  Receive(RawMessage({{35, "D"}, {49, "CLIENT1"}, {56, "EXCH"}, {52, UtcTimestamp(kT0)}}));
  const auto sent = TakeSent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].type(), "5");
  EXPECT_EQ(host_->disconnects.size(), 1u);
}

// ---- sequence numbers ----------------------------------------------------

TEST_F(FixSessionTest, InOrderMessagesAreDeliveredOnce) {
  LogOn();
  Receive(Order(2, "o1"));
  Receive(Order(3, "o2"));
  Receive(Order(4, "o3"));
  ASSERT_EQ(app_.delivered.size(), 3u);
  EXPECT_EQ(app_.delivered[0], std::make_pair(std::int64_t{2}, std::string("o1")));
  EXPECT_EQ(app_.delivered[2], std::make_pair(std::int64_t{4}, std::string("o3")));
  EXPECT_EQ(session_->next_incoming(), 5u);
  EXPECT_TRUE(TakeSent().empty());
}

TEST_F(FixSessionTest, GapSendsOneResendRequestAndResendsFillIt) {
  LogOn();
  Receive(Order(2, "o1"));
  Receive(Order(5, "o4"));  // 3 and 4 missing
  Receive(Order(6, "o5"));
  Receive(Client(msg::kHeartbeat, 7));
  auto sent = TakeSent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].type(), "2");
  EXPECT_EQ(sent[0].Get(tag::kBeginSeqNo), "3");
  EXPECT_EQ(sent[0].Get(tag::kEndSeqNo), "0");
  EXPECT_EQ(app_.delivered.size(), 1u);
  EXPECT_EQ(session_->next_incoming(), 3u);

  // The client resends 3..7 (the heartbeat as a gap fill).
  Receive(Order(3, "o2", true));
  Receive(Order(4, "o3", true));
  Receive(Order(5, "o4", true));
  Receive(Order(6, "o5", true));
  Receive(Client(msg::kSequenceReset, 7,
                 {{tag::kPossDupFlag, "Y"}, {tag::kGapFillFlag, "Y"}, {tag::kNewSeqNo, "8"}}));
  Receive(Order(8, "o6"));
  EXPECT_TRUE(TakeSent().empty());
  const std::vector<std::pair<std::int64_t, std::string>> expected = {
      {2, "o1"}, {3, "o2"}, {4, "o3"}, {5, "o4"}, {6, "o5"}, {8, "o6"}};
  EXPECT_EQ(app_.delivered, expected);
  EXPECT_EQ(session_->next_incoming(), 9u);

  // A later gap gets its own ResendRequest.
  Receive(Order(10, "o8"));
  sent = TakeSent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].Get(tag::kBeginSeqNo), "9");
}

TEST_F(FixSessionTest, ResendRequestAndLogoutBeyondAGapAreProcessed) {
  LogOn();
  Receive(Client(msg::kResendRequest, 4, {{tag::kBeginSeqNo, "1"}, {tag::kEndSeqNo, "0"}}));
  auto sent = TakeSent();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[0].type(), "2");  // ours, for 2..
  EXPECT_EQ(sent[0].Get(tag::kBeginSeqNo), "2");
  EXPECT_EQ(sent[1].type(), "4");  // theirs answered: the Logon (1) and our ResendRequest (2)
  EXPECT_EQ(sent[1].Get(tag::kMsgSeqNum), "1");
  EXPECT_EQ(sent[1].Get(tag::kNewSeqNo), "3");
  EXPECT_EQ(session_->next_incoming(), 2u);

  Receive(Client(msg::kLogout, 5));
  sent = TakeSent();
  ASSERT_EQ(sent.size(), 1u);  // no second ResendRequest for the same gap
  EXPECT_EQ(sent[0].type(), "5");
  EXPECT_EQ(host_->disconnects.size(), 1u);
}

TEST_F(FixSessionTest, PossDupDuplicateIsIgnored) {
  LogOn();
  Receive(Order(2, "o1"));
  Receive(Order(2, "o1", true));
  EXPECT_EQ(app_.delivered.size(), 1u);
  EXPECT_TRUE(TakeSent().empty());
  EXPECT_TRUE(session_->logged_on());
  EXPECT_EQ(session_->next_incoming(), 3u);
}

TEST_F(FixSessionTest, SeqNumTooLowWithoutPossDupLogsOut) {
  LogOn();
  Receive(Order(2, "o1"));
  Receive(Order(2, "o1-again"));
  const auto sent = TakeSent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].type(), "5");
  EXPECT_EQ(sent[0].Get(tag::kText), "MsgSeqNum too low, expected 3 but received 2");
  EXPECT_EQ(host_->disconnects.size(), 1u);
  EXPECT_EQ(app_.delivered.size(), 1u);
}

TEST_F(FixSessionTest, SequenceResetGapFill) {
  LogOn();
  Receive(Client(msg::kSequenceReset, 2, {{tag::kGapFillFlag, "Y"}, {tag::kNewSeqNo, "5"}}));
  EXPECT_EQ(session_->next_incoming(), 5u);
  EXPECT_TRUE(TakeSent().empty());

  // NewSeqNo not above MsgSeqNum: Reject 373=5, the message's number used up.
  Receive(Client(msg::kSequenceReset, 5, {{tag::kGapFillFlag, "Y"}, {tag::kNewSeqNo, "5"}}));
  auto sent = TakeSent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].type(), "3");
  EXPECT_EQ(sent[0].Get(tag::kRefSeqNum), "5");
  EXPECT_EQ(sent[0].Get(tag::kRefTagID), "36");
  EXPECT_EQ(sent[0].Get(tag::kSessionRejectReason), "5");
  EXPECT_EQ(session_->next_incoming(), 6u);

  // A gap fill beyond a gap obeys the sequence rules: ResendRequest, ignored.
  Receive(Client(msg::kSequenceReset, 9, {{tag::kGapFillFlag, "Y"}, {tag::kNewSeqNo, "20"}}));
  sent = TakeSent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].type(), "2");
  EXPECT_EQ(session_->next_incoming(), 6u);

  // A duplicate gap fill (PossDup, below expected) is ignored.
  Receive(Client(msg::kSequenceReset, 2,
                 {{tag::kPossDupFlag, "Y"}, {tag::kGapFillFlag, "Y"}, {tag::kNewSeqNo, "5"}}));
  EXPECT_TRUE(TakeSent().empty());
  EXPECT_EQ(session_->next_incoming(), 6u);
  EXPECT_TRUE(session_->logged_on());
}

TEST_F(FixSessionTest, SequenceResetResetMode) {
  LogOn();
  // MsgSeqNum is ignored in reset mode.
  Receive(Client(msg::kSequenceReset, 99, {{tag::kNewSeqNo, "10"}}));
  EXPECT_EQ(session_->next_incoming(), 10u);
  EXPECT_TRUE(TakeSent().empty());
  Receive(Client(msg::kSequenceReset, 1, {{tag::kGapFillFlag, "N"}, {tag::kNewSeqNo, "10"}}));
  EXPECT_EQ(session_->next_incoming(), 10u);
  EXPECT_TRUE(TakeSent().empty());

  // Backwards: Reject 373=5, nothing changes.
  Receive(Client(msg::kSequenceReset, 10, {{tag::kNewSeqNo, "3"}}));
  const auto sent = TakeSent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].type(), "3");
  EXPECT_EQ(sent[0].Get(tag::kSessionRejectReason), "5");
  EXPECT_EQ(sent[0].Get(tag::kRefTagID), "36");
  EXPECT_EQ(session_->next_incoming(), 10u);
  Receive(Order(10, "o1"));
  EXPECT_EQ(app_.delivered.size(), 1u);
}

TEST_F(FixSessionTest, TestRequestIsAnsweredWithHeartbeat) {
  LogOn();
  Receive(Client(msg::kTestRequest, 2, {{tag::kTestReqID, "ping-1"}}));
  const auto sent = TakeSent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].type(), "0");
  EXPECT_EQ(sent[0].Get(tag::kTestReqID), "ping-1");
  EXPECT_EQ(sent[0].Get(tag::kMsgSeqNum), "2");
}

// ---- our resends ---------------------------------------------------------

TEST_F(FixSessionTest, ResendRequestResendsApplicationMessagesAndGapFillsTheRest) {
  LogOn();                                                           // our 1: Logon
  SendReport("100", kT0 + 1 * kSecond);                              // 2
  SendReport("101", kT0 + 2 * kSecond);                              // 3
  Receive(Client(msg::kTestRequest, 2, {{tag::kTestReqID, "t1"}}));  // our 4: Heartbeat
  SendReport("102", kT0 + 3 * kSecond);                              // 5
  Receive(Client(msg::kTestRequest, 3, {{tag::kTestReqID, "t2"}}));  // our 6: Heartbeat
  const auto originals = TakeSent();
  ASSERT_EQ(originals.size(), 5u);
  EXPECT_EQ(session_->next_outgoing(), 7u);

  const std::int64_t later = kT0 + 10 * kSecond;
  Receive(Client(msg::kResendRequest, 4, {{tag::kBeginSeqNo, "1"}, {tag::kEndSeqNo, "0"}}, later),
          later);
  const auto sent = TakeSent();
  ASSERT_EQ(sent.size(), 6u);
  // 1: gap fill to 2
  EXPECT_EQ(sent[0].type(), "4");
  EXPECT_EQ(sent[0].Get(tag::kMsgSeqNum), "1");
  EXPECT_EQ(sent[0].Get(tag::kGapFillFlag), "Y");
  EXPECT_EQ(sent[0].Get(tag::kPossDupFlag), "Y");
  EXPECT_EQ(sent[0].Get(tag::kNewSeqNo), "2");
  // 2, 3: the reports again
  for (int i = 1; i <= 2; ++i) {
    EXPECT_EQ(sent[i].type(), "8");
    EXPECT_EQ(sent[i].Get(tag::kMsgSeqNum), std::to_string(i + 1));
    EXPECT_EQ(sent[i].Get(tag::kPossDupFlag), "Y");
    EXPECT_EQ(sent[i].Get(tag::kOrigSendingTime), UtcTimestamp(kT0 + i * kSecond));
    EXPECT_EQ(sent[i].Get(tag::kSendingTime), UtcTimestamp(later));
    EXPECT_EQ(sent[i].Get(tag::kOrderID), std::to_string(99 + i));
    EXPECT_EQ(sent[i].Get(tag::kSymbol), "BTC-USD");
    EXPECT_EQ(sent[i].Get(tag::kSenderCompID), "EXCH");
    EXPECT_EQ(sent[i].Get(tag::kTargetCompID), "CLIENT1");
  }
  // 4: gap fill to 5 (the Heartbeat)
  EXPECT_EQ(sent[3].type(), "4");
  EXPECT_EQ(sent[3].Get(tag::kMsgSeqNum), "4");
  EXPECT_EQ(sent[3].Get(tag::kNewSeqNo), "5");
  // 5: the third report
  EXPECT_EQ(sent[4].Get(tag::kMsgSeqNum), "5");
  EXPECT_EQ(sent[4].Get(tag::kOrderID), "102");
  EXPECT_EQ(sent[4].Get(tag::kOrigSendingTime), UtcTimestamp(kT0 + 3 * kSecond));
  // 6: gap fill to 7 (the second Heartbeat)
  EXPECT_EQ(sent[5].type(), "4");
  EXPECT_EQ(sent[5].Get(tag::kMsgSeqNum), "6");
  EXPECT_EQ(sent[5].Get(tag::kNewSeqNo), "7");
  // Resends take no new numbers.
  EXPECT_EQ(session_->next_outgoing(), 7u);

  // A bounded range.
  Receive(Client(msg::kResendRequest, 5, {{tag::kBeginSeqNo, "3"}, {tag::kEndSeqNo, "4"}}));
  const auto part = TakeSent();
  ASSERT_EQ(part.size(), 2u);
  EXPECT_EQ(part[0].Get(tag::kMsgSeqNum), "3");
  EXPECT_EQ(part[0].type(), "8");
  EXPECT_EQ(part[1].Get(tag::kMsgSeqNum), "4");
  EXPECT_EQ(part[1].Get(tag::kNewSeqNo), "5");

  // Beyond what was sent: Reject.
  Receive(Client(msg::kResendRequest, 6, {{tag::kBeginSeqNo, "50"}, {tag::kEndSeqNo, "0"}}));
  const auto rejected = TakeSent();
  ASSERT_EQ(rejected.size(), 1u);
  EXPECT_EQ(rejected[0].type(), "3");
  EXPECT_EQ(rejected[0].Get(tag::kSessionRejectReason), "5");
}

TEST_F(FixSessionTest, MessagesSentWhileDisconnectedArriveThroughResend) {
  LogOn();  // our 1
  Receive(Order(2, "o1"));
  session_->Detach();
  EXPECT_EQ(app_.logouts, 1);
  auto old_host = std::move(host_);
  SendReport("200", kT0 + 1 * kSecond);  // our 2, stored only
  SendReport("201", kT0 + 2 * kSecond);  // our 3
  EXPECT_TRUE(old_host->sent.empty());
  EXPECT_EQ(session_->next_outgoing(), 4u);

  Connect(LogonMessage(3), kT0 + 5 * kSecond);
  ASSERT_TRUE(session_->logged_on());
  auto sent = TakeSent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].Get(tag::kMsgSeqNum), "4");  // the client sees the gap 2..3

  Receive(Client(msg::kResendRequest, 4, {{tag::kBeginSeqNo, "2"}, {tag::kEndSeqNo, "0"}}),
          kT0 + 6 * kSecond);
  sent = TakeSent();
  ASSERT_EQ(sent.size(), 3u);
  EXPECT_EQ(sent[0].Get(tag::kMsgSeqNum), "2");
  EXPECT_EQ(sent[0].Get(tag::kOrderID), "200");
  EXPECT_EQ(sent[0].Get(tag::kPossDupFlag), "Y");
  EXPECT_EQ(sent[1].Get(tag::kMsgSeqNum), "3");
  EXPECT_EQ(sent[1].Get(tag::kOrderID), "201");
  EXPECT_EQ(sent[2].type(), "4");
  EXPECT_EQ(sent[2].Get(tag::kMsgSeqNum), "4");
  EXPECT_EQ(sent[2].Get(tag::kNewSeqNo), "5");
}

TEST_F(FixSessionTest, ApplicationMessagesGoOutAtOnceWhenLoggedOn) {
  LogOn();
  app_.on_message = [&](FixSession& s, const FixMessage& m, std::int64_t now) {
    FixWriter& w = s.BeginApplication(msg::kExecutionReport, now);
    w.Add(tag::kClOrdID, m.Get(tag::kClOrdID));
    s.SendApplication();
  };
  Receive(Order(2, "o1"));
  const auto sent = TakeSent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].type(), "8");
  EXPECT_EQ(sent[0].Get(tag::kClOrdID), "o1");
  EXPECT_EQ(sent[0].Get(tag::kMsgSeqNum), "2");
  const auto stored = store_->Outgoing(2, 2);
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].second, sent[0].raw);
}

// ---- the store across restarts -------------------------------------------

TEST_F(FixSessionTest, SequenceNumbersSurviveAGatewayRestart) {
  LogOn();                                                          // our 1, their 1
  Receive(Order(2, "o1"));                                          // their 2
  SendReport("300", kT0);                                           // our 2
  Receive(Client(msg::kTestRequest, 3, {{tag::kTestReqID, "x"}}));  // our 3
  host_.reset();
  Open();  // the gateway restarts
  EXPECT_EQ(store_->next_incoming(), 4u);
  EXPECT_EQ(store_->next_outgoing(), 4u);
  EXPECT_EQ(store_->dropped_bytes(), 0u);
  const auto stored = store_->Outgoing(1, 0);
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].first, 2u);
  EXPECT_EQ(ParseSent(stored[0].second).Get(tag::kOrderID), "300");

  Connect(LogonMessage(4));
  ASSERT_TRUE(session_->logged_on());
  EXPECT_EQ(TakeSent().at(0).Get(tag::kMsgSeqNum), "4");
  Receive(Client(msg::kResendRequest, 5, {{tag::kBeginSeqNo, "2"}, {tag::kEndSeqNo, "2"}}));
  const auto sent = TakeSent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].Get(tag::kOrderID), "300");
}

TEST_F(FixSessionTest, TornTailRecordIsCutOff) {
  LogOn();
  SendReport("400", kT0);  // our 2
  SendReport("401", kT0);  // our 3
  Receive(Order(2, "o1"));
  host_.reset();
  session_.reset();
  store_.reset();
  const auto good_size = fs::file_size(StorePath());

  // A crash in the middle of the next record: only part of it reached the file.
  {
    SessionStore store(StorePath());
    FixWriter w;
    w.Start(msg::kExecutionReport, "EXCH", "CLIENT1", 4, kT0);
    w.Add(tag::kOrderID, "402");
    store.RecordOutgoing(4, w.Finish(), true);
  }
  const auto full_size = fs::file_size(StorePath());
  fs::resize_file(StorePath(), full_size - 7);

  Open();
  EXPECT_EQ(store_->dropped_bytes(), full_size - 7 - good_size);
  EXPECT_EQ(fs::file_size(StorePath()), good_size);
  EXPECT_EQ(store_->next_outgoing(), 4u);
  EXPECT_EQ(store_->next_incoming(), 3u);
  EXPECT_EQ(store_->Outgoing(1, 0).size(), 2u);

  // Appending continues cleanly after the cut.
  SendReport("403", kT0);
  Open();
  EXPECT_EQ(store_->dropped_bytes(), 0u);
  EXPECT_EQ(store_->next_outgoing(), 5u);
  const auto stored = store_->Outgoing(4, 0);
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(ParseSent(stored[0].second).Get(tag::kOrderID), "403");

  // Zeros after the last record (a machine crash) are cut too.
  session_.reset();
  store_.reset();
  const auto size = fs::file_size(StorePath());
  fs::resize_file(StorePath(), size + 100);
  Open();
  EXPECT_EQ(store_->dropped_bytes(), 100u);
  EXPECT_EQ(store_->next_outgoing(), 5u);
}

TEST_F(FixSessionTest, DamageBeforeTheLastRecordIsAnError) {
  LogOn();
  SendReport("500", kT0);
  SendReport("501", kT0);
  host_.reset();
  session_.reset();
  store_.reset();
  {
    std::fstream f(StorePath(), std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(40);  // inside the first records
    const char byte = static_cast<char>(f.get());
    f.seekp(40);
    f.put(static_cast<char>(byte ^ 0x5A));
  }
  try {
    SessionStore store(StorePath());
    FAIL() << "a damaged store opened";
  } catch (const SessionStoreError& e) {
    EXPECT_NE(std::string(e.what()).find(StorePath()), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("corrupt"), std::string::npos) << e.what();
  }
}

TEST_F(FixSessionTest, StoreErrorsNameThePathAndTheCause) {
  const std::string missing = dir_ + "/no/such/dir/S2.fixstore";
  try {
    SessionStore store(missing);
    FAIL() << "opened " << missing;
  } catch (const SessionStoreError& e) {
    EXPECT_NE(std::string(e.what()).find(missing), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("No such file or directory"), std::string::npos)
        << e.what();
  }
  // The file is locked while open.
  EXPECT_THROW(SessionStore second(StorePath()), SessionStoreError);
  // Not a store.
  const std::string other = dir_ + "/other.fixstore";
  std::ofstream(other) << "hello, world";
  EXPECT_THROW(SessionStore store(other), SessionStoreError);
}

// ---- heartbeats and timeouts ----------------------------------------------

TEST_F(FixSessionTest, HeartbeatAfterHeartBtIntIdle) {
  LogOn();
  session_->OnTimer(kT0 + 29 * kSecond);
  EXPECT_TRUE(TakeSent().empty());
  session_->OnTimer(kT0 + 30 * kSecond);
  auto sent = TakeSent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].type(), "0");
  EXPECT_FALSE(sent[0].Has(tag::kTestReqID));
  // Sending anything restarts the interval.
  SendReport("1", kT0 + 45 * kSecond);
  TakeSent();
  Receive(Client(msg::kHeartbeat, 2, {}, kT0 + 45 * kSecond), kT0 + 45 * kSecond);
  session_->OnTimer(kT0 + 74 * kSecond);
  EXPECT_TRUE(TakeSent().empty());
  session_->OnTimer(kT0 + 75 * kSecond);
  EXPECT_EQ(TakeSent().size(), 1u);
}

TEST_F(FixSessionTest, SilenceBringsTestRequestThenTimeoutLogout) {
  LogOn();
  session_->OnTimer(kT0 + 30 * kSecond);  // our Heartbeat
  TakeSent();
  session_->OnTimer(kT0 + 35 * kSecond);
  EXPECT_TRUE(TakeSent().empty());
  session_->OnTimer(kT0 + 36 * kSecond);  // 1.2 x HeartBtInt without a word
  auto sent = TakeSent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].type(), "1");
  EXPECT_FALSE(sent[0].Get(tag::kTestReqID).empty());
  session_->OnTimer(kT0 + 50 * kSecond);  // only once
  EXPECT_TRUE(TakeSent().empty());
  session_->OnTimer(kT0 + 66 * kSecond);
  sent = TakeSent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].type(), "5");
  EXPECT_EQ(sent[0].Get(tag::kText), "heartbeat timeout");
  EXPECT_EQ(host_->disconnects.size(), 1u);
  EXPECT_EQ(app_.logouts, 1);
}

TEST_F(FixSessionTest, HeartbeatAnsweringTestRequestKeepsTheSession) {
  LogOn();
  session_->OnTimer(kT0 + 36 * kSecond);
  auto sent = TakeSent();
  ASSERT_EQ(sent.back().type(), "1");
  const std::string id = sent.back().Get(tag::kTestReqID);
  const std::int64_t t = kT0 + 40 * kSecond;
  Receive(Client(msg::kHeartbeat, 2, {{tag::kTestReqID, id}}, t), t);
  session_->OnTimer(kT0 + 66 * kSecond);
  session_->OnTimer(kT0 + 70 * kSecond);
  for (const Sent& s : TakeSent())
    EXPECT_NE(s.type(), "5");
  EXPECT_TRUE(session_->logged_on());
  EXPECT_TRUE(host_->disconnects.empty());
}

// ---- Logout --------------------------------------------------------------

TEST_F(FixSessionTest, LogoutFromThePeerIsAnswered) {
  LogOn();
  Receive(Client(msg::kLogout, 2, {{tag::kText, "bye"}}));
  const auto sent = TakeSent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].type(), "5");
  EXPECT_EQ(host_->disconnects.size(), 1u);
  EXPECT_EQ(session_->state(), FixSession::State::kDisconnected);
  EXPECT_EQ(app_.logouts, 1);
  EXPECT_EQ(session_->next_incoming(), 3u);
}

TEST_F(FixSessionTest, OurLogoutWaitsForThePeers) {
  LogOn();
  session_->Logout("end of day", kT0 + kSecond);
  auto sent = TakeSent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].type(), "5");
  EXPECT_EQ(sent[0].Get(tag::kText), "end of day");
  EXPECT_EQ(session_->state(), FixSession::State::kLoggingOut);
  EXPECT_TRUE(host_->disconnects.empty());

  // Application messages are not delivered any more.
  Receive(Order(2, "late"));
  EXPECT_TRUE(app_.delivered.empty());
  sent = TakeSent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].type(), "3");

  Receive(Client(msg::kLogout, 3));
  EXPECT_TRUE(TakeSent().empty());  // no second Logout
  EXPECT_EQ(host_->disconnects.size(), 1u);
  EXPECT_EQ(app_.logouts, 1);
}

TEST_F(FixSessionTest, LogoutTimesOutWithoutAnAnswer) {
  LogOn();
  session_->Logout("maintenance", kT0);
  TakeSent();
  session_->OnTimer(kT0 + kSecond);
  EXPECT_TRUE(host_->disconnects.empty());
  session_->OnTimer(kT0 + 2 * kSecond);
  EXPECT_EQ(host_->disconnects.size(), 1u);
  EXPECT_TRUE(TakeSent().empty());
  EXPECT_EQ(session_->state(), FixSession::State::kDisconnected);
}

TEST_F(FixSessionTest, HostClosingInsideSendLeavesTheSessionDisconnected) {
  // Closed by the Logon reply itself: no OnLogon, so no OnLogout either.
  OverflowingHost first(*session_, 1);
  session_->Attach(first, kT0);
  Receive(LogonMessage(1));
  EXPECT_EQ(session_->state(), FixSession::State::kDisconnected);
  EXPECT_EQ(app_.logons, 0);
  EXPECT_EQ(app_.logouts, 0);

  // Closed by our Logout: not stuck in kLoggingOut (the gateway would refuse
  // every later Logon of a session that does not look disconnected).
  OverflowingHost second(*session_, 2);
  session_->Attach(second, kT0);
  Receive(LogonMessage(2));
  ASSERT_TRUE(session_->logged_on());
  session_->Logout("bye", kT0);
  EXPECT_EQ(session_->state(), FixSession::State::kDisconnected);
  EXPECT_EQ(app_.logons, 1);
  EXPECT_EQ(app_.logouts, 1);
  session_->OnTimer(kT0 + 10 * kSecond);  // nothing left to time out
  EXPECT_EQ(second.sent, 2);

  // Closed in the middle of a resend: the rest is not written.
  LogOn();
  for (int i = 0; i < 5; ++i)
    SendReport(std::to_string(i), kT0);
  OverflowingHost third(*session_, 2);
  session_->Detach();
  session_->Attach(third, kT0);
  Receive(LogonMessage(session_->next_incoming()));  // reply: 1 message
  Receive(Client(msg::kResendRequest, session_->next_incoming(),
                 {{tag::kBeginSeqNo, "1"}, {tag::kEndSeqNo, "0"}}));
  EXPECT_EQ(third.sent, 2);
  EXPECT_EQ(session_->state(), FixSession::State::kDisconnected);
}

// ---- parse errors ----------------------------------------------------------

TEST_F(FixSessionTest, ParseErrorIsRejectedWithRefSeqNum) {
  LogOn();
  const std::string bad = RawMessage({{35, "D"},
                                      {49, "CLIENT1"},
                                      {56, "EXCH"},
                                      {34, "2"},
                                      {52, UtcTimestamp(kT0)},
                                      {11, "o1"},
                                      {11, "o1-again"}});
  FixMessage m;
  const auto error = m.Parse(bad);
  ASSERT_TRUE(error.has_value()) << "the codec accepted a repeated tag";
  Receive(bad);
  const auto sent = TakeSent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].type(), "3");
  EXPECT_EQ(sent[0].Get(tag::kRefSeqNum), "2");
  EXPECT_EQ(sent[0].Get(tag::kRefMsgType), "D");
  EXPECT_EQ(sent[0].Get(tag::kSessionRejectReason), std::to_string(error->session_reject_reason));
  EXPECT_TRUE(app_.delivered.empty());
  EXPECT_EQ(session_->next_incoming(), 3u);  // used up
  Receive(Order(3, "o2"));
  EXPECT_EQ(app_.delivered.size(), 1u);
}

TEST_F(FixSessionTest, ParseErrorWithoutMsgSeqNumIsIgnored) {
  LogOn();
  // The empty value stops the parse before MsgSeqNum(34) is read.
  const std::string bad = RawMessage(
      {{35, "D"}, {49, "CLIENT1"}, {56, "EXCH"}, {58, ""}, {34, "2"}, {52, UtcTimestamp(kT0)}});
  Receive(bad);
  EXPECT_TRUE(TakeSent().empty());
  EXPECT_TRUE(session_->logged_on());
  EXPECT_EQ(session_->next_incoming(), 2u);
}

TEST_F(FixSessionTest, ParseErrorAsFirstMessageLogsOut) {
  Connect(RawMessage({{35, "A"},
                      {49, "CLIENT1"},
                      {56, "EXCH"},
                      {34, "1"},
                      {52, UtcTimestamp(kT0)},
                      {108, "30"},
                      {108, "30"}}));
  const auto sent = TakeSent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].type(), "5");
  EXPECT_EQ(host_->disconnects.size(), 1u);
  EXPECT_EQ(session_->next_incoming(), 1u);
}

}  // namespace
}  // namespace exchange::fix
