// HexDigitValue: the value of one hexadecimal digit, for the parsers of
// percent escapes (form_params.h) and hex dumps (exchange-cli decode).
//
// A pure function; any thread.
#pragma once

namespace exchange {

// 0-15, or -1 when `c` is not a hexadecimal digit.
constexpr int HexDigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace exchange
