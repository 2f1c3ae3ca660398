// Funds on two engine shards (cash risk): two real exchange-engine processes,
// each owning its own symbol and holding its own funds in the same assets,
// and `exchange-cli transfer`'s logic (tools/cli/shard_transfer.h) moving an
// account's funds between them through RabbitMQ: each leg applied exactly
// once, however often the transfer runs and across a kill -9 of the source
// shard between the legs; a refused withdrawal moves nothing; the Redis view
// keeps both shards' balances of the account side by side.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <iterator>
#include <memory>
#include <sstream>
#include <string>
#include <thread>

#include "amqp/amqp_client.h"
#include "amqp/shard_topology.h"
#include "amqp/topology.h"
#include "bookstate/book_state_reader.h"
#include "bookstate/book_state_writer.h"
#include "testing/child_process.h"
#include "tests/service_env.h"
#include "tests/service_harness.h"
#include "tools/cli/send.h"
#include "tools/cli/shard_transfer.h"

namespace exchange::testing {
namespace {

using cli::LegOutcome;
using cli::LegResult;
using cli::NamedCommand;
using cli::NamedCommandSink;
using std::chrono::seconds;

class ShardTransferTest : public ::testing::Test {
 protected:
  void SetUp() override {
    EXCHANGE_REQUIRE_SERVICE("EXCHANGE_AMQP_URL", url_);
    dir_ = FreshDir("shard-transfer");
    const std::string tag = std::to_string(RandomId() % 1000000);
    asset_ = "U" + tag;
    account_ = static_cast<AccountId>(1'000'000 + RandomId() % 1'000'000'000);
    amqp::AmqpClient admin(amqp::ParseUrl(url_));
    for (int i = 0; i < 2; ++i) {
      const std::string symbol = (i == 0 ? "SA" : "SB") + tag;
      const std::string instruments = dir_ + "/instruments-" + symbol + ".toml";
      std::ofstream(instruments) << "[[asset]]\nname = \"B" << tag << "\"\ndecimals = 0\n"
                                 << "[[asset]]\nname = \"" << asset_ << "\"\ndecimals = 2\n"
                                 << "[[instrument]]\nsymbol = \"" << symbol
                                 << "\"\ntick_size = 1\nlot_size = 1\nmin_quantity = 1\n"
                                    "max_quantity = 1000\nmarket_protection_ticks = 10\n"
                                 << "base_asset = \"B" << tag << "\"\nquote_asset = \"" << asset_
                                 << "\"\n";
      symbols_[i] = symbol;
      queues_[i] = amqp::DeclareShardTopology(admin, "test-" + symbol, {symbol});
      shards_[i] =
          std::make_unique<ServiceProcess>(url_, symbol, instruments, dir_ + "/data-" + symbol);
      shards_[i]->Start();
    }
    tail_client_ = std::make_unique<amqp::AmqpClient>(amqp::ParseUrl(url_));
    tail_ = std::make_unique<cli::EventTail>(
        *tail_client_, std::vector<std::string>{topology::ExecKey(account_)}, warnings_);
    send_ = [this](const NamedCommand& leg, const std::string& shard) {
      amqp::AmqpClient client(amqp::ParseUrl(url_));
      cli::SendOptions options;
      options.producer_id = RandomId();
      options.transfer_shard = shard;
      cli::Sender(client, options).Send([&](const NamedCommandSink& each) {
        each(NamedCommand(leg));
      });
    };
  }
  void TearDown() override {
    tail_.reset();
    tail_client_.reset();
    for (auto& shard : shards_) {
      if (shard) shard->Terminate();
    }
    if (const std::string url = ServiceUrl("EXCHANGE_REDIS_URL"); !url.empty() && account_ != 0) {
      try {
        redis::RedisClient client(redis::ParseRedisUrl(url));
        client.Command({"DEL", bookstate::BalanceKeyOf(account_)});
        for (const std::string& symbol : symbols_)
          bookstate::BookStateWriter::DeleteView(client, symbol);
      } catch (const redis::RedisError&) {
        // Redis not reachable: nothing to clean
      }
    }
    if (!url_.empty()) {
      amqp::AmqpClient admin(amqp::ParseUrl(url_));
      for (const std::string& queue : queues_) {
        if (!queue.empty()) admin.DeleteQueue(queue);
      }
    }
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  std::string Shard(int i) const { return shards_[i]->shard(); }
  LegResult RunLeg(bool deposit, int shard, Amount amount, TransferId id) {
    return cli::RunLeg(*tail_, send_, cli::TransferLeg(deposit, account_, asset_, amount, id),
                       Shard(shard), kAnswerTimeout);
  }
  int Transfer(int from, int to, Amount amount, TransferId id, std::string* out, std::string* err) {
    std::ostringstream o, e;
    const int code = cli::RunShardTransfer(
        *tail_, send_,
        cli::ShardTransfer{account_, asset_, amount, id, Shard(from), Shard(to), kAnswerTimeout}, o,
        e);
    *out = o.str();
    *err = e.str();
    return code;
  }
  // What the shard holds: withdrawing one unit more than `expected` is
  // refused, withdrawing `expected` leaves nothing (then it is put back).
  void ExpectHolds(int shard, Amount expected, TransferId* ids) {
    const LegResult over = RunLeg(false, shard, expected + 1, ++*ids);
    EXPECT_EQ(over.outcome, LegOutcome::kRefused) << "shard " << Shard(shard);
    EXPECT_EQ(over.reason, RejectReason::kInsufficientFunds);
    if (expected == 0) return;
    const LegResult all = RunLeg(false, shard, expected, ++*ids);
    ASSERT_EQ(all.outcome, LegOutcome::kApplied) << "shard " << Shard(shard);
    EXPECT_EQ(all.available, 0);
    ASSERT_EQ(RunLeg(true, shard, expected, ++*ids).outcome, LegOutcome::kApplied);
  }

  static constexpr std::chrono::milliseconds kAnswerTimeout{30000};
  std::string url_, dir_, asset_;
  AccountId account_ = 0;
  std::string symbols_[2], queues_[2];
  std::unique_ptr<ServiceProcess> shards_[2];
  std::unique_ptr<amqp::AmqpClient> tail_client_;
  std::unique_ptr<cli::EventTail> tail_;
  std::ostringstream warnings_;
  cli::LegSender send_;
};

TEST_F(ShardTransferTest, EachLegAppliesOnceAndARefusedWithdrawalMovesNothing) {
  const LegResult funded = RunLeg(true, 0, 1'000, 1);
  ASSERT_EQ(funded.outcome, LegOutcome::kApplied) << warnings_.str();
  EXPECT_EQ(funded.available, 1'000);

  std::string out, err;
  ASSERT_EQ(Transfer(0, 1, 400, 2, &out, &err), 0) << out << err;
  EXPECT_NE(out.find("withdrawal on " + Shard(0) + ": applied (available 600"), std::string::npos)
      << out;
  EXPECT_NE(out.find("deposit on " + Shard(1) + ": applied (available 400"), std::string::npos)
      << out;

  // The same transfer again (say, after a timeout): nothing moves twice.
  ASSERT_EQ(Transfer(0, 1, 400, 2, &out, &err), 0) << out << err;
  EXPECT_EQ(out, "withdrawal on " + Shard(0) + ": already applied by an earlier run\n" +
                     "deposit on " + Shard(1) + ": already applied by an earlier run\n");

  // More than the source holds: refused there, nothing deposited.
  EXPECT_EQ(Transfer(0, 1, 601, 3, &out, &err), 1);
  EXPECT_NE(out.find("refused INSUFFICIENT_FUNDS"), std::string::npos) << out;
  EXPECT_EQ(out.find("deposit on"), std::string::npos) << out;
  EXPECT_NE(err.find("nothing moved"), std::string::npos) << err;

  TransferId ids = 100;
  ExpectHolds(0, 600, &ids);
  ExpectHolds(1, 400, &ids);

  // The Redis view has both shards' balances of the account side by side.
  const std::string redis_url = ServiceUrl("EXCHANGE_REDIS_URL");
  if (redis_url.empty()) return;
  redis::RedisClient client(redis::ParseRedisUrl(redis_url));
  bookstate::BookStateReader reader(client);
  const auto deadline = std::chrono::steady_clock::now() + seconds(30);
  std::map<bookstate::BalanceField, bookstate::AccountBalance> got;
  while (std::chrono::steady_clock::now() < deadline) {
    got = reader.ReadBalances(account_);
    const auto a = got.find(bookstate::BalanceField{asset_, Shard(0)});
    const auto b = got.find(bookstate::BalanceField{asset_, Shard(1)});
    if (a != got.end() && b != got.end() && a->second.available == 600 &&
        b->second.available == 400) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // poll interval
  }
  EXPECT_EQ(got.at(bookstate::BalanceField{asset_, Shard(0)}).available, 600);
  EXPECT_EQ(got.at(bookstate::BalanceField{asset_, Shard(1)}).available, 400);
}

// The tool dies after the withdrawal and the source shard is killed -9 and
// restarted: running the same transfer again deposits exactly once.
TEST_F(ShardTransferTest, AHalfDoneTransferFinishesOnceAfterTheSourceShardCrashed) {
  ASSERT_EQ(RunLeg(true, 0, 1'000, 1).outcome, LegOutcome::kApplied) << warnings_.str();
  const LegResult withdrawn = RunLeg(false, 0, 250, 2);  // leg one only, then "crash"
  ASSERT_EQ(withdrawn.outcome, LegOutcome::kApplied);
  EXPECT_EQ(withdrawn.available, 750);
  shards_[0]->Kill9();
  shards_[0]->Start();

  std::string out, err;
  ASSERT_EQ(Transfer(0, 1, 250, 2, &out, &err), 0) << out << err;
  EXPECT_NE(out.find("withdrawal on " + Shard(0) + ": already applied"), std::string::npos) << out;
  EXPECT_NE(out.find("deposit on " + Shard(1) + ": applied (available 250"), std::string::npos)
      << out;
  ASSERT_EQ(Transfer(0, 1, 250, 2, &out, &err), 0) << out << err;
  EXPECT_NE(out.find("deposit on " + Shard(1) + ": already applied"), std::string::npos) << out;

  TransferId ids = 100;
  ExpectHolds(0, 750, &ids);
  ExpectHolds(1, 250, &ids);
}

// A transfer id the destination already used for another deposit: the
// funds left the source, and the tool says so instead of reporting success.
TEST_F(ShardTransferTest, AnIdAlreadyUsedOnTheDestinationIsReportedLoudly) {
  ASSERT_EQ(RunLeg(true, 0, 500, 1).outcome, LegOutcome::kApplied) << warnings_.str();
  ASSERT_EQ(RunLeg(true, 1, 5, 7).outcome, LegOutcome::kApplied);  // id 7 used on the destination
  std::string out, err;
  EXPECT_EQ(Transfer(0, 1, 100, 7, &out, &err), 1) << out;
  EXPECT_NE(err.find("already used on " + Shard(1)), std::string::npos) << err;
}

// The exchange-cli binary itself: `fees` reaches the engine (FEES_SET on
// the symbol's book key) and `transfer` moves funds, flags as documented.
TEST_F(ShardTransferTest, TheCliBinarySetsFeesAndTransfers) {
  amqp::AmqpClient book_client(amqp::ParseUrl(url_));
  cli::EventTail book(book_client, {topology::BookKey(symbols_[0])}, warnings_);
  const auto run = [&](std::vector<std::string> args) {
    ChildOptions options;
    options.path = EXCHANGE_CLI_BIN;
    args.insert(args.begin(), EXCHANGE_CLI_BIN);
    args.insert(args.end(), {"--amqp-url", url_});
    options.args = args;
    options.output_file = dir_ + "/cli.out";
    options.null_stdin = true;
    ChildProcess cli(options);
    const std::optional<int> status = cli.WaitFor(std::chrono::milliseconds(60000));
    std::ifstream in(options.output_file);
    const std::string output{std::istreambuf_iterator<char>(in), {}};
    return std::make_pair(status && WIFEXITED(*status) ? WEXITSTATUS(*status) : -1, output);
  };

  const auto [fees_code, fees_out] =
      run({"fees", "--symbol", symbols_[0], "--maker-ppm", "-100", "--taker-ppm", "1500"});
  ASSERT_EQ(fees_code, 0) << fees_out;
  bool fees_set = false;
  while (!fees_set) {
    const auto e = book.Next(std::chrono::milliseconds(30000));
    ASSERT_TRUE(e.has_value()) << "no FEES_SET from " << Shard(0);
    fees_set = e->record.event.type == EventType::kFeesSet;
    if (fees_set) {
      EXPECT_EQ(e->record.event.maker_ppm, -100);
      EXPECT_EQ(e->record.event.taker_ppm, 1500);
    }
  }

  ASSERT_EQ(RunLeg(true, 0, 300, 1).outcome, LegOutcome::kApplied) << warnings_.str();
  const std::string account = std::to_string(account_);
  const auto [code, out] = run({"transfer", "--account", account, "--asset", asset_, "--amount",
                                "120", "--transfer-id", "2", "--from", Shard(0), "--to", Shard(1)});
  EXPECT_EQ(code, 0) << out;
  EXPECT_NE(out.find("deposit on " + Shard(1) + ": applied (available 120"), std::string::npos)
      << out;
  const auto [same_code, same_out] =
      run({"transfer", "--account", account, "--asset", asset_, "--amount", "1", "--transfer-id",
           "3", "--from", Shard(0), "--to", Shard(0)});
  EXPECT_EQ(same_code, 2) << same_out;  // bad input
  EXPECT_NE(same_out.find("same shard"), std::string::npos) << same_out;
  TransferId ids = 100;
  ExpectHolds(0, 180, &ids);
  ExpectHolds(1, 120, &ids);
}

}  // namespace
}  // namespace exchange::testing
