#include "base/binance_symbol.h"

namespace exchange {

namespace {
bool IsSeparator(char c) {
  return c == '-' || c == '/' || c == '_' || c == '.';
}
char Upper(char c) {
  return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
}
}  // namespace

std::string BinanceSymbol(std::string_view symbol) {
  std::string out;
  out.reserve(symbol.size());
  for (char c : symbol) {
    if (!IsSeparator(c)) out += Upper(c);
  }
  return out;
}

bool HasBinanceAlias(std::string_view symbol) {
  return BinanceSymbol(symbol) != symbol;
}

}  // namespace exchange
