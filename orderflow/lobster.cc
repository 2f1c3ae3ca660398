// LOBSTER replay: its entry points. The mapping and its reasons are described in
// lobster.h; the replay drives a private Engine while it builds the command
// list, because partial cancels and synthetic liquidity depend on the book.
#include "orderflow/lobster.h"

#include <fstream>
#include <ostream>
#include <stdexcept>
#include <utility>

#include "orderflow/lobster_replayer.h"

namespace exchange {
namespace {

using lobster::Replayer;

void CheckFilesAgree(const std::vector<LobsterMessage>& messages,
                     const std::vector<LobsterBookRow>& rows) {
  if (messages.size() != rows.size()) {
    throw std::invalid_argument("LOBSTER replay: " + std::to_string(rows.size()) +
                                " order-book rows for " + std::to_string(messages.size()) +
                                " messages; there must be one row per message");
  }
}

}  // namespace

// ---------------------------------------------------------------- replay

std::string FormatSummary(const LobsterStats& s) {
  return "executions_matched=" + std::to_string(s.executions_matched) + "/" +
         std::to_string(s.executions_known) + " rows_equal=" + std::to_string(s.rows_equal) + "/" +
         std::to_string(s.rows) + " reconciled_qty=" + std::to_string(s.reconciled_qty);
}

LobsterStats ReplayLobster(const std::vector<LobsterMessage>& messages,
                           const std::vector<LobsterBookRow>& book_rows,
                           const LobsterReplayConfig& config, std::size_t output_levels,
                           std::ostream* book_out, LobsterFlow* flow) {
  CheckFilesAgree(messages, book_rows);
  Replayer replay(config);
  const std::size_t file_levels = book_rows.empty() ? 0 : book_rows.front().size();
  if (output_levels == 0) output_levels = file_levels;
  if (!messages.empty()) replay.Seed(messages.front(), book_rows.front());
  const std::size_t prefill = replay.commands().size();

  for (std::size_t i = 0; i < messages.size(); ++i) {
    if (i > 0) replay.Reconcile(book_rows[i - 1], i);
    replay.Apply(messages[i], i + 1);
    LobsterStats& stats = replay.stats();
    ++stats.rows;
    if (replay.Top(file_levels) == book_rows[i]) ++stats.rows_equal;
    if (book_out) *book_out << FormatLobsterBookRow(replay.Top(output_levels)) << '\n';
  }

  LobsterStats stats = replay.stats();
  stats.commands = replay.commands().size();
  stats.state_hash = replay.engine().StateHash();
  if (flow) {
    flow->instrument = replay.instrument();
    flow->commands = std::move(replay.commands());
    flow->prefill = prefill;
  }
  return stats;
}

namespace {

struct LobsterFiles {
  std::vector<LobsterMessage> messages;
  std::vector<LobsterBookRow> rows;
};

// Reads a message file and its order-book file (derived when `book_path` is
// empty) and checks that they go together.
LobsterFiles ReadLobsterFiles(const std::string& message_path, const std::string& book_path) {
  const std::string rows_path = book_path.empty() ? LobsterBookPathFor(message_path) : book_path;
  LobsterFiles files{ReadLobsterMessagesFile(message_path), ReadLobsterBookFile(rows_path)};
  if (files.rows.size() != files.messages.size()) {
    throw LobsterError(rows_path, 0,
                       std::to_string(files.rows.size()) + " rows, but " + message_path + " has " +
                           std::to_string(files.messages.size()) + " messages");
  }
  return files;
}

}  // namespace

LobsterFlow BuildLobsterFlow(const std::string& message_path, const std::string& orderbook_path,
                             const LobsterReplayConfig& config) {
  const LobsterFiles files = ReadLobsterFiles(message_path, orderbook_path);
  LobsterFlow flow;
  ReplayLobster(files.messages, files.rows, config, 0, nullptr, &flow);
  return flow;
}

namespace {

LobsterStats RunFromOptions(const LobsterReplayOptions& options) {
  const LobsterFiles files = ReadLobsterFiles(options.message_file, options.orderbook_file);
  LobsterReplayConfig config;
  config.symbol = options.symbol;
  if (options.book_output.empty()) {
    return ReplayLobster(files.messages, files.rows, config, options.levels);
  }
  std::ofstream out(options.book_output);
  if (!out) throw LobsterError(options.book_output, 0, "cannot open for writing");
  LobsterStats stats = ReplayLobster(files.messages, files.rows, config, options.levels, &out);
  out.flush();
  if (!out) throw LobsterError(options.book_output, 0, "write failed");
  return stats;
}

}  // namespace

int RunLobsterReplay(const LobsterReplayOptions& options, std::ostream& summary_out,
                     std::ostream& error_out) {
  try {
    summary_out << FormatSummary(RunFromOptions(options)) << '\n';
    return 0;
  } catch (const std::exception& e) {
    error_out << "lobster replay: " << e.what() << '\n';
    return 1;
  }
}

}  // namespace exchange
