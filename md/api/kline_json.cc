#include "md/api/kline_json.h"

#include <charconv>

#include "base/fixed_point_text.h"

namespace exchange::md {
namespace {

template <typename Integer>
void AppendInt(std::string& out, Integer v) {
  char buffer[24];
  const auto result = std::to_chars(buffer, buffer + sizeof(buffer), v);
  out.append(buffer, result.ptr);
}

// ,"<value with decimals>"
void AppendQuoted(std::string& out, __int128 value, int decimals) {
  out += ",\"";
  AppendFixedPoint(out, value, decimals);
  out += '"';
}

}  // namespace

void AppendKline(std::string& out, const candles::Candle& c, int price_decimals,
                 int quantity_decimals) {
  constexpr Timestamp kNanosPerMilli = 1'000'000;
  const int pd = price_decimals, qd = quantity_decimals;
  out += '[';
  AppendInt(out, c.open_time / kNanosPerMilli);
  AppendQuoted(out, c.open, pd);
  AppendQuoted(out, c.high, pd);
  AppendQuoted(out, c.low, pd);
  AppendQuoted(out, c.close, pd);
  AppendQuoted(out, c.volume, qd);
  out += ',';
  AppendInt(out, c.close_time / kNanosPerMilli - 1);
  AppendQuoted(out, c.quote_volume, pd + qd);
  out += ',';
  AppendInt(out, c.trade_count);
  out += R"(,"0","0","0"])";
}

}  // namespace exchange::md
