#include "persistence/copy_text.h"

#include <charconv>
#include <chrono>

namespace exchange::persistence {

namespace {

constexpr std::int64_t kNanosPerDay = 86'400'000'000'000;

void TwoDigits(std::string& out, unsigned v) {
  out.push_back(static_cast<char>('0' + v / 10));
  out.push_back(static_cast<char>('0' + v % 10));
}

void AppendTime(std::string& out, Timestamp t) {
  using namespace std::chrono;
  const std::int64_t day = DayOf(t);
  const std::int64_t in_day = t - day * kNanosPerDay;
  const year_month_day ymd{sys_days{days{day}}};
  char year[8];
  const auto [end, ec] = std::to_chars(year, year + sizeof year, static_cast<int>(ymd.year()));
  (void)ec;
  for (std::ptrdiff_t pad = 4 - (end - year); pad > 0; --pad)
    out.push_back('0');
  out.append(year, end);
  out.push_back('-');
  TwoDigits(out, static_cast<unsigned>(ymd.month()));
  out.push_back('-');
  TwoDigits(out, static_cast<unsigned>(ymd.day()));
  out.push_back(' ');
  const std::int64_t micros = in_day / 1000;  // truncated, never rounded
  const auto seconds = static_cast<unsigned>(micros / 1'000'000);
  TwoDigits(out, seconds / 3600);
  out.push_back(':');
  TwoDigits(out, seconds / 60 % 60);
  out.push_back(':');
  TwoDigits(out, seconds % 60);
  out.push_back('.');
  auto fraction = static_cast<unsigned>(micros % 1'000'000);
  char digits[6];
  for (int i = 5; i >= 0; --i, fraction /= 10)
    digits[i] = static_cast<char>('0' + fraction % 10);
  out.append(digits, 6);
  out.append("+00");
}

}  // namespace

std::int64_t DayOf(Timestamp t) {
  return t >= 0 ? t / kNanosPerDay : -((-t + kNanosPerDay - 1) / kNanosPerDay);
}

void CopyText::Int(std::int64_t v) {
  char buffer[24];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, v);
  (void)ec;
  out_.append(buffer, end);
}

void CopyText::Text(std::string_view s) {
  for (char c : s) {
    switch (c) {
      case '\\': out_.append("\\\\"); break;
      case '\t': out_.append("\\t"); break;
      case '\n': out_.append("\\n"); break;
      case '\r': out_.append("\\r"); break;
      default: out_.push_back(c);
    }
  }
}

void CopyText::Char(char c) {
  Text(std::string_view(&c, 1));
}

void CopyText::Time(Timestamp t) {
  AppendTime(out_, t);
}

namespace {

std::string Quote(std::string_view text, char quote) {
  std::string q(1, quote);
  for (char c : text) {
    if (c == quote) q.push_back(quote);
    q.push_back(c);
  }
  q.push_back(quote);
  return q;
}

}  // namespace

std::string QuoteIdentifier(std::string_view name) {
  return Quote(name, '"');
}

std::string QuoteLiteral(std::string_view text) {
  return Quote(text, '\'');
}

std::string TimeText(Timestamp t) {
  std::string s;
  AppendTime(s, t);
  return s;
}

}  // namespace exchange::persistence
