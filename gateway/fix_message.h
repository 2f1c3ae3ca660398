// FixMessage: one FIX tag=value message, parsed in place. The fields are
// views into the caller's buffer (no allocation per field, nor per message:
// the field table is a fixed array inside the object), so a FixMessage is
// valid only while that buffer is unchanged.
//
// FrameMessage() finds where one message ends in a byte stream and checks
// its BeginString(8), BodyLength(9) and CheckSum(10); FixMessage::Parse()
// splits a framed message into fields. Both are pure functions of their
// input; a FixMessage belongs to the thread that parsed it.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace exchange::fix {

inline constexpr char kSoh = '\x01';

struct Field {
  int tag = 0;
  std::string_view value;
};

// What FrameMessage found at the start of a buffer.
enum class FrameStatus {
  kComplete,    // a whole message of `length` bytes, length and checksum right
  kIncomplete,  // a valid beginning: more bytes are needed
  kGarbled,     // not a valid FIX 4.4 message; `length` bytes should be skipped
                // (to the next "8=FIX.4.4<SOH>" or the end of the buffer), `error` says why
};

struct Frame {
  FrameStatus status = FrameStatus::kIncomplete;
  std::size_t length = 0;
  std::string error;  // kGarbled only: "CheckSum(10) is 123, computed 45", …
};

// Largest message accepted; a BodyLength above this is garbled (a peer cannot
// make the gateway buffer without bound).
inline constexpr std::size_t kMaxMessageLength = 16 * 1024;

// Looks at the start of `buffer` (the bytes received and not yet consumed).
// A complete frame starts with "8=FIX.4.4<SOH>9=<digits><SOH>", has exactly
// BodyLength bytes from after that field up to "10=", and ends with
// "10=<three digits><SOH>" equal to the sum of all previous bytes mod 256.
// Garbled bytes are skipped up to the next "8=FIX.4.4<SOH>"; with none, up
// to a tail that may begin one (so "...8=FI" keeps "8=FI"). A message cut
// short is garbled as soon as "<SOH>8=FIX.4.4<SOH>" shows within the body its
// BodyLength claims, without waiting for the rest of that claimed body.
Frame FrameMessage(std::string_view buffer);

// The sum of the bytes mod 256: the CheckSum(10) of a message whose bytes
// before "10=" are `bytes`.
std::uint8_t Checksum(std::string_view bytes);

// Why Parse refused a framed message; the session answers with Reject(35=3)
// carrying these (when the message's MsgSeqNum could be read).
struct ParseError {
  int ref_tag = 0;            // RefTagID(371); 0 when no tag is at fault
  int session_reject_reason;  // SessionRejectReason(373), fix_tags.h session_reject
  std::string text;           // Text(58)
};

class FixMessage {
 public:
  static constexpr std::size_t kMaxFields = 256;

  // Parses a framed message (as FrameMessage delimited it). Checks: every
  // field is <digits>=<value><SOH> with a tag in 1..99999 without leading
  // zero and a non-empty value; 8, 9 and 35 come first in that order and 10
  // last; no tag other than a repeating-group tag appears twice (this gateway
  // reads no repeating groups, so any repeat is refused); at most kMaxFields.
  // On error returns it and leaves the message holding the fields read so far
  // (so MsgSeqNum may still be read for the Reject).
  std::optional<ParseError> Parse(std::string_view framed);

  // The value of the first field with `tag`; empty when absent.
  std::string_view Get(int tag) const;
  bool Has(int tag) const;
  // The value as an integer: nullopt when absent or not a base-10 integer
  // (optional leading '-', digits only, fits in int64).
  std::optional<std::int64_t> GetInt(int tag) const;
  std::string_view msg_type() const { return Get(35); }
  std::optional<std::int64_t> seq_num() const { return GetInt(34); }

  const Field* begin() const { return fields_.data(); }
  const Field* end() const { return fields_.data() + count_; }
  std::size_t size() const { return count_; }
  std::string_view raw() const { return raw_; }

 private:
  std::array<Field, kMaxFields> fields_{};
  std::size_t count_ = 0;
  std::string_view raw_;
};

// The message with SOH shown as '|', for logs and test failures.
std::string Printable(std::string_view message);

}  // namespace exchange::fix
