// Interoperability of exchange-gateway with a real FIX engine: QuickFIX, as
// fix-interop-client (tests/quickfix/), is run as a child process against the
// real gateway and engine processes of GatewayTest. The client checks every
// reply itself and exits 0 only when all its checks passed; its output (one
// "ok:"/"FAIL:" line per check, QuickFIX's message log after a failure) is
// shown when it did not.
#include <sys/wait.h>

#include "testing/child_process.h"
#include "testing/proc_stats.h"
#include "tests/gateway_harness.h"

namespace exchange::testing {
namespace {

// How long one run of the client may take before it is killed.
constexpr seconds kClientTimeout(120);

struct ClientRun {
  int exit_code = -1;  // -1: killed or did not exit normally
  std::string output;  // stdout and stderr
};

// Runs fix-interop-client with `args`, its stdout and stderr going to
// `output_path`; killed after kClientTimeout.
ClientRun RunInteropClient(const std::vector<std::string>& args, const std::string& output_path) {
  ChildOptions options;
  options.path = FIX_INTEROP_CLIENT_BIN;
  options.args = {FIX_INTEROP_CLIENT_BIN};
  options.output_file = output_path;
  options.args.insert(options.args.end(), args.begin(), args.end());
  int status = -1;
  try {
    ChildProcess client(std::move(options));
    const auto exited = client.WaitFor(kClientTimeout);
    status = exited ? *exited : client.SignalAndWait(SIGKILL);
  } catch (const std::exception& e) {
    return {-1, e.what()};
  }
  ClientRun run;
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  run.output = ReadWholeFile(output_path);
  return run;
}

// The arguments every scenario takes, as session A (CLIENT_A, account a).
std::vector<std::string> ClientArgs(const std::string& scenario, std::uint16_t port,
                                    const std::string& symbol, std::uint32_t account,
                                    const std::string& store_dir) {
  return {"--scenario",  scenario,
          "--port",      std::to_string(port),
          "--symbol",    symbol,
          "--sender",    "CLIENT_A",
          "--target",    "EXCH",
          "--password",  "pw-A",
          "--account",   std::to_string(account),
          "--store-dir", store_dir};
}

TEST_F(GatewayTest, QuickFixClientPlacesReplacesCancelsAndMassCancels) {
  const auto args = ClientArgs("orders", port_, symbol_, account_a_, dir_ + "/quickfix-A");
  const ClientRun run = RunInteropClient(args, dir_ + "/interop-orders.out");
  EXPECT_EQ(run.exit_code, 0) << "fix-interop-client --scenario orders:\n" << run.output;
}

TEST_F(GatewayTest, QuickFixClientRecoversReportsAfterARestartAndAGap) {
  const std::string store = dir_ + "/quickfix-A";
  auto rest = ClientArgs("rest", port_, symbol_, account_a_, store);
  rest.insert(rest.end(), {"--clordid", "QF-REST-1"});
  const ClientRun rested = RunInteropClient(rest, dir_ + "/interop-rest.out");
  ASSERT_EQ(rested.exit_code, 0) << "fix-interop-client --scenario rest:\n" << rested.output;

  // While QuickFIX is away, B sells into its resting buy.
  auto b = LoggedOn("B");
  NewLimit(*b, "B-1", '2', "1", "100.00");
  auto fill = b->WaitForReport("B-1", 'F');
  ASSERT_TRUE(fill) << "B's sell did not trade with QuickFIX's resting buy";
  EXPECT_EQ(fill->at(tag::kOrdStatus), "2");

  // A's copy of the trade comes on A's own event stream, maybe after B's.
  WaitUntilStored("A", "150=F");
  auto resume = ClientArgs("resume", port_, symbol_, account_a_, store);
  resume.insert(resume.end(), {"--clordid", "QF-REST-1"});
  const ClientRun resumed = RunInteropClient(resume, dir_ + "/interop-resume.out");
  EXPECT_EQ(resumed.exit_code, 0) << "fix-interop-client --scenario resume:\n" << resumed.output;
}

}  // namespace
}  // namespace exchange::testing
