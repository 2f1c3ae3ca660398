// Tests of the LOBSTER readers and replay: parse errors with line numbers,
// the event mapping on tiny hand-written files, determinism of the command
// list, and the figures on the LOBSTER sample files.
//
// The sample files are found through the environment variable LOBSTER_DIR
// (set by tests/CMakeLists.txt from the cache variable EXCHANGE_LOBSTER_DIR);
// the tests that need them skip when they are absent.
#include "orderflow/lobster.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine/engine.h"

namespace exchange {
namespace {

const std::string kAaplMessages = "AAPL_2012-06-21_34200000_57600000_message_10.csv";
const std::string kAmznMessages = "AMZN_2012-06-21_34200000_57600000_message_1.csv";

// The path of a sample file, or "" when LOBSTER_DIR or the file is missing.
std::string SampleFile(const std::string& name) {
  const char* dir = std::getenv("LOBSTER_DIR");
  if (dir == nullptr || *dir == '\0') return "";
  const std::filesystem::path path = std::filesystem::path(dir) / name;
  return std::filesystem::exists(path) ? path.string() : "";
}

#define REQUIRE_SAMPLE(var, name)                                                       \
  const std::string var = SampleFile(name);                                             \
  if (var.empty()) {                                                                    \
    GTEST_SKIP() << "LOBSTER sample " << (name)                                         \
                 << " not found: set LOBSTER_DIR (CMake: EXCHANGE_LOBSTER_DIR) to the " \
                    "directory holding the LOBSTER files";                              \
  }

std::vector<LobsterMessage> Messages(const std::string& text) {
  std::istringstream in(text);
  return ReadLobsterMessages(in, "msg.csv");
}

std::vector<LobsterBookRow> Book(const std::string& text) {
  std::istringstream in(text);
  return ReadLobsterBook(in, "book.csv");
}

// The message of LobsterError thrown by `f`, or "" when nothing is thrown.
template <typename F>
std::string ErrorOf(F f) {
  try {
    f();
  } catch (const LobsterError& e) {
    return e.what();
  }
  return "";
}

LobsterStats Replay(const std::string& messages, const std::string& book,
                    LobsterFlow* flow = nullptr, std::ostream* out = nullptr,
                    std::size_t levels = 0) {
  return ReplayLobster(Messages(messages), Book(book), LobsterReplayConfig{}, levels, out, flow);
}

// Runs a command list on a fresh engine; returns every event as text.
std::string RunFlow(const LobsterFlow& flow, std::uint64_t* state_hash) {
  Engine engine;
  std::ostringstream out;
  for (const Command& c : flow.commands) {
    for (const Event& e : engine.Process(c)) {
      out << e.sequence << ' ' << e.timestamp << ' ' << static_cast<int>(e.type) << ' '
          << static_cast<int>(e.side) << ' ' << static_cast<int>(e.reject_reason) << ' '
          << static_cast<int>(e.cancel_reason) << ' ' << e.account << ' ' << e.order_id << ' '
          << e.exchange_order_id << ' ' << e.price << ' ' << e.quantity << ' ' << e.leaves << ' '
          << e.filled << ' ' << e.maker_account << ' ' << e.maker_order_id << ' ' << e.maker_leaves
          << '\n';
    }
  }
  *state_hash = engine.StateHash();
  return out.str();
}

// ------------------------------------------------------------------ readers

TEST(LobsterReaderTest, ParsesMessages) {
  const auto m = Messages("34200.00426064,1,16113584,18,5853200,1\n\n34200.5,4,7,3,5859100,-1\n");
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0].time, 34200'004260640);
  EXPECT_EQ(m[0].type, LobsterEventType::kSubmit);
  EXPECT_EQ(m[0].order_id, 16113584u);
  EXPECT_EQ(m[0].size, 18);
  EXPECT_EQ(m[0].price, 5853200);
  EXPECT_EQ(m[0].side, Side::kBuy);
  EXPECT_EQ(m[0].line, 1u);
  EXPECT_EQ(m[1].time, 34200'500000000);
  EXPECT_EQ(m[1].type, LobsterEventType::kVisibleExecution);
  EXPECT_EQ(m[1].side, Side::kSell);
  EXPECT_EQ(m[1].line, 3u);
}

TEST(LobsterReaderTest, MessageErrorsNameFileAndLine) {
  const std::string ok = "34200.1,1,1,10,100,1\n";
  EXPECT_EQ(ErrorOf([&] { Messages(ok + "34200.2,1,2,10,100\n"); }),
            "msg.csv:2: expected 6 fields (time,type,order_id,size,price,direction), found 5");
  EXPECT_EQ(ErrorOf([&] { Messages(ok + ok + "34200.2,9,2,10,100,1\n"); }),
            "msg.csv:3: type 9 is not 1..7");
  EXPECT_EQ(ErrorOf([&] { Messages("9:30,1,2,10,100,1\n"); }),
            "msg.csv:1: time '9:30' is not seconds.fraction (<= 9 decimals)");
  EXPECT_EQ(ErrorOf([&] { Messages("34200.1234567891,1,2,10,100,1\n"); }),
            "msg.csv:1: time '34200.1234567891' is not seconds.fraction (<= 9 decimals)");
  EXPECT_EQ(ErrorOf([&] { Messages(ok + "34200.2,1,2,ten,100,1\n"); }),
            "msg.csv:2: size 'ten' is not an integer");
  EXPECT_EQ(ErrorOf([&] { Messages("34200.2,1,2,10,100,0\n"); }),
            "msg.csv:1: direction 0 is not 1 or -1");
  EXPECT_EQ(ErrorOf([&] { Messages("34200.2,3,2,0,100,1\n"); }),
            "msg.csv:1: size 0 is not positive");
  EXPECT_EQ(ErrorOf([&] { Messages("34200.2,7,0,0,2,-1\n"); }),
            "msg.csv:1: halt price 2 is not -1, 0 or 1");
  EXPECT_EQ(ErrorOf([&] { Messages("34200.2,7,0,0,-1,-1\n"); }), "");
}

TEST(LobsterReaderTest, BookErrorsNameFileAndLine) {
  const auto rows = Book("101,5,99,7,102,1,-9999999999,0\n");
  ASSERT_EQ(rows.size(), 1u);
  ASSERT_EQ(rows[0].size(), 2u);
  EXPECT_EQ(rows[0][1], (LobsterLevel{102, 1, kLobsterEmptyBid, 0}));
  EXPECT_EQ(ErrorOf([] { Book("101,5,99,7\n101,5,99\n"); }),
            "book.csv:2: expected 4 fields per level (ask_px,ask_sz,bid_px,bid_sz), found 3 "
            "fields");
  EXPECT_EQ(ErrorOf([] { Book("101,5,99,7\n101,5,99,7,102,1,98,1\n"); }),
            "book.csv:2: 2 levels, the first row has 1");
  EXPECT_EQ(ErrorOf([] { Book("101,5,99,7\n101,5,x,7\n"); }),
            "book.csv:2: bid price of level 1 'x' is not an integer");
  EXPECT_EQ(ErrorOf([] { Book("101,-5,99,7\n"); }), "book.csv:1: negative size of level 1");
}

TEST(LobsterReaderTest, FilesAndPaths) {
  EXPECT_EQ(LobsterBookPathFor("/d/AAPL_2012-06-21_34200000_57600000_message_10.csv"),
            "/d/AAPL_2012-06-21_34200000_57600000_orderbook_10.csv");
  EXPECT_EQ(ErrorOf([] { LobsterBookPathFor("/d_message_/x.csv"); }),
            "/d_message_/x.csv: cannot derive the order-book file: no '_message_' in the file "
            "name");
  EXPECT_EQ(ErrorOf([] { ReadLobsterMessagesFile("/nonexistent/m.csv"); }),
            "/nonexistent/m.csv: cannot open for reading");

  LobsterReplayOptions options;
  options.message_file = "/nonexistent/X_message_1.csv";
  std::ostringstream summary, error;
  EXPECT_EQ(RunLobsterReplay(options, summary, error), 1);
  EXPECT_EQ(summary.str(), "");
  EXPECT_EQ(error.str(), "lobster replay: /nonexistent/X_message_1.csv: cannot open for reading\n");
}

TEST(LobsterReaderTest, SummaryFormat) {
  LobsterStats s;
  s.executions_matched = 97;
  s.executions_known = 98;
  s.rows_equal = 5;
  s.rows = 999;
  s.reconciled_qty = 42;
  EXPECT_EQ(FormatSummary(s), "executions_matched=97/98 rows_equal=5/999 reconciled_qty=42");
}

// ------------------------------------------------------------------ mapping

// Level 2. A synthetic ask of 7 at 101.00 predates the file; the first row is
// the book after message 1, a bid of 10 at 100.00 from order 11.
const std::string kTinyMessages =
    "34200.000000001,1,11,10,1000000,1\n"  // 1 submit 11: buy 10 @ 100
    "34200.000000002,1,12,5,1000000,1\n"   // 2 submit 12: buy 5 @ 100, behind 11
    "34200.000000003,2,11,4,1000000,1\n"   // 3 partial cancel 11: 10 → 6, keeps priority
    "34200.000000004,4,11,6,1000000,1\n"   // 4 execution of 11 (ahead of 12)
    "34200.000000005,4,99,3,1010000,-1\n"  // 5 execution of a pre-file order: synthetic ask
    "34200.000000006,3,98,4,1010000,-1\n"  // 6 delete of a pre-file order: synthetic ask gone
    "34200.000000007,4,97,2,1000000,1\n"   // 7 pre-file bid at 100 the file never showed
    "34200.000000008,4,12,5,1000000,1\n"   // 8 execution of 12: untouched by message 7
    "34200.000000009,5,0,50,1005000,1\n";  // 9 hidden execution: no book change

const std::string kTinyBook =
    "1010000,7,1000000,10,9999999999,0,-9999999999,0\n"
    "1010000,7,1000000,15,9999999999,0,-9999999999,0\n"
    "1010000,7,1000000,11,9999999999,0,-9999999999,0\n"
    "1010000,7,1000000,5,9999999999,0,-9999999999,0\n"
    "1010000,4,1000000,5,9999999999,0,-9999999999,0\n"
    "9999999999,0,1000000,5,9999999999,0,-9999999999,0\n"
    "9999999999,0,1000000,5,9999999999,0,-9999999999,0\n"
    "9999999999,0,-9999999999,0,9999999999,0,-9999999999,0\n"
    "9999999999,0,-9999999999,0,9999999999,0,-9999999999,0\n";

TEST(LobsterMappingTest, TinyFileReplaysExactly) {
  std::ostringstream out;
  const LobsterStats s = Replay(kTinyMessages, kTinyBook, nullptr, &out);
  EXPECT_EQ(FormatSummary(s), "executions_matched=2/2 rows_equal=9/9 reconciled_qty=2");
  EXPECT_EQ(s.rejects, 0u);
  EXPECT_EQ(s.unexpected_trades, 0u);
  EXPECT_EQ(out.str(), kTinyBook);  // the output is in LOBSTER's format
}

TEST(LobsterMappingTest, CommandsFollowTheMapping) {
  LobsterFlow flow;
  Replay(kTinyMessages, kTinyBook, &flow);
  // Instrument, the synthetic ask (the bid of message 1 is undone), then the messages.
  ASSERT_EQ(flow.prefill, 2u);
  const auto& spec = std::get<AddInstrument>(flow.commands[0].body).spec;
  EXPECT_EQ(spec.symbol.view(), "LOBSTER");
  EXPECT_EQ(spec.tick_size, 100);
  EXPECT_EQ(spec.price_band_bps, 0);
  const auto& seed = std::get<NewOrder>(flow.commands[1].body);
  EXPECT_EQ(seed.side, Side::kSell);
  EXPECT_EQ(seed.price, 1010000);
  EXPECT_EQ(seed.quantity, 7);

  const auto& submit = std::get<NewOrder>(flow.commands[2].body);
  EXPECT_EQ(submit.order_id, 11u);
  EXPECT_EQ(submit.tif, TimeInForce::kGtc);
  EXPECT_EQ(submit.quantity, 10);
  EXPECT_EQ(flow.commands[2].timestamp, 34200'000000001);
  const auto& other = std::get<NewOrder>(flow.commands[3].body);
  EXPECT_NE(other.account, submit.account);  // one account per LOBSTER order

  const auto& reduce = std::get<ReplaceOrder>(flow.commands[4].body);
  EXPECT_EQ(reduce.order_id, 11u);
  EXPECT_EQ(reduce.quantity, 6);  // new total = 10 − 4
  EXPECT_EQ(reduce.price, 0);     // same price: keeps priority

  const auto& ioc = std::get<NewOrder>(flow.commands[5].body);
  EXPECT_EQ(ioc.side, Side::kSell);  // opposite the resting buy
  EXPECT_EQ(ioc.tif, TimeInForce::kIoc);
  EXPECT_EQ(ioc.price, 1000000);
  EXPECT_EQ(ioc.quantity, 6);
  EXPECT_NE(ioc.account, submit.account);
}

TEST(LobsterMappingTest, PartialCancelKeepsPriorityAndExecutionHitsTheNamedOrder) {
  LobsterFlow flow;
  Replay(kTinyMessages, kTinyBook, &flow);
  Engine engine;
  std::vector<Event> trades;
  for (std::size_t i = 0; i < flow.commands.size(); ++i) {
    for (const Event& e : engine.Process(flow.commands[i])) {
      if (e.type == EventType::kTrade) trades.push_back(e);
    }
  }
  // 11 after its partial cancel, the synthetic ask, the top-up ahead of 12, then 12.
  ASSERT_EQ(trades.size(), 4u);
  EXPECT_EQ(trades[0].maker_order_id, 11u);
  EXPECT_EQ(trades[0].quantity, 6);
  EXPECT_EQ(trades[0].maker_leaves, 0);
  EXPECT_EQ(trades[1].quantity, 3);
  EXPECT_EQ(trades[1].side, Side::kBuy);
  EXPECT_EQ(trades[2].quantity, 2);
  EXPECT_NE(trades[2].maker_order_id, 12u);  // the invisible liquidity traded first
  EXPECT_EQ(trades[3].maker_order_id, 12u);
  EXPECT_EQ(trades[3].quantity, 5);
  EXPECT_EQ(engine.live_orders(), 0u);
}

TEST(LobsterMappingTest, FirstMessageIsUndoneWhenSeeding) {
  // The row after a delete of a pre-file ask shows 5; the seed must hold 7.
  LobsterFlow flow;
  const LobsterStats s = Replay("34200.1,3,50,2,1010000,-1\n34200.2,4,51,5,1010000,-1\n",
                                "1010000,5,1000000,3\n9999999999,0,1000000,3\n", &flow);
  EXPECT_EQ(FormatSummary(s), "executions_matched=0/0 rows_equal=2/2 reconciled_qty=0");
  const auto& seed_ask = std::get<NewOrder>(flow.commands[1].body);
  EXPECT_EQ(seed_ask.quantity, 7);
}

TEST(LobsterMappingTest, UnknownCancelBeyondTheSyntheticIsReconciled) {
  const LobsterStats s = Replay("34200.1,1,1,5,1000000,1\n34200.2,2,77,4,1010000,-1\n",
                                "1010000,3,1000000,5\n9999999999,0,1000000,5\n");
  EXPECT_EQ(s.reconciled_qty, 1);  // 4 cancelled, only 3 known at that price
  EXPECT_EQ(s.rows_equal, 2u);
}

// ------------------------------------------------------------------ reconciliation

// Level 1 throughout; the ask side is empty, so wholly visible.

TEST(LobsterReconcileTest, OrderCancelledDeeperThanTheFileIsRemoved) {
  // Order 1 is cancelled unseen while 101 hides it at level 2; once 101 goes
  // the row shows no bid at 100, and the stale bid would take message 5's IOC.
  const std::string messages =
      "34200.1,1,1,5,1000000,1\n"  // submit 1: buy 5 @ 100
      "34200.2,1,2,3,1010000,1\n"  // submit 2: buy 3 @ 101; 100 goes to level 2
      "34200.3,3,2,3,1010000,1\n"  // delete 2 (1 is gone too, unseen)
      "34200.4,1,3,2,990000,1\n"   // submit 3: buy 2 @ 99
      "34200.5,4,3,2,990000,1\n";  // execution of 3
  const std::string book =
      "9999999999,0,1000000,5\n"
      "9999999999,0,1010000,3\n"
      "9999999999,0,-9999999999,0\n"
      "9999999999,0,990000,2\n"
      "9999999999,0,-9999999999,0\n";
  LobsterFlow flow;
  const LobsterStats s = Replay(messages, book, &flow);
  // Row 3 still shows the stale bid; it is taken off before message 4.
  EXPECT_EQ(FormatSummary(s), "executions_matched=1/1 rows_equal=4/5 reconciled_qty=5");
  EXPECT_EQ(s.rejects, 0u);
  EXPECT_EQ(s.unexpected_trades, 0u);
  const auto cancel =
      std::find_if(flow.commands.begin(), flow.commands.end(), [](const Command& c) {
        const auto* cancel = std::get_if<CancelOrder>(&c.body);
        return cancel != nullptr && cancel->order_id == 1u;
      });
  ASSERT_NE(cancel, flow.commands.end());         // an ordinary command in the flow
  EXPECT_EQ(cancel->timestamp, 34200'300000000);  // the time of the row it agrees with
}

TEST(LobsterReconcileTest, MismatchVisibleAllAlongIsNotReconciled) {
  // The rows lose 1 bid at 100 and gain 2 asks at 101 that no message
  // explains, at prices and with orders that were visible all along.
  const std::string messages =
      "34200.1,1,1,5,1000000,1\n"    // submit 1: buy 5 @ 100
      "34200.2,1,2,3,1000000,1\n"    // submit 2: buy 3 @ 100 (the row says 7)
      "34200.3,1,3,4,1010000,-1\n";  // submit 3: sell 4 @ 101 (the row says 6)
  const std::string book =
      "9999999999,0,1000000,5\n"
      "9999999999,0,1000000,7\n"
      "1010000,6,1000000,7\n";
  std::ostringstream out;
  const LobsterStats s = Replay(messages, book, nullptr, &out);
  EXPECT_EQ(FormatSummary(s), "executions_matched=0/0 rows_equal=1/3 reconciled_qty=0");
  EXPECT_EQ(out.str(),
            "9999999999,0,1000000,5\n"
            "9999999999,0,1000000,8\n"
            "1010000,4,1000000,8\n");
}

TEST(LobsterReconcileTest, LevelSurfacingFromDepthIsAdded) {
  // 9 asks at 102 predate the file, hidden behind 101 at level 2.
  const std::string messages =
      "34200.1,1,1,4,1010000,-1\n"    // submit 1: sell 4 @ 101
      "34200.2,3,1,4,1010000,-1\n"    // delete 1: 102 surfaces
      "34200.3,4,77,5,1020000,-1\n";  // execution of an order the file never showed
  const std::string book =
      "1010000,4,-9999999999,0\n"
      "1020000,9,-9999999999,0\n"
      "1020000,4,-9999999999,0\n";
  std::ostringstream out;
  const LobsterStats s = Replay(messages, book, nullptr, &out);
  // Row 2 cannot know 102 yet; the 9 are added before message 3.
  EXPECT_EQ(FormatSummary(s), "executions_matched=0/0 rows_equal=2/3 reconciled_qty=9");
  EXPECT_EQ(s.unexpected_trades, 0u);
  EXPECT_EQ(out.str(),
            "1010000,4,-9999999999,0\n"
            "9999999999,0,-9999999999,0\n"
            "1020000,4,-9999999999,0\n");
}

TEST(LobsterReconcileTest, SurfacedLiquidityQueuesBehindOrdersAlreadyThere) {
  // 4 bids at 100 enter unseen while 101 hides the price: they queue behind
  // order 1, which Nasdaq then executes first.
  const std::string messages =
      "34200.1,1,1,5,1000000,1\n"    // submit 1: buy 5 @ 100
      "34200.2,1,2,3,1010000,1\n"    // submit 2: buy 3 @ 101 (then 4 @ 100 unseen)
      "34200.3,3,2,3,1010000,1\n"    // delete 2: 100 surfaces with 9
      "34200.4,4,1,5,1000000,1\n"    // execution of 1
      "34200.5,4,88,4,1000000,1\n";  // execution of the unseen order
  const std::string book =
      "9999999999,0,1000000,5\n"
      "9999999999,0,1010000,3\n"
      "9999999999,0,1000000,9\n"
      "9999999999,0,1000000,4\n"
      "9999999999,0,-9999999999,0\n";
  const LobsterStats s = Replay(messages, book);
  EXPECT_EQ(FormatSummary(s), "executions_matched=1/1 rows_equal=4/5 reconciled_qty=4");
}

TEST(LobsterMappingTest, HaltAndResume) {
  LobsterFlow flow;
  const LobsterStats s = Replay(
      "34200.1,7,0,0,-1,-1\n34200.2,7,0,0,0,-1\n34200.3,7,0,0,1,-1\n34200.4,1,5,1,1000000,1\n",
      "9999999999,0,-9999999999,0\n9999999999,0,-9999999999,0\n"
      "9999999999,0,-9999999999,0\n9999999999,0,1000000,1\n",
      &flow);
  EXPECT_EQ(s.rejects, 0u);
  EXPECT_EQ(s.rows_equal, 4u);
  ASSERT_EQ(flow.commands.size(), 4u);  // instrument, halt, resume (once), submit
  EXPECT_TRUE(std::holds_alternative<HaltSymbol>(flow.commands[1].body));
  EXPECT_TRUE(std::holds_alternative<ResumeSymbol>(flow.commands[2].body));
}

TEST(LobsterMappingTest, RowCountMustMatchMessages) {
  EXPECT_THROW(Replay("34200.1,1,1,5,1000000,1\n", ""), std::invalid_argument);
}

// ------------------------------------------------------------------ sample files

TEST(LobsterSampleTest, AaplMatchesAtLeast99PercentOfExecutions) {
  REQUIRE_SAMPLE(path, kAaplMessages);
  const std::string book_out = ::testing::TempDir() + "/lobster_aapl_book.csv";
  LobsterReplayOptions options;
  options.message_file = path;
  options.book_output = book_out;
  std::ostringstream summary, error;
  ASSERT_EQ(RunLobsterReplay(options, summary, error), 0) << error.str();
  std::cout << "AAPL level 10: " << summary.str();

  const LobsterStats s =
      ReplayLobster(ReadLobsterMessagesFile(path), ReadLobsterBookFile(LobsterBookPathFor(path)),
                    LobsterReplayConfig{});
  EXPECT_EQ(summary.str(), FormatSummary(s) + "\n");
  ASSERT_GT(s.executions_known, 0u);
  EXPECT_GE(s.executions_matched * 100, s.executions_known * 99) << FormatSummary(s);
  EXPECT_EQ(s.rows, 999u);
  EXPECT_EQ(s.rejects, 0u);

  // One row per event, ten levels in LOBSTER's layout.
  const auto rows = ReadLobsterBookFile(book_out);
  ASSERT_EQ(rows.size(), 999u);
  EXPECT_EQ(rows[0].size(), 10u);
}

TEST(LobsterSampleTest, AaplReplayIsDeterministic) {
  REQUIRE_SAMPLE(path, kAaplMessages);
  const LobsterFlow first = BuildLobsterFlow(path);
  const LobsterFlow second = BuildLobsterFlow(path);
  ASSERT_EQ(first.commands.size(), second.commands.size());
  std::uint64_t hash1 = 0, hash2 = 0;
  const std::string events1 = RunFlow(first, &hash1);
  const std::string events2 = RunFlow(second, &hash2);
  EXPECT_EQ(events1, events2);
  EXPECT_EQ(hash1, hash2);

  // The command list alone reproduces the replay's own final state.
  const LobsterStats s =
      ReplayLobster(ReadLobsterMessagesFile(path), ReadLobsterBookFile(LobsterBookPathFor(path)),
                    LobsterReplayConfig{});
  EXPECT_EQ(hash1, s.state_hash);
  EXPECT_EQ(first.commands.size(), s.commands);
}

TEST(LobsterSampleTest, AmznReplaysWithoutErrors) {
  REQUIRE_SAMPLE(path, kAmznMessages);
  LobsterReplayOptions options;
  options.message_file = path;
  std::ostringstream summary, error;
  ASSERT_EQ(RunLobsterReplay(options, summary, error), 0) << error.str();
  std::cout << "AMZN level 1: " << summary.str();

  const LobsterStats s =
      ReplayLobster(ReadLobsterMessagesFile(path), ReadLobsterBookFile(LobsterBookPathFor(path)),
                    LobsterReplayConfig{});
  EXPECT_EQ(s.rows, 57'515u);
  EXPECT_EQ(s.rejects, 0u);
  ASSERT_GT(s.executions_known, 0u);
  // Level 1 hides most cancels; reconciliation must still keep the queue
  // close enough for 90% of the executions to hit the order Nasdaq named.
  EXPECT_GE(s.executions_matched * 10, s.executions_known * 9) << FormatSummary(s);
  RecordProperty("summary", FormatSummary(s));
}

}  // namespace
}  // namespace exchange
