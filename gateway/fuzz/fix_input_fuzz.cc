// libFuzzer target: the input is what a FIX client sends on one TCP stream.
// It arrives in chunks of varying size and goes the gateway's way:
// FrameMessage -> FixMessage::Parse -> FixSession (OnMessage or
// OnParseError), garbled frames skipped. The first message of a connection
// is attached to the session whatever its CompIDs; after a disconnect the
// next message starts a new connection. The store is one temporary file
// (unlinked once open), reset for every run.
//
// Every input runs twice: as it is, and with BodyLength(9) and CheckSum(10)
// of each "8=FIX.4.4" segment rewritten to be right, so that mutations reach
// the session rules instead of dying at the checksum.
//
// Besides the sanitizers' findings, it aborts when the codec breaks its
// contract (a garbled frame that skips nothing, an incomplete frame longer
// than any message) or when the session writes a message that does not
// frame and parse.
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <string>
#include <string_view>

#include "gateway/fix_message.h"
#include "gateway/fix_session.h"
#include "gateway/fix_tags.h"
#include "gateway/fix_writer.h"
#include "gateway/session_store.h"

namespace {

using namespace exchange::fix;

constexpr std::int64_t kStart =
    1'709'294'400'000'000'000;                    // 2024-03-01 12:00:00 UTC, as the corpus
constexpr std::int64_t kChunkTime = 100'000'000;  // 100 ms between chunks
constexpr std::size_t kChunkSizes[] = {1, 5, 64, 17, 2, 300, 33, 9};

[[noreturn]] void Abort(const char* what, std::string_view bytes) {
  std::fprintf(stderr, "fix_input_fuzz: %s: %s\n", what, Printable(bytes).c_str());
  std::abort();
}

// Everything the session sends must be a well-formed message.
class CheckingHost : public SessionHost {
 public:
  void Send(std::string_view message) override {
    if (message.size() > kMaxMessageLength) return;  // long echoes: beyond what we frame
    const Frame frame = FrameMessage(message);
    if (frame.status != FrameStatus::kComplete || frame.length != message.size()) {
      Abort("the session sent a message that does not frame", message);
    }
    FixMessage parsed;
    if (parsed.Parse(message)) Abort("the session sent a message that does not parse", message);
  }
  void Disconnect(std::string_view) override { connected = false; }

  bool connected = false;
};

// Answers every order with an ExecutionReport, so resends have something to resend.
class EchoApplication : public SessionApplication {
 public:
  void OnApplicationMessage(FixSession& session, const FixMessage& message,
                            std::int64_t now_ns) override {
    const std::string_view cl_ord_id = message.Get(tag::kClOrdID);
    if (cl_ord_id.starts_with("L")) {
      session.Logout("logout asked by the fuzz input", now_ns);
      return;
    }
    FixWriter& w = session.BeginApplication(msg::kExecutionReport, now_ns);
    if (!cl_ord_id.empty()) w.Add(tag::kClOrdID, cl_ord_id);
    w.Add(tag::kExecType, '0');
    session.SendApplication();
  }
};

// Unlinked as soon as it is open (it works through its descriptor), so no
// run leaves a file behind however libFuzzer exits.
SessionStore& Store() {
  static SessionStore* store = [] {
    const std::string path = "/tmp/fix_input_fuzz_" + std::to_string(::getpid()) + ".fixstore";
    ::unlink(path.c_str());
    auto* s = new SessionStore(path);
    ::unlink(path.c_str());
    return s;
  }();
  return *store;
}

SessionConfig Config() {
  SessionConfig config;
  config.name = "FUZZ";
  config.client_comp_id = "CLIENT1";
  config.gateway_comp_id = "EXCH";
  config.password = "secret";
  return config;
}

// One framed message to the session, attaching a new connection if needed.
void Deliver(FixSession& session, CheckingHost& host, std::string_view framed, std::int64_t now) {
  if (!host.connected) {
    session.Attach(host, now);
    host.connected = true;
  }
  FixMessage message;
  if (const auto error = message.Parse(framed)) {
    session.OnParseError(message, *error, now);
  } else {
    session.OnMessage(message, now);
  }
  if (session.state() == FixSession::State::kDisconnected) host.connected = false;
}

// The input with every "8=FIX.4.4<SOH>" segment given the right BodyLength
// and CheckSum (whatever 9 and 10 it had are replaced).
std::string RepairFraming(std::string_view input) {
  constexpr std::string_view kBegin = "8=FIX.4.4\x01";
  std::size_t pos = input.find(kBegin);
  std::string out(input.substr(0, pos));
  while (pos != std::string_view::npos) {
    const std::size_t next = input.find(kBegin, pos + kBegin.size());
    const std::size_t end = next == std::string_view::npos ? input.size() : next;
    std::string_view body = input.substr(pos + kBegin.size(), end - pos - kBegin.size());
    if (body.starts_with("9=")) {
      const std::size_t soh = body.find(kSoh);
      body = soh == std::string_view::npos ? std::string_view() : body.substr(soh + 1);
    }
    const std::size_t trailer = body.rfind(
        "\x01"
        "10=");
    if (trailer != std::string_view::npos) {
      body = body.substr(0, trailer + 1);
    } else if (body.starts_with("10=")) {
      body = {};
    }
    std::string message(kBegin);
    message += "9=";
    message += std::to_string(body.size());
    message += kSoh;
    message += body;
    char trailer_text[8];
    std::snprintf(trailer_text, sizeof(trailer_text), "10=%03u",
                  static_cast<unsigned>(Checksum(message)));
    message += trailer_text;
    message += kSoh;
    out += message;
    pos = next;
  }
  return out;
}

// One connection's worth of bytes through framing, parsing and a fresh session.
void Run(std::string_view input) {
  SessionStore& store = Store();
  store.Reset();
  EchoApplication application;
  CheckingHost host;
  FixSession session(Config(), store, application);

  std::string buffer;  // received, not yet consumed
  std::int64_t now = kStart;
  std::size_t pos = 0;
  for (std::size_t chunk = 0; pos < input.size(); ++chunk) {
    const std::size_t n = std::min(input.size() - pos, kChunkSizes[chunk % std::size(kChunkSizes)]);
    buffer.append(input.substr(pos, n));
    pos += n;
    std::size_t consumed = 0;
    while (consumed < buffer.size()) {
      const std::string_view rest = std::string_view(buffer).substr(consumed);
      const Frame frame = FrameMessage(rest);
      if (frame.status == FrameStatus::kIncomplete) {
        if (rest.size() > kMaxMessageLength + 64) Abort("incomplete beyond the maximum", rest);
        break;
      }
      if (frame.length == 0 || frame.length > rest.size()) {
        Abort("FrameMessage length out of range", rest);
      }
      if (frame.status == FrameStatus::kComplete) {
        Deliver(session, host, rest.substr(0, frame.length), now);
      }
      consumed += frame.length;  // garbled bytes are skipped
    }
    buffer.erase(0, consumed);
    now += kChunkTime;
    if (host.connected) {
      session.OnTimer(now);
      if (session.state() == FixSession::State::kDisconnected) host.connected = false;
    }
  }
  if (host.connected) session.Detach();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  Run(input);
  Run(RepairFraming(input));
  return 0;
}
