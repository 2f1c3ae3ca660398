// FixWriter: builds one outgoing FIX 4.4 message into a buffer it reuses,
// computing BodyLength(9) and CheckSum(10) on Finish(). No allocation per
// message once the buffer has grown to the largest message.
//
// Typical use:
//   w.Start(msg::kExecutionReport, "EXCH", "CLIENT1", 42, sending_time);
//   w.Add(tag::kOrderID, "17"); w.Add(tag::kCumQty, 100); ...
//   std::string_view bytes = w.Finish();   // valid until the next Start()
//
// A FixWriter belongs to one thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace exchange::fix {

class FixWriter {
 public:
  FixWriter();

  // Begins a message: 35, 49, 56, 34 and 52 (sending_time as
  // UTCTimestamp YYYYMMDD-HH:MM:SS.sss from nanoseconds since the epoch).
  void Start(std::string_view msg_type, std::string_view sender_comp_id,
             std::string_view target_comp_id, std::uint64_t seq_num, std::int64_t sending_time_ns);

  // Appends tag=value<SOH>. The value must not be empty nor contain SOH
  // (checked in debug builds only: values come from the gateway itself or
  // from fields it parsed).
  void Add(int tag, std::string_view value);
  void Add(int tag, std::int64_t value);
  void Add(int tag, char value);
  // An int would be ambiguous between the two above (w.Add(tag::kCumQty, 100)).
  void Add(int tag, int value) { Add(tag, static_cast<std::int64_t>(value)); }
  // UTCTimestamp with milliseconds, as in Start().
  void AddTime(int tag, std::int64_t time_ns);
  // A fixed-point value as a decimal with `decimals` digits after the point,
  // trailing zeros kept (12345 with 2 decimals is "123.45").
  void AddDecimal(int tag, std::int64_t value, int decimals);

  // Writes 8 and 9 in front and 10 at the end; returns the whole message.
  // Once per Start() (checked in debug builds, as is Add() after Finish()).
  std::string_view Finish();

 private:
  static constexpr std::size_t kHeadRoom = 32;  // room for "8=FIX.4.4|9=<n>|" in front
  std::string buffer_;
  std::size_t body_start_ = kHeadRoom;
  bool open_ = false;  // between Start() and Finish()
};

// UTCTimestamp text of nanoseconds since the epoch: YYYYMMDD-HH:MM:SS.sss.
std::string UtcTimestamp(std::int64_t time_ns);
// Parses YYYYMMDD-HH:MM:SS or YYYYMMDD-HH:MM:SS.sss (.ssssss, .sssssssss
// accepted too) into nanoseconds since the epoch; nullopt when malformed.
std::optional<std::int64_t> ParseUtcTimestamp(std::string_view text);

}  // namespace exchange::fix
