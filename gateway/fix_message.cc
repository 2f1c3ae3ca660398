// FIX 4.4 framing (BeginString, BodyLength, CheckSum) and the in-place field
// parser. Neither allocates on the success path: errors build their text.
#include "gateway/fix_message.h"

#include <charconv>
#include <system_error>
#include <utility>
#include <variant>

#include "gateway/fix_tags.h"

namespace exchange::fix {
namespace {

// The first field of every message, SOH included.
constexpr std::string_view kBeginField = "8=FIX.4.4\x01";
// A begin string where a field may start: inside a body, a message cut short.
// (Two literals: "\x018" would be a single hex escape.)
constexpr std::string_view kBeginAfterSoh =
    "\x01"
    "8=FIX.4.4\x01";
constexpr std::string_view kBodyLengthPrefix = "9=";
constexpr std::string_view kCheckSumPrefix = "10=";
constexpr std::size_t kTrailerSize = 7;     // "10=ddd<SOH>"
constexpr std::size_t kMaxTagDigits = 5;    // tags are 1..99999
constexpr std::size_t kMaxShownBytes = 32;  // of a bad value quoted in an error

bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}

// At most kMaxShownBytes of `bytes`, unprintable ones shown as '?': safe to
// quote in an error text that goes back to the peer in Text(58).
std::string Excerpt(std::string_view bytes) {
  std::string shown;
  for (char c : bytes.substr(0, kMaxShownBytes))
    shown += (c >= ' ' && c <= '~') ? c : '?';
  if (bytes.size() > kMaxShownBytes) shown += "...";
  return shown;
}

// ------------------------------------------------------------------ framing

// Whether the bytes of `buffer` from `pos` (pos <= size) are `expected`, or
// could still become it when more bytes arrive.
enum class Match { kYes, kNotYet, kNo };

Match MatchAt(std::string_view buffer, std::size_t pos, std::string_view expected) {
  const std::string_view have = buffer.substr(pos, expected.size());
  if (!expected.starts_with(have)) return Match::kNo;
  return have.size() == expected.size() ? Match::kYes : Match::kNotYet;
}

// Whether `trailer`, the bytes received so far where CheckSum(10) should
// be, is a prefix of "10=ddd<SOH>".
bool TrailerCouldBeCheckSum(std::string_view trailer) {
  for (std::size_t i = 0; i < trailer.size(); ++i) {
    const char c = trailer[i];
    const bool ok = i < kCheckSumPrefix.size() ? c == kCheckSumPrefix[i]
                    : i < kTrailerSize - 1     ? IsDigit(c)
                                               : c == kSoh;
    if (!ok) return false;
  }
  return true;
}

// How many bytes to skip when the message at the start of `buffer` cannot be
// read: up to the next begin string after the first byte; failing that, up
// to a tail that is the beginning of one (the next bytes may complete it);
// failing that, everything. At least 1 when `buffer` is not empty.
std::size_t SkipToNextBegin(std::string_view buffer) {
  const std::size_t next = buffer.find(kBeginField, 1);
  if (next != std::string_view::npos) return next;
  const std::size_t shortest_tail_start =
      buffer.size() >= kBeginField.size() ? buffer.size() - kBeginField.size() + 1 : 1;
  for (std::size_t at = shortest_tail_start; at < buffer.size(); ++at) {
    if (kBeginField.starts_with(buffer.substr(at))) return at;
  }
  return buffer.size();
}

Frame Incomplete() {
  return Frame{FrameStatus::kIncomplete, 0, {}};
}

Frame Garbled(std::size_t length, std::string error) {
  return Frame{FrameStatus::kGarbled, length, std::move(error)};
}

// The error for bytes that do not start with the begin string.
Frame NotABeginString(std::string_view buffer) {
  const std::size_t skip = SkipToNextBegin(buffer);
  std::string error = "No BeginString(8) FIX.4.4 at '";
  error += Excerpt(buffer.substr(0, skip));
  error += "': ";
  error += std::to_string(skip);
  error += " bytes skipped";
  return Garbled(skip, std::move(error));
}

// The BodyLength digits that start at `buffer[pos]`, for an error text.
std::string_view DigitRun(std::string_view buffer, std::size_t pos) {
  std::size_t end = pos;
  while (end < buffer.size() && end - pos < 20 && IsDigit(buffer[end]))
    ++end;
  return buffer.substr(pos, end - pos);
}

// Why the bytes where BodyLength says CheckSum(10) is are not "10=ddd<SOH>"
// after a SOH.
Frame BodyLengthMisses(std::string_view buffer, std::size_t body_length) {
  std::string error = "BodyLength(9) ";
  error += std::to_string(body_length);
  error += " does not end at CheckSum(10)";
  return Garbled(SkipToNextBegin(buffer), std::move(error));
}

// A message that begins inside the body BodyLength claims for this one, at
// `embedded_at`: this one was cut short.
Frame RunsIntoNextMessage(std::size_t body_length, std::size_t embedded_at) {
  std::string error = "BodyLength(9) ";
  error += std::to_string(body_length);
  error += " runs into a BeginString(8) at offset ";
  error += std::to_string(embedded_at);
  return Garbled(embedded_at, std::move(error));
}

// Compares CheckSum(10), whose "10=ddd<SOH>" starts at `trailer_at`, with
// the sum of the bytes before it.
Frame CheckTheSum(std::string_view buffer, std::size_t trailer_at) {
  const std::string_view digits = buffer.substr(trailer_at + kCheckSumPrefix.size(), 3);
  const int declared = (digits[0] - '0') * 100 + (digits[1] - '0') * 10 + (digits[2] - '0');
  const int computed = Checksum(buffer.substr(0, trailer_at));
  const std::size_t length = trailer_at + kTrailerSize;
  if (declared == computed) return Frame{FrameStatus::kComplete, length, {}};
  std::string error = "CheckSum(10) is ";
  error += digits;
  error += ", computed ";
  error += std::to_string(computed);
  return Garbled(length, std::move(error));
}

// The value of BodyLength(9) and where the body it measures starts.
struct BodyLength {
  std::size_t value = 0;
  std::size_t body_at = 0;
};

// Reads "9=<digits><SOH>" after the begin string; a Frame (incomplete or
// garbled) when it cannot.
std::variant<BodyLength, Frame> ReadBodyLength(std::string_view buffer) {
  std::size_t pos = kBeginField.size();
  switch (MatchAt(buffer, pos, kBodyLengthPrefix)) {
    case Match::kNotYet: return Incomplete();
    case Match::kNo:
      return Garbled(SkipToNextBegin(buffer), "BodyLength(9) does not follow BeginString(8)");
    case Match::kYes: break;
  }
  pos += kBodyLengthPrefix.size();
  const std::size_t digits_at = pos;
  std::size_t value = 0;
  for (; pos < buffer.size() && buffer[pos] != kSoh; ++pos) {
    if (!IsDigit(buffer[pos])) {
      std::string error = "BodyLength(9) '";
      error += Excerpt(buffer.substr(digits_at, pos + 1 - digits_at));
      error += "' is not a number";
      return Garbled(SkipToNextBegin(buffer), std::move(error));
    }
    value = value * 10 + static_cast<std::size_t>(buffer[pos] - '0');
    if (value > kMaxMessageLength) {  // checked at each digit: never overflows
      std::string error = "BodyLength(9) ";
      error += DigitRun(buffer, digits_at);
      error += " is above the largest accepted, ";
      error += std::to_string(kMaxMessageLength);
      return Garbled(SkipToNextBegin(buffer), std::move(error));
    }
  }
  if (pos == buffer.size()) return Incomplete();
  if (pos == digits_at) return Garbled(SkipToNextBegin(buffer), "BodyLength(9) is empty");
  return BodyLength{value, pos + 1};
}

}  // namespace

Frame FrameMessage(std::string_view buffer) {
  switch (MatchAt(buffer, 0, kBeginField)) {
    case Match::kNotYet: return Incomplete();
    case Match::kNo: return NotABeginString(buffer);
    case Match::kYes: break;
  }
  std::variant<BodyLength, Frame> read = ReadBodyLength(buffer);
  if (Frame* frame = std::get_if<Frame>(&read)) return std::move(*frame);
  const auto [body_length, body_at] = std::get<BodyLength>(read);

  // A begin string after a SOH inside the claimed body (the SOH ending
  // BodyLength included) starts the next message: this one was cut short.
  const std::size_t trailer_at = body_at + body_length;
  const std::size_t embedded = buffer.substr(0, trailer_at).find(kBeginAfterSoh, body_at - 1);
  if (embedded != std::string_view::npos) return RunsIntoNextMessage(body_length, embedded + 1);
  if (trailer_at > buffer.size()) return Incomplete();

  // The body ends with a SOH (when empty, the one ending BodyLength) and
  // CheckSum(10) follows it.
  const std::string_view trailer = buffer.substr(trailer_at, kTrailerSize);
  if (buffer[trailer_at - 1] != kSoh || !TrailerCouldBeCheckSum(trailer)) {
    return BodyLengthMisses(buffer, body_length);
  }
  if (trailer.size() < kTrailerSize) return Incomplete();
  return CheckTheSum(buffer, trailer_at);
}

std::uint8_t Checksum(std::string_view bytes) {
  unsigned sum = 0;  // wraps modulo 2^32, a multiple of 256
  for (char c : bytes)
    sum += static_cast<unsigned char>(c);
  return static_cast<std::uint8_t>(sum % 256);
}

// ------------------------------------------------------------------ parsing

namespace {

// An invalid tag number: `digits` (what stands before '=') at `offset`, `why`.
ParseError BadTag(std::string_view digits, std::size_t offset, std::string_view why) {
  std::string text = "Tag '";
  text += Excerpt(digits);
  text += "' at offset ";
  text += std::to_string(offset);
  text += why;
  return ParseError{0, session_reject::kInvalidTagNumber, std::move(text)};
}

// Reads the tag number of the field at the start of `text` (which runs to
// the end of the message, `offset` bytes into it): digits up to '='. Sets
// `length` to the number of digits.
std::optional<ParseError> ReadTag(std::string_view text, std::size_t offset, int& tag,
                                  std::size_t& length) {
  const std::size_t end = text.find_first_of(std::string_view("=\x01", 2));
  if (end == std::string_view::npos || text[end] != '=') {
    return BadTag(text.substr(0, end), offset, " has no '='");
  }
  const std::string_view digits = text.substr(0, end);
  if (digits.empty()) return BadTag(digits, offset, " is empty");
  for (char c : digits) {
    if (!IsDigit(c)) return BadTag(digits, offset, " is not a number");
  }
  if (digits.size() > kMaxTagDigits) return BadTag(digits, offset, " is above 99999");
  if (digits == "0") return BadTag(digits, offset, " is not a valid tag number");
  if (digits[0] == '0') return BadTag(digits, offset, " has a leading zero");
  int value = 0;
  for (char c : digits)
    value = value * 10 + (c - '0');
  tag = value;
  length = end;
  return std::nullopt;
}

std::string TagText(int tag, std::string_view rest) {
  std::string text = "Tag ";
  text += std::to_string(tag);
  text += rest;
  return text;
}

// Where tag may stand: 8, 9 and 35 first in that order, 10 last. `index` is
// the field's position, `last` whether the message ends after it.
std::optional<ParseError> CheckPlace(int tag, std::size_t index, bool last) {
  static constexpr int kFirstTags[] = {tag::kBeginString, tag::kBodyLength, tag::kMsgType};
  static constexpr std::string_view kFirstNames[] = {"BeginString(8)", "BodyLength(9)",
                                                     "MsgType(35)"};
  if (index < std::size(kFirstTags) && tag != kFirstTags[index]) {
    std::string text(kFirstNames[index]);
    if (tag == tag::kCheckSum) {
      text += " is missing";
      return ParseError{kFirstTags[index], session_reject::kRequiredTagMissing, std::move(text)};
    }
    text += " must be field ";
    text += std::to_string(index + 1);
    text += ", found tag ";
    text += std::to_string(tag);
    return ParseError{tag, session_reject::kTagOutOfOrder, std::move(text)};
  }
  if (tag == tag::kCheckSum && !last) {
    return ParseError{tag, session_reject::kTagOutOfOrder, "CheckSum(10) is not the last field"};
  }
  return std::nullopt;
}

}  // namespace

std::optional<ParseError> FixMessage::Parse(std::string_view framed) {
  count_ = 0;
  raw_ = framed;
  std::size_t pos = 0;
  while (pos < framed.size()) {
    int tag = 0;
    std::size_t tag_length = 0;
    if (auto error = ReadTag(framed.substr(pos), pos, tag, tag_length)) return error;
    const std::size_t value_at = pos + tag_length + 1;
    const std::size_t value_end = framed.find(kSoh, value_at);
    if (value_end == std::string_view::npos) {
      return ParseError{tag, session_reject::kIncorrectDataFormat,
                        TagText(tag, " is not ended by SOH")};
    }
    if (value_end == value_at) {
      return ParseError{tag, session_reject::kTagWithoutValue, TagText(tag, " has an empty value")};
    }
    pos = value_end + 1;
    if (auto error = CheckPlace(tag, count_, pos == framed.size())) return error;
    if (Has(tag)) return ParseError{tag, session_reject::kTagRepeated, TagText(tag, " repeated")};
    if (count_ == kMaxFields) {
      std::string text = "More than ";
      text += std::to_string(kMaxFields);
      text += " fields";
      return ParseError{0, session_reject::kOther, std::move(text)};
    }
    fields_[count_++] = Field{tag, framed.substr(value_at, value_end - value_at)};
  }
  if (count_ == 0) {
    return ParseError{tag::kBeginString, session_reject::kRequiredTagMissing, "Empty message"};
  }
  if (fields_[count_ - 1].tag != tag::kCheckSum) {
    return ParseError{tag::kCheckSum, session_reject::kRequiredTagMissing,
                      "CheckSum(10) is missing at the end"};
  }
  return std::nullopt;
}

std::string_view FixMessage::Get(int tag) const {
  for (const Field& field : *this) {
    if (field.tag == tag) return field.value;
  }
  return {};
}

bool FixMessage::Has(int tag) const {
  for (const Field& field : *this) {
    if (field.tag == tag) return true;
  }
  return false;
}

std::optional<std::int64_t> FixMessage::GetInt(int tag) const {
  const std::string_view text = Get(tag);
  if (text.empty()) return std::nullopt;
  std::int64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

std::string Printable(std::string_view message) {
  std::string shown(message);
  for (char& c : shown) {
    if (c == kSoh) c = '|';
  }
  return shown;
}

}  // namespace exchange::fix
