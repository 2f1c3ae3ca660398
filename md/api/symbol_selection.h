// SymbolSelection: the instruments a Binance-style request names, each with
// the name the answer gives it. A request may name an instrument by its own
// name (BTC-USD) or its Binance form (BTCUSD, symbol_index.h); the answer's
// `symbol` fields repeat the name the request used. Without a symbol the
// answer lists each instrument once, under its own name.
//
// Plain values, built per request on its serving thread; one thread.
#pragma once

#include <string>
#include <vector>

#include "md/data/market_data_source.h"
#include "md/http/query_params.h"

namespace exchange::md {

struct NamedInstrument {
  persistence::InstrumentRow row;  // a copy: a catalog reload cannot move it
  std::string name;                // as the request named it
};

struct SymbolSelection {
  bool single = false;  // `symbol=`: the answer is one object, not an array
  std::vector<NamedInstrument> symbols;
};

// `symbol` (mandatory): RequestError -1102 when missing, -1121 when unknown.
NamedInstrument RequiredSymbol(MarketDataSource& source, const QueryParams& params);

// `symbol=S` (one), `symbols=["S",…]` (a JSON array, in its order, at most
// `max_symbols`), or neither (every instrument). RequestError: both
// parameters (-1128), a list that is not a non-empty JSON array of names or
// is longer than `max_symbols` (-1130), an unknown symbol (-1121), an
// instrument named twice, under either of its names (-1151).
SymbolSelection SelectSymbols(MarketDataSource& source, const QueryParams& params,
                              std::size_t max_symbols = 1000);

}  // namespace exchange::md
