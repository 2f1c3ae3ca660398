// CopyText: builds PostgreSQL COPY text-format data (tab-separated fields,
// one row per line, \N for NULL) and SQL literals in one growing buffer,
// without a std::string per field: integers with std::to_chars, timestamps
// as UTC text truncated to the microsecond (PostgreSQL would round, which
// could move a trade into the next candle bucket), text escaped.
//
// Owned by whoever builds a batch; one thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "engine/types.h"

namespace exchange::persistence {

class CopyText {
 public:
  void Int(std::int64_t v);
  void Text(std::string_view s);  // escapes \ tab newline carriage return
  void Char(char c);
  // "YYYY-MM-DD HH:MM:SS.ffffff+00" of a nanosecond Unix time.
  void Time(Timestamp t);
  void Raw(std::string_view s) { out_.append(s); }
  void Tab() { out_.push_back('\t'); }
  void EndRow() { out_.push_back('\n'); }

  const std::string& data() const { return out_; }
  std::size_t size() const { return out_.size(); }
  void clear() { out_.clear(); }

 private:
  std::string out_;
};

// SQL quoting, for the few statements built as text (names from the
// configuration, partition bounds, candle values): "name" and 'text', with
// the quote character doubled.
std::string QuoteIdentifier(std::string_view name);
std::string QuoteLiteral(std::string_view text);

// The same time text, for partition bounds and SQL literals.
std::string TimeText(Timestamp t);

// Days since the Unix epoch of a nanosecond time (floor).
std::int64_t DayOf(Timestamp t);

}  // namespace exchange::persistence
