// fix-interop-client: exchange-gateway's FIX 4.4 session and order entry
// against a real FIX engine, QuickFIX, as the initiator (a FileStore keeps its
// sequence numbers across runs). tests/gateway_interop_test.cc runs it against
// a gateway of its own. Every check prints "ok: ..." or "FAIL: ..."; after a
// failure QuickFIX's message log of the run follows.
//
//   --scenario orders  new, replace, cancel, an off-tick reject, a mass
//                      cancel, a session Reject and a BusinessMessageReject
//   --scenario rest    rests a buy of 1 @ 100.00 (--clordid) and logs out
//   --scenario resume  logs on again without a reset: the fill made while
//                      away comes as a resend; then a gap of ours is filled
//
// Exit status: 0 every check passed, 1 a check failed, 2 usage or setup error.
// C++14: QuickFIX 1.15's headers have dynamic exception specifications.
#include <quickfix/Application.h>
#include <quickfix/FileStore.h>
#include <quickfix/Log.h>
#include <quickfix/Message.h>
#include <quickfix/Session.h>
#include <quickfix/SessionSettings.h>
#include <quickfix/SocketInitiator.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
using Fields = std::map<int, std::string>;

// How long any one reply may take (engine round trip through RabbitMQ, and
// QuickFIX's one-second session timer for Logout).
constexpr std::chrono::seconds kReplyTimeout(20);

// ---- options --------------------------------------------------------------

struct Options {
  std::string port, symbol, sender, target, password, store_dir, scenario, clordid, account;
};

const char kUsage[] =
    "usage: fix-interop-client --port N --symbol S --sender COMPID --target COMPID\n"
    "         --password P --store-dir DIR --scenario orders|rest|resume\n"
    "         [--clordid ID (rest, resume)] [--account N (checks Account(1))]\n";

bool ParseOptions(int argc, char** argv, Options* o, std::string* error) {
  const std::map<std::string, std::string*> flags = {
      {"--port", &o->port},         {"--symbol", &o->symbol},     {"--sender", &o->sender},
      {"--target", &o->target},     {"--password", &o->password}, {"--store-dir", &o->store_dir},
      {"--scenario", &o->scenario}, {"--clordid", &o->clordid},   {"--account", &o->account}};
  for (int i = 1; i < argc; i += 2) {
    const auto it = flags.find(argv[i]);
    if (it == flags.end()) {
      *error = std::string("unknown argument '") + argv[i] + "'";
      return false;
    }
    if (i + 1 >= argc) {
      *error = std::string(argv[i]) + " needs a value";
      return false;
    }
    *it->second = argv[i + 1];
  }
  for (const char* required :
       {"--port", "--symbol", "--sender", "--target", "--password", "--store-dir", "--scenario"}) {
    if (flags.at(required)->empty()) {
      *error = std::string(required) + " is required";
      return false;
    }
  }
  if (o->scenario != "orders" && o->scenario != "rest" && o->scenario != "resume") {
    *error = "--scenario must be orders, rest or resume, not '" + o->scenario + "'";
    return false;
  }
  if (o->scenario != "orders" && o->clordid.empty()) {
    *error = "--scenario " + o->scenario + " needs --clordid";
    return false;
  }
  return true;
}

// ---- messages ---------------------------------------------------------------

std::string Printable(std::string wire) {
  std::replace(wire.begin(), wire.end(), '\x01', '|');
  return wire;
}

void AddFields(const FIX::FieldMap& map, Fields* out) {
  for (FIX::FieldMap::const_iterator it = map.begin(); it != map.end(); ++it) {
    out->emplace(it->getTag(), it->getString());
  }
}

// One message QuickFIX received or sent, header, body and trailer together.
struct Seen {
  bool incoming = false;
  Fields fields;

  bool Has(int tag) const { return fields.count(tag) != 0; }
  std::string Get(int tag) const { return Has(tag) ? fields.at(tag) : std::string(); }
  std::string type() const { return Get(35); }
};

Seen SeenOf(bool incoming, const FIX::Message& m) {
  Seen s;
  s.incoming = incoming;
  AddFields(m.getHeader(), &s.fields);
  AddFields(m, &s.fields);
  AddFields(m.getTrailer(), &s.fields);
  return s;
}

using Match = std::function<bool(const Seen&)>;

Match Incoming(const std::string& type) {
  return [type](const Seen& s) { return s.incoming && s.type() == type; };
}

Match Outgoing(const std::string& type) {
  return [type](const Seen& s) { return !s.incoming && s.type() == type; };
}

// An ExecutionReport for ClOrdID `cl_ord_id` with ExecType `exec_type`.
Match Report(const std::string& cl_ord_id, const std::string& exec_type) {
  return [cl_ord_id, exec_type](const Seen& s) {
    return s.incoming && s.type() == "8" && s.Get(11) == cl_ord_id && s.Get(150) == exec_type;
  };
}

// ---- QuickFIX's log, kept for printing after a failure ------------------------

class Transcript : public FIX::LogFactory {
 public:
  Transcript() : start_(Clock::now()) {}

  FIX::Log* create() override { return new SessionLog(*this); }
  FIX::Log* create(const FIX::SessionID&) override { return new SessionLog(*this); }
  void destroy(FIX::Log* log) override { delete log; }

  void Add(const char* what, const std::string& text) {
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start_).count();
    std::lock_guard<std::mutex> lock(mutex_);
    lines_.push_back("  " + std::to_string(ms) + " ms " + what + " " + Printable(text));
  }

  void Print(std::ostream& out) const {
    std::lock_guard<std::mutex> lock(mutex_);
    out << "QuickFIX log of this run:\n";
    for (const std::string& line : lines_)
      out << line << "\n";
  }

 private:
  class SessionLog : public FIX::Log {
   public:
    explicit SessionLog(Transcript& t) : t_(t) {}
    void clear() override {}
    void backup() override {}
    void onIncoming(const std::string& s) override { t_.Add("in ", s); }
    void onOutgoing(const std::string& s) override { t_.Add("out", s); }
    void onEvent(const std::string& s) override { t_.Add("---", s); }

   private:
    Transcript& t_;
  };

  const Clock::time_point start_;
  mutable std::mutex mutex_;
  std::vector<std::string> lines_;
};

// ---- the QuickFIX application: every message into a queue ------------------------

class InteropApp : public FIX::Application {
 public:
  explicit InteropApp(std::string password) : password_(std::move(password)) {}

  void onCreate(const FIX::SessionID&) override {}
  void onLogon(const FIX::SessionID&) override { SetLoggedOn(true); }
  void onLogout(const FIX::SessionID&) override { SetLoggedOn(false); }

  void toAdmin(FIX::Message& m, const FIX::SessionID&) override {
    if (m.getHeader().getField(35) == "A") m.setField(554, password_);
    Push(SeenOf(false, m));
  }
  void toApp(FIX::Message& m, const FIX::SessionID&) throw(FIX::DoNotSend) override {
    Push(SeenOf(false, m));
  }
  void fromAdmin(const FIX::Message& m,
                 const FIX::SessionID&) throw(FIX::FieldNotFound, FIX::IncorrectDataFormat,
                                              FIX::IncorrectTagValue, FIX::RejectLogon) override {
    Push(SeenOf(true, m));
  }
  void fromApp(const FIX::Message& m,
               const FIX::SessionID&) throw(FIX::FieldNotFound, FIX::IncorrectDataFormat,
                                            FIX::IncorrectTagValue,
                                            FIX::UnsupportedMessageType) override {
    Push(SeenOf(true, m));
  }

  // Takes the first message (sent or received, now or before the timeout)
  // that `match` accepts out of the queue; false on timeout.
  bool Take(const Match& match, Seen* out) {
    std::unique_lock<std::mutex> lock(mutex_);
    std::deque<Seen>::iterator found;
    const bool ok = changed_.wait_for(lock, kReplyTimeout, [&] {
      found = std::find_if(queue_.begin(), queue_.end(), match);
      return found != queue_.end();
    });
    if (!ok) return false;
    *out = std::move(*found);
    queue_.erase(found);
    return true;
  }

  // Whether a message `match` accepts is in the queue now.
  bool Holds(const Match& match) {
    std::lock_guard<std::mutex> lock(mutex_);
    return std::any_of(queue_.begin(), queue_.end(), match);
  }

  bool AwaitLoggedOn(bool on) {
    std::unique_lock<std::mutex> lock(mutex_);
    return changed_.wait_for(lock, kReplyTimeout, [&] { return logged_on_ == on; });
  }

 private:
  void Push(Seen s) {
    std::lock_guard<std::mutex> lock(mutex_);
    queue_.push_back(std::move(s));
    changed_.notify_all();
  }
  void SetLoggedOn(bool on) {
    std::lock_guard<std::mutex> lock(mutex_);
    logged_on_ = on;
    changed_.notify_all();
  }

  const std::string password_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Seen> queue_;
  bool logged_on_ = false;
};

// ---- checks -------------------------------------------------------------------

// The name of a tag the checks look at.
std::string TagName(int tag) {
  // clang-format off
  static const std::map<int, std::string> names = {
      {1, "Account"}, {6, "AvgPx"}, {7, "BeginSeqNo"}, {11, "ClOrdID"}, {14, "CumQty"},
      {16, "EndSeqNo"}, {17, "ExecID"}, {31, "LastPx"}, {32, "LastQty"}, {34, "MsgSeqNum"},
      {35, "MsgType"}, {36, "NewSeqNo"}, {37, "OrderID"}, {38, "OrderQty"}, {39, "OrdStatus"},
      {40, "OrdType"}, {41, "OrigClOrdID"}, {43, "PossDupFlag"}, {44, "Price"},
      {45, "RefSeqNum"}, {54, "Side"}, {55, "Symbol"}, {58, "Text"}, {59, "TimeInForce"},
      {60, "TransactTime"}, {103, "OrdRejReason"}, {122, "OrigSendingTime"},
      {123, "GapFillFlag"}, {141, "ResetSeqNumFlag"}, {150, "ExecType"}, {151, "LeavesQty"},
      {371, "RefTagID"}, {372, "RefMsgType"}, {373, "SessionRejectReason"},
      {380, "BusinessRejectReason"}, {530, "MassCancelRequestType"},
      {531, "MassCancelResponse"}, {533, "TotalAffectedOrders"}};
  // clang-format on
  const auto it = names.find(tag);
  return it == names.end() ? "tag" : it->second;
}

class Checks {
 public:
  bool That(bool ok, const std::string& what) {
    std::cout << (ok ? "ok: " : "FAIL: ") << what << std::endl;
    ++(ok ? passed_ : failed_);
    return ok;
  }
  // `what` arrived before the timeout (a missing reply ends the scenario).
  bool Arrived(bool ok, const std::string& what) {
    return That(ok, ok ? what + " arrived"
                       : "no " + what + " within " + std::to_string(kReplyTimeout.count()) + " s");
  }
  bool Field(const std::string& context, const Seen& m, int tag, const std::string& want) {
    if (!m.Has(tag))
      return That(false, Name(context, tag) + " is missing, expected '" + want + "'");
    const std::string got = m.Get(tag);
    if (got == want) return That(true, Name(context, tag) + " = " + want);
    return That(false, Name(context, tag) + " is '" + got + "', expected '" + want + "'");
  }
  bool Present(const std::string& context, const Seen& m, int tag) {
    return That(m.Has(tag) && !m.Get(tag).empty(),
                Name(context, tag) + (m.Has(tag) ? " = " + m.Get(tag) : " is missing"));
  }
  bool Absent(const std::string& context, const Seen& m, int tag) {
    return That(!m.Has(tag),
                Name(context, tag) +
                    (m.Has(tag) ? " is '" + m.Get(tag) + "', expected none" : " is absent"));
  }

  int passed() const { return passed_; }
  int failed() const { return failed_; }

 private:
  static std::string Name(const std::string& context, int tag) {
    return context + ": " + TagName(tag) + "(" + std::to_string(tag) + ")";
  }

  int passed_ = 0;
  int failed_ = 0;
};

// ---- the QuickFIX initiator -----------------------------------------------------

std::string SettingsText(const Options& o, bool reset) {
  std::ostringstream s;
  s << "[DEFAULT]\n"
    << "ConnectionType=initiator\n"
    << "SocketConnectHost=127.0.0.1\n"
    << "SocketConnectPort=" << o.port << "\n"
    << "HeartBtInt=30\n"
    << "ReconnectInterval=1\n"
    << "StartTime=00:00:00\n"
    << "EndTime=00:00:00\n"
    << "UseDataDictionary=N\n"
    << "FileStorePath=" << o.store_dir << "\n"
    << "ResetOnLogon=" << (reset ? "Y" : "N") << "\n"
    << "[SESSION]\n"
    << "BeginString=FIX.4.4\n"
    << "SenderCompID=" << o.sender << "\n"
    << "TargetCompID=" << o.target << "\n";
  return s.str();
}

class Client {
 public:
  Client(const Options& o, bool reset) : app_(o.password) {
    std::istringstream text(SettingsText(o, reset));
    settings_.reset(new FIX::SessionSettings(text));
    store_.reset(new FIX::FileStoreFactory(*settings_));
    initiator_.reset(new FIX::SocketInitiator(app_, *store_, *settings_, transcript_));
    id_ = FIX::SessionID("FIX.4.4", o.sender, o.target);
  }
  ~Client() { Stop(); }

  // Throws FIX::ConfigError or FIX::RuntimeError on a setup problem.
  void Start() { initiator_->start(); }

  void Stop() {
    if (initiator_ && !stopped_) initiator_->stop();
    stopped_ = true;
  }

  // Logs out (QuickFIX sends the Logout on its next timer tick) and waits
  // for the gateway's answer, then stops the initiator.
  bool Logout() {
    session().logout("fix-interop-client done");
    const bool ok = app_.AwaitLoggedOn(false);
    Stop();
    return ok;
  }

  // Sends `m` through QuickFIX; *seq is the MsgSeqNum it took.
  bool Send(FIX::Message& m, std::string* seq = nullptr) {
    const bool sent = FIX::Session::sendToTarget(m, id_);
    if (seq != nullptr) *seq = m.getHeader().isSetField(34) ? m.getHeader().getField(34) : "";
    return sent;
  }

  FIX::Session& session() {
    FIX::Session* s = FIX::Session::lookupSession(id_);
    if (s == nullptr) throw std::runtime_error("QuickFIX has no session " + id_.toString());
    return *s;
  }

  InteropApp& app() { return app_; }
  const Transcript& transcript() const { return transcript_; }

 private:
  InteropApp app_;
  Transcript transcript_;
  FIX::SessionID id_;
  std::unique_ptr<FIX::SessionSettings> settings_;
  std::unique_ptr<FIX::FileStoreFactory> store_;
  std::unique_ptr<FIX::SocketInitiator> initiator_;  // declared last: destroyed first
  bool stopped_ = false;
};

// ---- requests -----------------------------------------------------------------

FIX::Message Request(const char* msg_type) {
  FIX::Message m;
  m.getHeader().setField(35, msg_type);
  return m;
}

void Stamp(FIX::Message& m) {
  m.setField(FIX::TransactTime(3));
}

FIX::Message NewLimit(const std::string& symbol, const std::string& id, const std::string& side,
                      const std::string& qty, const std::string& px) {
  FIX::Message m = Request("D");
  m.setField(11, id);
  m.setField(55, symbol);
  if (!side.empty()) m.setField(54, side);
  m.setField(38, qty);
  m.setField(40, "2");
  m.setField(44, px);
  m.setField(59, "1");
  Stamp(m);
  return m;
}

FIX::Message Replace(const std::string& symbol, const std::string& id, const std::string& orig,
                     const std::string& qty, const std::string& px) {
  FIX::Message m = Request("G");
  m.setField(11, id);
  m.setField(41, orig);
  m.setField(55, symbol);
  m.setField(54, "1");
  m.setField(38, qty);
  m.setField(40, "2");
  m.setField(44, px);
  Stamp(m);
  return m;
}

FIX::Message Cancel(const std::string& symbol, const std::string& id, const std::string& orig,
                    const std::string& qty) {
  FIX::Message m = Request("F");
  m.setField(11, id);
  m.setField(41, orig);
  m.setField(55, symbol);
  m.setField(54, "1");
  m.setField(38, qty);
  Stamp(m);
  return m;
}

FIX::Message MassCancel(const std::string& symbol, const std::string& id) {
  FIX::Message m = Request("q");
  m.setField(11, id);
  m.setField(530, "1");
  m.setField(55, symbol);
  Stamp(m);
  return m;
}

// ---- scenario steps -------------------------------------------------------------
// Each returns false when a reply never came: the steps after it would only
// fail for that same reason.

struct Run {
  const Options& o;
  Client& client;
  Checks& checks;
};

bool SendChecked(Run& r, FIX::Message m, const std::string& what, std::string* seq = nullptr) {
  return r.checks.That(r.client.Send(m, seq), "QuickFIX sent " + what);
}

bool Logon(Run& r, bool reset) {
  if (!r.checks.That(r.client.app().AwaitLoggedOn(true), "QuickFIX logged on")) return false;
  Seen reply;
  if (!r.checks.Arrived(r.client.app().Take(Incoming("A"), &reply), "the gateway's Logon")) {
    return false;
  }
  if (reset) r.checks.Field("Logon reply", reply, 141, "Y");
  return true;
}

// The fields every ExecutionReport carries, as this order is now.
void CheckOrderFields(Run& r, const std::string& context, const Seen& m, const std::string& qty,
                      const std::string& px) {
  r.checks.Field(context, m, 55, r.o.symbol);
  r.checks.Field(context, m, 54, "1");
  r.checks.Field(context, m, 38, qty);
  r.checks.Field(context, m, 40, "2");
  r.checks.Field(context, m, 44, px);
  r.checks.Field(context, m, 59, "1");
  r.checks.Present(context, m, 17);
  r.checks.Present(context, m, 60);
  if (r.o.account.empty()) {
    r.checks.Present(context, m, 1);
  } else {
    r.checks.Field(context, m, 1, r.o.account);
  }
}

bool NewIsAcknowledged(Run& r, std::string* order_id, std::string* exec_id) {
  if (!SendChecked(r, NewLimit(r.o.symbol, "QF-1", "1", "2", "100.00"),
                   "NewOrderSingle QF-1 buy 2 @ 100.00")) {
    return false;
  }
  Seen m;
  if (!r.checks.Arrived(r.client.app().Take(Report("QF-1", "0"), &m),
                        "ExecutionReport New of QF-1")) {
    return false;
  }
  const std::string c = "New QF-1";
  r.checks.Field(c, m, 11, "QF-1");
  r.checks.Field(c, m, 39, "0");
  r.checks.Absent(c, m, 41);
  CheckOrderFields(r, c, m, "2", "100.00");
  r.checks.Field(c, m, 151, "2");
  r.checks.Field(c, m, 14, "0");
  r.checks.Field(c, m, 6, "0");
  r.checks.Absent(c, m, 32);
  r.checks.Absent(c, m, 31);
  r.checks.That(m.Has(37) && !m.Get(37).empty() && m.Get(37) != "NONE",
                c + ": OrderID(37) is the exchange's id: '" + m.Get(37) + "'");
  *order_id = m.Get(37);
  *exec_id = m.Get(17);
  return true;
}

bool ReplaceIsReported(Run& r, const std::string& order_id, const std::string& new_exec_id) {
  if (!SendChecked(r, Replace(r.o.symbol, "QF-2", "QF-1", "3", "100.50"),
                   "OrderCancelReplaceRequest QF-2 for QF-1: 3 @ 100.50")) {
    return false;
  }
  Seen m;
  if (!r.checks.Arrived(r.client.app().Take(Report("QF-2", "5"), &m),
                        "ExecutionReport Replaced of QF-2")) {
    return false;
  }
  const std::string c = "Replaced QF-2";
  r.checks.Field(c, m, 39, "0");
  r.checks.Field(c, m, 11, "QF-2");
  r.checks.Field(c, m, 41, "QF-1");
  r.checks.Field(c, m, 37, order_id);
  CheckOrderFields(r, c, m, "3", "100.50");
  r.checks.Field(c, m, 151, "3");
  r.checks.Field(c, m, 14, "0");
  r.checks.That(m.Get(17) != new_exec_id, c + ": ExecID(17) differs from the New report's");
  return true;
}

bool CancelIsReported(Run& r, const std::string& order_id) {
  if (!SendChecked(r, Cancel(r.o.symbol, "QF-3", "QF-2", "3"),
                   "OrderCancelRequest QF-3 for QF-2")) {
    return false;
  }
  Seen m;
  if (!r.checks.Arrived(r.client.app().Take(Report("QF-3", "4"), &m),
                        "ExecutionReport Canceled of QF-3")) {
    return false;
  }
  const std::string c = "Canceled QF-3";
  r.checks.Field(c, m, 39, "4");
  r.checks.Field(c, m, 11, "QF-3");
  r.checks.Field(c, m, 41, "QF-2");
  r.checks.Field(c, m, 37, order_id);
  CheckOrderFields(r, c, m, "3", "100.50");
  r.checks.Field(c, m, 151, "0");
  r.checks.Field(c, m, 14, "0");
  return true;
}

bool OffTickIsRejected(Run& r) {
  if (!SendChecked(r, NewLimit(r.o.symbol, "QF-BAD", "1", "1", "100.01"),
                   "NewOrderSingle QF-BAD buy 1 @ 100.01 (off the 0.05 tick)")) {
    return false;
  }
  Seen m;
  if (!r.checks.Arrived(r.client.app().Take(Report("QF-BAD", "8"), &m),
                        "ExecutionReport Rejected of QF-BAD")) {
    return false;
  }
  const std::string c = "Rejected QF-BAD";
  r.checks.Field(c, m, 39, "8");
  r.checks.Field(c, m, 151, "0");
  r.checks.Field(c, m, 14, "0");
  r.checks.Present(c, m, 103);
  r.checks.That(m.Get(58).find("tick") != std::string::npos,
                c + ": Text(58) mentions the tick: '" + m.Get(58) + "'");
  return true;
}

bool RestingBuy(Run& r, const std::string& id, const std::string& px) {
  if (!SendChecked(r, NewLimit(r.o.symbol, id, "1", "1", px),
                   "NewOrderSingle " + id + " buy 1 @ " + px)) {
    return false;
  }
  Seen m;
  return r.checks.Arrived(r.client.app().Take(Report(id, "0"), &m), "ExecutionReport New of " + id);
}

bool MassCancelIsReported(Run& r) {
  if (!RestingBuy(r, "QF-4", "90.00") || !RestingBuy(r, "QF-5", "91.00")) return false;
  if (!SendChecked(r, MassCancel(r.o.symbol, "QF-M"),
                   "OrderMassCancelRequest QF-M (530=1, this symbol)")) {
    return false;
  }
  Seen m;
  if (!r.checks.Arrived(r.client.app().Take(Incoming("r"), &m), "OrderMassCancelReport")) {
    return false;
  }
  const std::string c = "OrderMassCancelReport";
  r.checks.Field(c, m, 11, "QF-M");
  r.checks.Field(c, m, 530, "1");
  r.checks.Field(c, m, 531, "1");
  r.checks.Field(c, m, 533, "2");
  r.checks.Field(c, m, 55, r.o.symbol);
  std::set<std::string> canceled;
  const Match cancel_report = [](const Seen& s) {
    return s.incoming && s.type() == "8" && s.Get(150) == "4" &&
           (s.Get(11) == "QF-4" || s.Get(11) == "QF-5");
  };
  for (int i = 0; i < 2; ++i) {
    if (!r.checks.Arrived(r.client.app().Take(cancel_report, &m),
                          "ExecutionReport Canceled of the mass cancel")) {
      return false;
    }
    r.checks.Field("mass cancel of " + m.Get(11), m, 39, "4");
    r.checks.Field("mass cancel of " + m.Get(11), m, 151, "0");
    canceled.insert(m.Get(11));
  }
  return r.checks.That(canceled == std::set<std::string>({"QF-4", "QF-5"}),
                       "the mass cancel canceled QF-4 and QF-5, each once");
}

bool MissingSideIsRejected(Run& r) {
  std::string seq;
  if (!SendChecked(r, NewLimit(r.o.symbol, "QF-NOSIDE", "", "1", "100.00"),
                   "NewOrderSingle QF-NOSIDE without Side(54)", &seq)) {
    return false;
  }
  Seen m;
  if (!r.checks.Arrived(r.client.app().Take(Incoming("3"), &m), "session Reject(35=3)")) {
    return false;
  }
  const std::string c = "Reject of QF-NOSIDE";
  r.checks.Field(c, m, 45, seq);
  r.checks.Field(c, m, 371, "54");
  r.checks.Field(c, m, 372, "D");
  r.checks.Field(c, m, 373, "1");
  r.checks.Present(c, m, 58);
  return true;
}

bool UnsupportedTypeIsRejected(Run& r) {
  FIX::Message quote_request = Request("R");
  quote_request.setField(131, "QF-QR");
  quote_request.setField(146, "1");
  quote_request.setField(55, r.o.symbol);
  std::string seq;
  if (!SendChecked(r, quote_request, "QuoteRequest(35=R), a type the gateway does not take",
                   &seq)) {
    return false;
  }
  Seen m;
  if (!r.checks.Arrived(r.client.app().Take(Incoming("j"), &m), "BusinessMessageReject(35=j)")) {
    return false;
  }
  const std::string c = "BusinessMessageReject of 35=R";
  r.checks.Field(c, m, 45, seq);
  r.checks.Field(c, m, 372, "R");
  r.checks.Field(c, m, 380, "3");
  r.checks.Present(c, m, 58);
  return true;
}

// Logs out; QuickFIX must have taken every message of the gateway's at the
// session level (it answers one it cannot take with a Reject).
void Finish(Run& r, const std::string& what) {
  r.checks.That(r.client.Logout(), what);
  r.checks.That(!r.client.app().Holds(Outgoing("3")),
                "QuickFIX sent no Reject(35=3): it took every message of the gateway's");
}

void OrdersScenario(Run& r) {
  if (!Logon(r, true)) return;
  std::string order_id, exec_id;
  if (!NewIsAcknowledged(r, &order_id, &exec_id)) return;
  if (!ReplaceIsReported(r, order_id, exec_id)) return;
  if (!CancelIsReported(r, order_id)) return;
  if (!OffTickIsRejected(r)) return;
  if (!MassCancelIsReported(r)) return;
  if (!MissingSideIsRejected(r)) return;
  if (!UnsupportedTypeIsRejected(r)) return;
  Finish(r, "logged out");
}

void RestScenario(Run& r) {
  if (!Logon(r, true)) return;
  if (!RestingBuy(r, r.o.clordid, "100.00")) return;
  Finish(r, "logged out with " + r.o.clordid + " resting");
}

// The gateway's Logon is beyond what QuickFIX expects (the fill was sent while
// we were away): QuickFIX asks for the gap itself and gets the fill resent.
bool FillIsResent(Run& r) {
  Seen m;
  if (!r.checks.Arrived(r.client.app().Take(Outgoing("2"), &m), "QuickFIX's own ResendRequest")) {
    return false;
  }
  r.checks.Present("QuickFIX's ResendRequest", m, 7);
  const std::string& id = r.o.clordid;
  if (!r.checks.Arrived(r.client.app().Take(Report(id, "F"), &m),
                        "the resent ExecutionReport Trade of " + id)) {
    return false;
  }
  const std::string c = "resent fill of " + id;
  r.checks.Field(c, m, 43, "Y");
  r.checks.Present(c, m, 122);
  r.checks.Field(c, m, 39, "2");
  r.checks.Field(c, m, 32, "1");
  r.checks.Field(c, m, 31, "100.00");
  r.checks.Field(c, m, 14, "1");
  r.checks.Field(c, m, 151, "0");
  r.checks.Field(c, m, 6, "100.00");
  r.checks.Field(c, m, 38, "1");
  r.checks.Field(c, m, 44, "100.00");
  return true;
}

// We skip 5 sequence numbers: the gateway asks for them, QuickFIX gap-fills
// them and resends the order, which the gateway then accepts.
bool GapIsFilled(Run& r) {
  FIX::Session& session = r.client.session();
  const int next = session.getExpectedSenderNum();
  session.setNextSenderMsgSeqNum(next + 5);
  const std::string id = r.o.clordid + "-GAP";
  if (!SendChecked(r, NewLimit(r.o.symbol, id, "1", "1", "95.00"),
                   "NewOrderSingle " + id + " after skipping MsgSeqNum " + std::to_string(next) +
                       ".." + std::to_string(next + 4))) {
    return false;
  }
  Seen m;
  if (!r.checks.Arrived(r.client.app().Take(Incoming("2"), &m), "the gateway's ResendRequest")) {
    return false;
  }
  r.checks.Field("the gateway's ResendRequest", m, 7, std::to_string(next));
  const Match gap_fill = [](const Seen& s) {
    return !s.incoming && s.type() == "4" && s.Get(123) == "Y";
  };
  if (!r.checks.Arrived(r.client.app().Take(gap_fill, &m), "QuickFIX's SequenceReset-GapFill")) {
    return false;
  }
  r.checks.Field("QuickFIX's gap fill", m, 34, std::to_string(next));
  r.checks.Field("QuickFIX's gap fill", m, 36, std::to_string(next + 5));
  if (!r.checks.Arrived(r.client.app().Take(Report(id, "0"), &m),
                        "ExecutionReport New of " + id + " after the gap")) {
    return false;
  }
  r.checks.Field("New " + id, m, 39, "0");
  r.checks.Field("New " + id, m, 151, "1");
  return true;
}

void ResumeScenario(Run& r) {
  if (!Logon(r, false)) return;
  if (!FillIsResent(r)) return;
  if (!GapIsFilled(r)) return;
  Finish(r, "logged out");
}

int RunScenario(const Options& o) {
  std::unique_ptr<Client> client;
  try {
    client.reset(new Client(o, o.scenario != "resume"));
    client->Start();
  } catch (const std::exception& e) {
    std::cerr << "fix-interop-client: QuickFIX setup failed: " << e.what() << std::endl;
    return 2;
  }
  Checks checks;
  Run run{o, *client, checks};
  try {
    if (o.scenario == "orders") OrdersScenario(run);
    if (o.scenario == "rest") RestScenario(run);
    if (o.scenario == "resume") ResumeScenario(run);
  } catch (const std::exception& e) {
    checks.That(false, std::string("exception: ") + e.what());
  }
  client->Stop();
  if (checks.failed() > 0) client->transcript().Print(std::cout);
  std::cout << "scenario " << o.scenario << ": " << checks.passed() << " passed, "
            << checks.failed() << " failed" << std::endl;
  return checks.failed() == 0 && checks.passed() > 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  std::string error;
  if (!ParseOptions(argc, argv, &o, &error)) {
    std::cerr << "fix-interop-client: " << error << "\n" << kUsage;
    return 2;
  }
  return RunScenario(o);
}
