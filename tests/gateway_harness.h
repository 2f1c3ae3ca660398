// Test harness for exchange-gateway: runs the real gateway and engine
// processes on a symbol, shard, gateway queue and accounts of the test's
// own, with two FIX sessions "A" and "B" (CompIDs CLIENT_A/CLIENT_B -> EXCH,
// passwords pw-A/pw-B), and gives logged-on FixTestClients.
//
// One test thread.
#pragma once

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <fstream>
#include <set>

#include "amqp/shard_topology.h"
#include "tests/fix_test_client.h"
#include "tests/service_env.h"
#include "tests/service_harness.h"

namespace exchange::testing {

using std::chrono::milliseconds;
using std::chrono::seconds;
namespace tag = fix::tag;

// A port nothing listens on now.
inline std::uint16_t FreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

// The exchange-gateway process (ChildProcess: killed with SIGKILL when
// destroyed still running).
class GatewayProcess {
 public:
  explicit GatewayProcess(std::string config) : config_(std::move(config)) {}
  void Start() {
    ChildOptions options;
    options.path = EXCHANGE_GATEWAY_BIN;
    options.args = {EXCHANGE_GATEWAY_BIN, "--config", config_, "--log-level", "warn"};
    process_.emplace(std::move(options));
  }
  int Terminate() { return Signal(SIGTERM); }
  int Kill() { return Signal(SIGKILL); }  // a crash: nothing is flushed at exit

 private:
  int Signal(int sig) { return process_ ? process_->SignalAndWait(sig) : -1; }
  std::string config_;
  std::optional<ChildProcess> process_;
};

class GatewayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    EXCHANGE_REQUIRE_SERVICE("EXCHANGE_AMQP_URL", url_);
    dir_ = FreshDir(::testing::UnitTest::GetInstance()->current_test_info()->name());
    symbol_ = UniqueSymbol("G");
    instruments_ = dir_ + "/instruments.toml";
    std::ofstream(instruments_) << "[[instrument]]\nsymbol = \"" << symbol_
                                << "\"\nprice_decimals = 2\nquantity_decimals = 0\n"
                                   "tick_size = 5\nlot_size = 1\nmin_quantity = 1\n"
                                   "max_quantity = 1000000\nmarket_protection_ticks = 1000\n";
    amqp::AmqpClient admin(amqp::ParseUrl(url_));
    queue_ = amqp::DeclareShardTopology(admin, "test-" + symbol_, {symbol_});
    engine_ = std::make_unique<ServiceProcess>(url_, symbol_, instruments_, dir_ + "/engine");
    engine_->Start();
    account_a_ = static_cast<std::uint32_t>(RandomId() % 1'000'000'000) + 1;
    account_b_ = account_a_ + 1;
    port_ = FreePort();
    WriteGatewayConfig();
    StartGateway();
  }
  void TearDown() override {
    gateway_.reset();
    engine_.reset();
    if (queue_.empty()) return;
    amqp::AmqpClient admin(amqp::ParseUrl(url_));
    admin.DeleteQueue(queue_);
    admin.DeleteQueue("gateway." + gateway_name());
    std::filesystem::remove_all(dir_);
  }

  std::string gateway_name() const { return "test-" + symbol_; }

  void WriteGatewayConfig() {
    std::ofstream c(dir_ + "/gateway.toml");
    c << "[gateway]\nname = \"" << gateway_name() << "\"\nlisten = \"127.0.0.1:" << port_
      << "\"\ndata_dir = \"" << dir_ << "/gateway\"\ninstruments = \"" << instruments_
      << "\"\nlogon_timeout_ms = 500\nmax_messages_per_second = 300\n"
      << "[amqp]\nurl = \"" << url_ << "\"\n";
    for (const auto& [name, account] : {std::pair{"A", account_a_}, std::pair{"B", account_b_}}) {
      c << "[[session]]\nname = \"" << name << "\"\nclient_comp_id = \"CLIENT_" << name
        << "\"\ngateway_comp_id = \"EXCH\"\npassword = \"pw-" << name << "\"\naccount = " << account
        << "\n";
    }
  }

  void StartGateway() {
    gateway_ = std::make_unique<GatewayProcess>(dir_ + "/gateway.toml");
    gateway_->Start();
    FixTestClient probe("probe", "probe");
    const auto deadline = std::chrono::steady_clock::now() + seconds(20);
    while (!probe.Connect(port_)) {
      ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "the gateway never listened";
      std::this_thread::sleep_for(milliseconds(20));
    }
  }

  // Waits until session `name`'s store holds a sent message with the field
  // `field` ("150=F"): the gateway made that report, whether or not the
  // client was connected to get it.
  void WaitUntilStored(const std::string& name, const std::string& field) {
    const std::string needle = std::string(1, fix::kSoh) + field + fix::kSoh;
    const auto deadline = std::chrono::steady_clock::now() + seconds(10);
    for (;;) {
      std::ifstream in(dir_ + "/gateway/" + name + ".fixstore", std::ios::binary);
      const std::string bytes((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
      if (bytes.find(needle) != std::string::npos) return;
      ASSERT_LT(std::chrono::steady_clock::now(), deadline)
          << field << " never stored for " << name;
      std::this_thread::sleep_for(milliseconds(5));
    }
  }

  // A logged-on client of session "A" or "B".
  std::unique_ptr<FixTestClient> LoggedOn(const std::string& name, bool reset = true) {
    auto c = std::make_unique<FixTestClient>("CLIENT_" + name, "EXCH");
    EXPECT_TRUE(c->Connect(port_));
    c->Logon("pw-" + name, reset);
    auto reply = c->WaitForType(fix::msg::kLogon);
    EXPECT_TRUE(reply.has_value()) << "no Logon reply for " << name;
    return c;
  }

  void NewLimit(FixTestClient& c, const std::string& id, char side, const std::string& qty,
                const std::string& px, const std::string& tif = "1") {
    c.Send(fix::msg::kNewOrderSingle, {{tag::kClOrdID, id},
                                       {tag::kSymbol, symbol_},
                                       {tag::kSide, std::string(1, side)},
                                       {tag::kOrderQty, qty},
                                       {tag::kOrdType, "2"},
                                       {tag::kPrice, px},
                                       {tag::kTimeInForce, tif},
                                       {tag::kTransactTime, fix::UtcTimestamp(WallNs())}});
  }

  std::string url_, dir_, symbol_, instruments_, queue_;
  std::uint32_t account_a_ = 0, account_b_ = 0;
  std::uint16_t port_ = 0;
  std::unique_ptr<ServiceProcess> engine_;
  std::unique_ptr<GatewayProcess> gateway_;
};

}  // namespace exchange::testing
