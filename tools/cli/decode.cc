#include "tools/cli/decode.h"

#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <sstream>

#include "base/hex_digit.h"
#include "tools/cli/cli_error.h"
#include "wire/describe.h"
#include "wire/wire_format.h"

namespace exchange::cli {

namespace {

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int Malformed(const wire::DecodeError& error, std::ostream& err) {
  err << "decode: malformed message: " << error.reason << " (at byte offset " << error.offset
      << ")\n";
  return kExitBadInput;
}

int ShowCommands(std::string_view bytes, bool json, std::ostream& out, std::ostream& err) {
  wire::CommandBatch batch;
  if (const auto error = wire::DecodeCommandBatch(bytes, batch)) return Malformed(*error, err);
  if (json) {
    out << wire::ToJson(batch).dump() << '\n';
    return 0;
  }
  out << "command batch: producer_id=" << batch.producer_id << " records=" << batch.records.size()
      << " bytes=" << bytes.size() << '\n';
  for (const wire::CommandRecord& record : batch.records)
    out << wire::Describe(record) << '\n';
  return 0;
}

int ShowEvents(std::string_view bytes, bool json, std::ostream& out, std::ostream& err) {
  wire::EventBatch batch;
  if (const auto error = wire::DecodeEventBatch(bytes, batch)) return Malformed(*error, err);
  if (json) {
    out << wire::ToJson(batch).dump() << '\n';
    return 0;
  }
  out << "event batch: records=" << batch.records.size() << " bytes=" << bytes.size() << '\n';
  for (const wire::EventRecord& record : batch.records)
    out << wire::Describe(record) << '\n';
  return 0;
}

}  // namespace

std::string ParseHex(std::string_view text) {
  std::string bytes;
  std::optional<int> high;
  std::size_t i = 0;
  while (i < text.size() && IsSpace(text[i]))
    ++i;
  if (text.substr(i, 2) == "0x" || text.substr(i, 2) == "0X") i += 2;
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (IsSpace(c)) continue;
    const int v = HexDigitValue(c);
    if (v < 0) {
      throw CliError(kExitBadInput, "--hex: '" + std::string(1, c) + "' at character " +
                                        std::to_string(i) + " is not a hex digit");
    }
    if (high) {
      bytes.push_back(static_cast<char>(*high * 16 + v));
      high.reset();
    } else {
      high = v;
    }
  }
  if (high) throw CliError(kExitBadInput, "--hex: odd number of hex digits");
  return bytes;
}

std::string ReadWholeInput(const std::string& path) {
  if (path == "-") {
    std::ostringstream all;
    all << std::cin.rdbuf();
    if (std::cin.bad()) throw CliError(kExitBadInput, "standard input: read error");
    return all.str();
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw CliError(kExitBadInput, path + ": cannot open");
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw CliError(kExitBadInput, path + ": read error");
  return bytes;
}

int DecodeMessage(std::string_view bytes, bool json, std::ostream& out, std::ostream& err) {
  // An unknown kind is reported by the command decoder (magic, version, kind).
  if (wire::PeekKind(bytes) == wire::MessageKind::kEventBatch) {
    return ShowEvents(bytes, json, out, err);
  }
  return ShowCommands(bytes, json, out, err);
}

}  // namespace exchange::cli
