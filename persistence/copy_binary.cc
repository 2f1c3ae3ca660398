#include "persistence/copy_binary.h"

namespace exchange::persistence {

namespace {

// PostgreSQL's timestamps count microseconds from 2000-01-01 00:00 UTC.
constexpr std::int64_t kPostgresEpochMicros = 946'684'800'000'000;

std::int64_t FloorDiv(std::int64_t a, std::int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0);
}

}  // namespace

std::string_view CopyBinary::Header() {
  // Signature, flags (no OIDs), header extension length.
  static constexpr char kHeader[] = "PGCOPY\n\377\r\n\0\0\0\0\0\0\0\0\0";
  return std::string_view(kHeader, 19);
}

std::string_view CopyBinary::Trailer() {
  static constexpr char kTrailer[] = "\377\377";
  return std::string_view(kTrailer, 2);
}

void CopyBinary::Big(std::uint64_t v, int bytes) {
  char b[8];
  for (int i = bytes - 1; i >= 0; --i, v >>= 8)
    b[i] = static_cast<char>(v & 0xff);
  out_.append(b, static_cast<std::size_t>(bytes));
}

void CopyBinary::Length(std::int32_t n) {
  Big(static_cast<std::uint32_t>(n), 4);
}

void CopyBinary::BeginRow(std::int16_t fields) {
  Big(static_cast<std::uint16_t>(fields), 2);
}

void CopyBinary::Int(std::int64_t v) {
  Length(8);
  Big(static_cast<std::uint64_t>(v), 8);
}

void CopyBinary::Text(std::string_view s) {
  Length(static_cast<std::int32_t>(s.size()));
  out_.append(s);
}

void CopyBinary::Char(char c) {
  Length(1);
  out_.push_back(c);
}

// PostgreSQL's numeric_send layout: ndigits, weight (of the first digit, in
// powers of 10000), sign, display scale, then the digits, most significant
// first. The server strips leading and trailing zero digits itself.
void CopyBinary::Numeric(__int128 v) {
  constexpr std::uint16_t kNegative = 0x4000;
  const bool negative = v < 0;
  auto m = static_cast<unsigned __int128>(v);
  if (negative) m = -m;
  std::uint16_t digits[10];  // 2^128 < 10000^10
  int n = 0;
  for (; m != 0; m /= 10000)
    digits[n++] = static_cast<std::uint16_t>(m % 10000);
  Length(8 + 2 * n);
  Big(static_cast<std::uint64_t>(n), 2);
  Big(static_cast<std::uint64_t>(n == 0 ? 0 : n - 1), 2);
  Big(negative ? kNegative : 0, 2);
  Big(0, 2);
  for (int i = n - 1; i >= 0; --i)
    Big(digits[i], 2);
}

void CopyBinary::Null() {
  Length(-1);
}

void CopyBinary::Time(Timestamp t) {
  Length(8);
  Big(static_cast<std::uint64_t>(FloorDiv(t, 1000) - kPostgresEpochMicros), 8);
}

}  // namespace exchange::persistence
