// BinanceSymbol: the name a Binance client uses for one of our symbols.
// Binance's symbols have no separator (BTCUSDT); ours may (BTC-USD), so
// each instrument is also served under its Binance form: the symbol with
// '-', '/', '_' and '.' removed, in upper case (BTC-USD → BTCUSD). A client
// that builds a symbol from base + quote finds it (exchange-md serves
// the alias; the gateway's Binance API takes it). Where two of our symbols
// share a Binance form (BTC-USD and BTCUSD both listed), the alias is
// ambiguous and not served: each is found only under its own name.
//
// Plain functions; any thread.
#pragma once

#include <string>
#include <string_view>

namespace exchange {

// `symbol` without separators, in upper case.
std::string BinanceSymbol(std::string_view symbol);

// True when `symbol` has a Binance form different from itself.
bool HasBinanceAlias(std::string_view symbol);

}  // namespace exchange
