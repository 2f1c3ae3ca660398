// LOBSTER message and order-book files: parsing every line (with the file
// and line of a malformed one), reading whole files, the order-book file's
// name, and writing a book row as LOBSTER does. The formats are in lobster.h.
#include "orderflow/lobster.h"

#include <fstream>
#include <functional>
#include <optional>

#include "orderflow/csv_fields.h"

namespace exchange {

namespace {

// "file:line: what", or "file: what" for line 0.
std::string LocatedMessage(std::string_view file, std::size_t line, const std::string& what) {
  std::string out(file);
  if (line != 0) out.append(":").append(std::to_string(line));
  return out.append(": ").append(what);
}

}  // namespace

LobsterError::LobsterError(std::string_view file, std::size_t line, const std::string& what)
    : std::runtime_error(LocatedMessage(file, line, what)), file_(file), line_(line) {}

namespace {

// ---------------------------------------------------------------- parsing

constexpr std::size_t kMessageFields = 6;
constexpr std::size_t kLevelFields = 4;
constexpr int kMaxTimeDecimals = 9;  // LOBSTER gives nanoseconds at most

// "34200.004241176" (seconds after midnight) as nanoseconds, without floating
// point; nullopt when the text is not such a number.
std::optional<Timestamp> ParseLobsterTime(std::string_view s) {
  const std::size_t dot = s.find('.');
  const std::string_view whole = s.substr(0, dot);
  const std::string_view fraction = dot == std::string_view::npos ? "" : s.substr(dot + 1);
  if (whole.empty() || fraction.size() > kMaxTimeDecimals) return std::nullopt;
  const auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (!std::all_of(whole.begin(), whole.end(), digit)) return std::nullopt;
  if (!std::all_of(fraction.begin(), fraction.end(), digit)) return std::nullopt;
  const auto seconds = ParseInt(whole);
  if (!seconds || *seconds > INT64_MAX / 1'000'000'000 - 1) return std::nullopt;
  Timestamp nanos = 0;
  for (int i = 0; i < kMaxTimeDecimals; ++i) {
    const std::size_t n = static_cast<std::size_t>(i);
    nanos = nanos * 10 + (n < fraction.size() ? fraction[n] - '0' : 0);
  }
  return *seconds * 1'000'000'000 + nanos;
}

// The fields of one line, with errors that name file, line and field.
class LineFields {
 public:
  LineFields(std::string_view file, std::size_t line, std::string_view text)
      : file_(file), line_(line), fields_(SplitCsv(text)) {}

  std::size_t size() const { return fields_.size(); }
  std::string_view Text(std::size_t i) const { return fields_[i]; }

  std::int64_t Int(std::size_t i, std::string_view name) const {
    const auto v = ParseInt(fields_[i]);
    if (!v) Fail(std::string(name) + " '" + std::string(fields_[i]) + "' is not an integer");
    return *v;
  }

  [[noreturn]] void Fail(const std::string& what) const { throw LobsterError(file_, line_, what); }

 private:
  std::string_view file_;
  std::size_t line_;
  std::vector<std::string_view> fields_;
};

LobsterEventType CheckedType(const LineFields& f) {
  const std::int64_t type = f.Int(1, "type");
  if (type < 1 || type > 7) f.Fail("type " + std::to_string(type) + " is not 1..7");
  return static_cast<LobsterEventType>(type);
}

// Field rules that depend on the message type.
void CheckMessage(const LineFields& f, const LobsterMessage& m, std::int64_t direction) {
  if (m.type == LobsterEventType::kHalt) {
    if (m.price != kLobsterHaltPrice && m.price != kLobsterQuotePrice &&
        m.price != kLobsterResumePrice) {
      f.Fail("halt price " + std::to_string(m.price) + " is not -1, 0 or 1");
    }
    return;  // the other fields of a halt carry nothing
  }
  if (direction != 1 && direction != -1) {
    f.Fail("direction " + std::to_string(direction) + " is not 1 or -1");
  }
  if (m.size <= 0) f.Fail("size " + std::to_string(m.size) + " is not positive");
  if (m.price <= 0) f.Fail("price " + std::to_string(m.price) + " is not positive");
}

LobsterMessage ParseMessage(std::string_view file, std::size_t line, std::string_view text) {
  const LineFields f(file, line, text);
  if (f.size() != kMessageFields) {
    f.Fail("expected 6 fields (time,type,order_id,size,price,direction), found " +
           std::to_string(f.size()));
  }
  LobsterMessage m;
  m.line = line;
  const auto time = ParseLobsterTime(f.Text(0));
  if (!time) {
    f.Fail("time '" + std::string(f.Text(0)) + "' is not seconds.fraction (<= 9 decimals)");
  }
  m.time = *time;
  m.type = CheckedType(f);
  const std::int64_t id = f.Int(2, "order_id");
  if (id < 0) f.Fail("order_id " + std::to_string(id) + " is negative");
  m.order_id = static_cast<std::uint64_t>(id);
  m.size = f.Int(3, "size");
  m.price = f.Int(4, "price");
  const std::int64_t direction = f.Int(5, "direction");
  CheckMessage(f, m, direction);
  m.side = direction == -1 ? Side::kSell : Side::kBuy;
  return m;
}

LobsterBookRow ParseBookRow(std::string_view file, std::size_t line, std::string_view text) {
  const LineFields f(file, line, text);
  if (f.size() % kLevelFields != 0) {
    f.Fail("expected 4 fields per level (ask_px,ask_sz,bid_px,bid_sz), found " +
           std::to_string(f.size()) + " fields");
  }
  LobsterBookRow row(f.size() / kLevelFields);
  for (std::size_t i = 0; i < row.size(); ++i) {
    const std::size_t base = i * kLevelFields;
    const std::string level = " of level " + std::to_string(i + 1);
    row[i].ask_price = f.Int(base, "ask price" + level);
    row[i].ask_size = f.Int(base + 1, "ask size" + level);
    row[i].bid_price = f.Int(base + 2, "bid price" + level);
    row[i].bid_size = f.Int(base + 3, "bid size" + level);
    if (row[i].ask_size < 0 || row[i].bid_size < 0) f.Fail("negative size" + level);
  }
  return row;
}

// Calls `parse(line_number, text)` for every non-blank line.
void ForEachLine(std::istream& in,
                 const std::function<void(std::size_t, std::string_view)>& parse) {
  std::string line;
  std::size_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    std::string_view view(line);
    if (!view.empty() && view.back() == '\r') view.remove_suffix(1);
    if (view.find_first_not_of(" \t") == std::string_view::npos) continue;
    parse(number, view);
  }
}

std::ifstream OpenForReading(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw LobsterError(path, 0, "cannot open for reading");
  return in;
}

}  // namespace

// ---------------------------------------------------------------- readers

std::vector<LobsterMessage> ReadLobsterMessages(std::istream& in, std::string_view file_name) {
  std::vector<LobsterMessage> out;
  ForEachLine(in, [&](std::size_t number, std::string_view text) {
    out.push_back(ParseMessage(file_name, number, text));
  });
  return out;
}

std::vector<LobsterBookRow> ReadLobsterBook(std::istream& in, std::string_view file_name) {
  std::vector<LobsterBookRow> out;
  ForEachLine(in, [&](std::size_t number, std::string_view text) {
    out.push_back(ParseBookRow(file_name, number, text));
    if (out.back().size() != out.front().size()) {
      throw LobsterError(file_name, number,
                         std::to_string(out.back().size()) + " levels, the first row has " +
                             std::to_string(out.front().size()));
    }
  });
  return out;
}

std::vector<LobsterMessage> ReadLobsterMessagesFile(const std::string& path) {
  std::ifstream in = OpenForReading(path);
  return ReadLobsterMessages(in, path);
}

std::vector<LobsterBookRow> ReadLobsterBookFile(const std::string& path) {
  std::ifstream in = OpenForReading(path);
  return ReadLobsterBook(in, path);
}

std::string LobsterBookPathFor(const std::string& message_path) {
  constexpr std::string_view kMessage = "_message_";
  constexpr std::string_view kOrderBook = "_orderbook_";
  const std::size_t name_start = message_path.find_last_of('/') + 1;  // npos + 1 == 0
  const std::size_t at = message_path.rfind(kMessage);
  if (at == std::string::npos || at < name_start) {
    throw LobsterError(message_path, 0,
                       "cannot derive the order-book file: no '_message_' in the file name");
  }
  std::string out = message_path;
  out.replace(at, kMessage.size(), kOrderBook);
  return out;
}

std::string FormatLobsterBookRow(const LobsterBookRow& row) {
  std::string out;
  for (const LobsterLevel& l : row) {
    if (!out.empty()) out += ',';
    out += std::to_string(l.ask_price) + ',' + std::to_string(l.ask_size) + ',' +
           std::to_string(l.bid_price) + ',' + std::to_string(l.bid_size);
  }
  return out;
}

}  // namespace exchange
