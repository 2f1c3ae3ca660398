// LOBSTER replay: reads LOBSTER (lobsterdata.com) message and order-book
// files and replays the Nasdaq order flow they describe through an Engine
// with one instrument, as a list of engine commands. The replay writes its
// own book in LOBSTER's order-book format after every LOBSTER event and
// measures how closely the engine reproduces Nasdaq (executions that hit the
// order Nasdaq named, book rows equal to LOBSTER's).
//
// Part of orderflow/ (file formats around the engine); used by
// exchange-replay (--lobster) and exchange-bench (--lobster) and by
// tests/lobster_test.cc. Plain functions over values: any thread, each call
// runs its own private Engine.
//
// Mapping, one LOBSTER event to engine commands:
//   1 submission        GTC LIMIT resting order; one account per LOBSTER
//                       order (self-trade prevention never triggers), client
//                       order id = LOBSTER order id
//   2 partial cancel    ReplaceOrder to total − size (keeps time priority)
//   3 delete            CancelOrder
//   4 visible execution IOC LIMIT from the aggressor account, opposite side,
//                       at the resting order's price, for the executed size
//   5, 6 hidden, cross  nothing (no visible book change)
//   7 halt              HaltSymbol (price −1), ResumeSymbol (0 quote, 1 resume)
// Orders that predate the file are synthetic: the first book row (with the
// first message undone) seeds one synthetic order per level, and messages
// naming an order the replay does not know act on the synthetic order(s) at
// their price. When those are short (liquidity deeper than the file's levels,
// or older than the file) the missing quantity is added as synthetic
// liquidity ahead of the known orders and counted as reconciled_qty.
// Before each message the book is also reconciled with the previous row, but
// only where events the file cannot show (deeper than its levels, or older
// than it) explain the difference; the rules are in lobster.cc. Any other
// difference stays and counts against rows_equal.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <iostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "engine/command.h"

namespace exchange {

// A malformed or unreadable LOBSTER file. what() is "file:line: problem", or
// "file: problem" when the problem is not on one line (line() == 0).
class LobsterError : public std::runtime_error {
 public:
  LobsterError(std::string_view file, std::size_t line, const std::string& what);
  const std::string& file() const { return file_; }
  std::size_t line() const { return line_; }

 private:
  std::string file_;
  std::size_t line_;
};

enum class LobsterEventType : std::uint8_t {
  kSubmit = 1,
  kPartialCancel = 2,
  kDelete = 3,
  kVisibleExecution = 4,
  kHiddenExecution = 5,
  kCross = 6,
  kHalt = 7,
};

// Halt messages (type 7) carry their meaning in the price field.
inline constexpr Price kLobsterHaltPrice = -1;
inline constexpr Price kLobsterQuotePrice = 0;
inline constexpr Price kLobsterResumePrice = 1;

// One row of a message file.
struct LobsterMessage {
  Timestamp time = 0;  // nanoseconds after midnight
  LobsterEventType type = LobsterEventType::kSubmit;
  std::uint64_t order_id = 0;
  Quantity size = 0;
  Price price = 0;         // dollars × 10,000; see kLobsterHaltPrice for type 7
  Side side = Side::kBuy;  // for executions: the side of the resting order
  std::size_t line = 0;    // 1-based line in the file
};

// One level of an order-book row. Empty levels hold the sentinels below.
struct LobsterLevel {
  Price ask_price = 0;
  Quantity ask_size = 0;
  Price bid_price = 0;
  Quantity bid_size = 0;
  bool operator==(const LobsterLevel&) const = default;
};

inline constexpr Price kLobsterEmptyAsk = 9'999'999'999;
inline constexpr Price kLobsterEmptyBid = -9'999'999'999;

// The book after one message, best level first.
using LobsterBookRow = std::vector<LobsterLevel>;

// Readers. `file_name` only labels errors. Blank lines are skipped; every
// other line must be well formed (throws LobsterError naming file and line).
// Every book row must have the same number of levels.
std::vector<LobsterMessage> ReadLobsterMessages(std::istream& in, std::string_view file_name);
std::vector<LobsterBookRow> ReadLobsterBook(std::istream& in, std::string_view file_name);
std::vector<LobsterMessage> ReadLobsterMessagesFile(const std::string& path);
std::vector<LobsterBookRow> ReadLobsterBookFile(const std::string& path);

// The order-book file that goes with a message file: the last "_message_" in
// the file name becomes "_orderbook_". Throws LobsterError when there is none.
std::string LobsterBookPathFor(const std::string& message_path);

// One order-book row as LOBSTER writes it, without newline.
std::string FormatLobsterBookRow(const LobsterBookRow& row);

struct LobsterReplayConfig {
  std::string symbol = "LOBSTER";
  Price tick_size = 100;      // one cent in LOBSTER's price units
  Timestamp time_offset = 0;  // added to every message time (e.g. the day's epoch)
};

struct LobsterStats {
  // The figures of FormatSummary.
  std::size_t executions_matched = 0;  // X: of Y, filled exactly against the named order
  std::size_t executions_known = 0;    // Y: visible executions of orders submitted in the file
  std::size_t rows_equal = 0;          // A: book rows equal to LOBSTER's (its level count)
  std::size_t rows = 0;                // B: book rows compared (= messages)
  Quantity reconciled_qty = 0;         // Q: invisible liquidity added or taken off
  // Diagnostics.
  std::size_t messages = 0;
  std::size_t commands = 0;           // commands sent, seed and instrument included
  std::size_t rejects = 0;            // commands the engine refused (0 in a sound replay)
  std::size_t unexpected_trades = 0;  // trades caused by anything but an execution's IOC
  std::size_t orphan_messages = 0;    // cancels of known orders no longer in the book
  std::uint64_t state_hash = 0;       // Engine::StateHash() at the end
};

// "executions_matched=X/Y rows_equal=A/B reconciled_qty=Q"
std::string FormatSummary(const LobsterStats& stats);

// Everything the replay sends to the engine. Replaying `commands` on a fresh
// Engine gives the same events and state as the replay itself.
struct LobsterFlow {
  InstrumentSpec instrument;
  std::vector<Command> commands;  // AddInstrument, the seed, then the messages' commands
  std::size_t prefill = 0;        // commands[0, prefill) add the instrument and seed the book
};

// Runs the replay. `book_rows` is the order-book file (one row per message).
// When `book_out` is not null, writes the replay's top `output_levels` levels
// after every message (0: as many as the book file has). When `flow` is not
// null, stores the commands there. Throws std::invalid_argument when there
// is not one book row per message.
LobsterStats ReplayLobster(const std::vector<LobsterMessage>& messages,
                           const std::vector<LobsterBookRow>& book_rows,
                           const LobsterReplayConfig& config, std::size_t output_levels = 0,
                           std::ostream* book_out = nullptr, LobsterFlow* flow = nullptr);

// The command list alone, from files (`orderbook_path` empty: derived from
// the message file name). The input of `exchange-bench engine --lobster`.
// Throws LobsterError when a file is missing or malformed or the two files
// do not go together.
LobsterFlow BuildLobsterFlow(const std::string& message_path,
                             const std::string& orderbook_path = "",
                             const LobsterReplayConfig& config = {});

// The exchange-replay --lobster entry point.
struct LobsterReplayOptions {
  std::string message_file;
  std::string orderbook_file;  // empty: derived from message_file
  std::size_t levels = 0;      // levels written to book_output; 0: the book file's
  std::string book_output;     // empty: no book output
  std::string symbol = "LOBSTER";
};

// Replays, writes the book rows to options.book_output and the summary line
// to `summary_out`. Returns 0, or 1 after writing the error to `error_out`
// when a file is missing or malformed.
int RunLobsterReplay(const LobsterReplayOptions& options, std::ostream& summary_out,
                     std::ostream& error_out = std::cerr);

}  // namespace exchange
