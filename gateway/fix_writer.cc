// FixWriter and UTCTimestamp text. The body is written after kHeadRoom free
// bytes so that Finish() can put BeginString and BodyLength in front without
// moving it. Dates use the civil-from-days arithmetic of H. Hinnant's
// "chrono-Compatible Low-Level Date Algorithms": no timegm, no locale.
#include "gateway/fix_writer.h"

#include <cassert>
#include <charconv>
#include <cstring>

#include "gateway/fix_decimal.h"
#include "gateway/fix_message.h"
#include "gateway/fix_tags.h"

namespace exchange::fix {
namespace {

constexpr std::string_view kBeginField = "8=FIX.4.4\x01";
constexpr std::size_t kInitialCapacity = 512;

constexpr std::int64_t kNanosPerSecond = 1'000'000'000;
constexpr std::int64_t kNanosPerMilli = 1'000'000;
constexpr std::int64_t kSecondsPerDay = 86'400;
// "YYYYMMDD-HH:MM:SS.sss"
constexpr std::size_t kTimestampChars = 21;
constexpr std::size_t kTimestampSecondsChars = 17;  // without ".sss"

// ------------------------------------------------------------------ calendar

struct CivilDate {
  std::int64_t year;
  int month;  // 1..12
  int day;    // 1..31
};

// a = quotient * b + remainder with 0 <= remainder < b, for b > 0; never
// overflows (a / b rounds toward zero, so the quotient is corrected after).
struct DivMod {
  std::int64_t quotient;
  std::int64_t remainder;
};

DivMod FloorDivMod(std::int64_t a, std::int64_t b) {
  DivMod result{a / b, a % b};
  if (result.remainder < 0) {
    result.quotient -= 1;
    result.remainder += b;
  }
  return result;
}

// Days since 1970-01-01 to the proleptic Gregorian date (eras of 400 years).
CivilDate CivilFromDays(std::int64_t days) {
  days += 719'468;  // from 0000-03-01
  const std::int64_t era = FloorDivMod(days, 146'097).quotient;
  const std::int64_t day_of_era = days - era * 146'097;  // 0..146096
  const std::int64_t year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36'524 - day_of_era / 146'096) /
      365;  // 0..399
  const std::int64_t day_of_year =
      day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);  // 0..365
  const std::int64_t month_from_march = (5 * day_of_year + 2) / 153;           // 0..11
  const auto day = static_cast<int>(day_of_year - (153 * month_from_march + 2) / 5 + 1);
  const auto month =
      static_cast<int>(month_from_march < 10 ? month_from_march + 3 : month_from_march - 9);
  return CivilDate{year_of_era + era * 400 + (month <= 2 ? 1 : 0), month, day};
}

// The inverse of CivilFromDays.
std::int64_t DaysFromCivil(CivilDate date) {
  const std::int64_t year = date.year - (date.month <= 2 ? 1 : 0);
  const std::int64_t era = FloorDivMod(year, 400).quotient;
  const std::int64_t year_of_era = year - era * 400;  // 0..399
  const std::int64_t month_from_march = date.month > 2 ? date.month - 3 : date.month + 9;
  const std::int64_t day_of_year = (153 * month_from_march + 2) / 5 + date.day - 1;
  const std::int64_t day_of_era =
      year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146'097 + day_of_era - 719'468;
}

bool IsLeapYear(std::int64_t year) {
  return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
}

int DaysInMonth(std::int64_t year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeapYear(year) ? 29 : kDays[month - 1];
}

// ------------------------------------------------------------------ text

// `value` as exactly `width` digits, zero-padded (value < 10^width).
char* WriteDigits(char* out, std::int64_t value, int width) {
  for (int i = width - 1; i >= 0; --i) {
    out[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  return out + width;
}

// Writes the kTimestampChars of UtcTimestamp(time_ns) to `out`. Every int64
// is a date in 1677..2262, so the year has four digits.
void WriteTimestamp(char* out, std::int64_t time_ns) {
  const DivMod seconds = FloorDivMod(time_ns, kNanosPerSecond);
  const std::int64_t millis = seconds.remainder / kNanosPerMilli;
  const DivMod days = FloorDivMod(seconds.quotient, kSecondsPerDay);
  const std::int64_t second_of_day = days.remainder;
  const CivilDate date = CivilFromDays(days.quotient);
  out = WriteDigits(out, date.year, 4);
  out = WriteDigits(out, date.month, 2);
  out = WriteDigits(out, date.day, 2);
  *out++ = '-';
  out = WriteDigits(out, second_of_day / 3600, 2);
  *out++ = ':';
  out = WriteDigits(out, second_of_day / 60 % 60, 2);
  *out++ = ':';
  out = WriteDigits(out, second_of_day % 60, 2);
  *out++ = '.';
  WriteDigits(out, millis, 3);
}

// Reads `count` digits of `text` from `pos`; false if any is not a digit.
bool ReadDigits(std::string_view text, std::size_t pos, std::size_t count, std::int64_t& value) {
  value = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    value = value * 10 + (text[i] - '0');
  }
  return true;
}

// "tag=" to `out`.
void AppendTag(std::string& out, int tag) {
  char text[12];
  out.append(text, std::to_chars(text, text + sizeof text, tag).ptr);
  out += '=';
}

}  // namespace

FixWriter::FixWriter() {
  buffer_.reserve(kInitialCapacity);
  buffer_.assign(kHeadRoom, '\0');
}

void FixWriter::Start(std::string_view msg_type, std::string_view sender_comp_id,
                      std::string_view target_comp_id, std::uint64_t seq_num,
                      std::int64_t sending_time_ns) {
  buffer_.assign(kHeadRoom, '\0');  // keeps the capacity
  body_start_ = kHeadRoom;
  open_ = true;
  Add(tag::kMsgType, msg_type);
  Add(tag::kSenderCompID, sender_comp_id);
  Add(tag::kTargetCompID, target_comp_id);
  AppendTag(buffer_, tag::kMsgSeqNum);  // an unsigned value: not Add(int, int64)
  char text[24];
  buffer_.append(text, std::to_chars(text, text + sizeof text, seq_num).ptr);
  buffer_ += kSoh;
  AddTime(tag::kSendingTime, sending_time_ns);
}

void FixWriter::Add(int tag, std::string_view value) {
  assert(open_ && !value.empty() && value.find(kSoh) == std::string_view::npos);
  AppendTag(buffer_, tag);
  buffer_ += value;
  buffer_ += kSoh;
}

void FixWriter::Add(int tag, std::int64_t value) {
  char text[24];
  Add(tag, std::string_view(text, std::to_chars(text, text + sizeof text, value).ptr));
}

void FixWriter::Add(int tag, char value) {
  Add(tag, std::string_view(&value, 1));
}

void FixWriter::AddTime(int tag, std::int64_t time_ns) {
  char text[kTimestampChars];
  WriteTimestamp(text, time_ns);
  Add(tag, std::string_view(text, sizeof text));
}

void FixWriter::AddDecimal(int tag, std::int64_t value, int decimals) {
  char text[kMaxDecimalChars];
  Add(tag, std::string_view(text, FormatDecimalTo(text, value, decimals)));
}

std::string_view FixWriter::Finish() {
  // "8=FIX.4.4<SOH>9=<n><SOH>" fits kHeadRoom unless n has more than 19
  // digits; make room then rather than fail.
  assert(open_);
  open_ = false;
  const std::size_t body_length = buffer_.size() - body_start_;
  char head[kHeadRoom + 8];
  char* end = std::copy(kBeginField.begin(), kBeginField.end(), head);
  *end++ = '9';
  *end++ = '=';
  end = std::to_chars(end, head + sizeof head, body_length).ptr;
  *end++ = kSoh;
  const auto head_size = static_cast<std::size_t>(end - head);
  if (head_size > body_start_) {
    buffer_.insert(0, head_size - body_start_, '\0');
    body_start_ = head_size;
  }
  const std::size_t message_start = body_start_ - head_size;
  std::memcpy(buffer_.data() + message_start, head, head_size);

  const std::string_view message = std::string_view(buffer_).substr(message_start);
  char trailer[] = "10=000\x01";
  WriteDigits(trailer + 3, Checksum(message), 3);
  buffer_.append(trailer, sizeof trailer - 1);
  return std::string_view(buffer_).substr(message_start);
}

std::string UtcTimestamp(std::int64_t time_ns) {
  std::string text(kTimestampChars, '\0');
  WriteTimestamp(text.data(), time_ns);
  return text;
}

std::optional<std::int64_t> ParseUtcTimestamp(std::string_view text) {
  // YYYYMMDD-HH:MM:SS then nothing, or '.' and 3, 6 or 9 digits.
  const std::size_t fraction_digits =
      text.size() > kTimestampSecondsChars ? text.size() - kTimestampSecondsChars - 1 : 0;
  if (text.size() != kTimestampSecondsChars &&
      (fraction_digits != 3 && fraction_digits != 6 && fraction_digits != 9)) {
    return std::nullopt;
  }
  if (text[8] != '-' || text[11] != ':' || text[14] != ':') return std::nullopt;
  if (fraction_digits > 0 && text[kTimestampSecondsChars] != '.') return std::nullopt;

  std::int64_t year, month, day, hour, minute, second, fraction = 0;
  if (!ReadDigits(text, 0, 4, year) || !ReadDigits(text, 4, 2, month) ||
      !ReadDigits(text, 6, 2, day) || !ReadDigits(text, 9, 2, hour) ||
      !ReadDigits(text, 12, 2, minute) || !ReadDigits(text, 15, 2, second) ||
      !ReadDigits(text, kTimestampSecondsChars + 1, fraction_digits, fraction)) {
    return std::nullopt;
  }
  // Seconds 0..59: the leap second 60 is refused (nothing in this gateway
  // sends it, and its nanosecond value would be ambiguous).
  if (month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, static_cast<int>(month)) ||
      hour > 23 || minute > 59 || second > 59) {
    return std::nullopt;
  }
  for (std::size_t i = fraction_digits; i < 9; ++i)
    fraction *= 10;

  const std::int64_t days =
      DaysFromCivil(CivilDate{year, static_cast<int>(month), static_cast<int>(day)});
  std::int64_t seconds = days * kSecondsPerDay + hour * 3600 + minute * 60 + second;
  if (seconds < 0 && fraction > 0) {  // so that the 1677 end does not overflow on the way
    seconds += 1;
    fraction -= kNanosPerSecond;
  }
  std::int64_t time_ns = 0;
  if (__builtin_mul_overflow(seconds, kNanosPerSecond, &time_ns) ||
      __builtin_add_overflow(time_ns, fraction, &time_ns)) {
    return std::nullopt;  // outside 1677..2262
  }
  return time_ns;
}

}  // namespace exchange::fix
