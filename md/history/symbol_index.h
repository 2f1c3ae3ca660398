// SymbolIndex: finds an instrument by its own name or by its Binance form
// (base/binance_symbol.h: BTC-USD is also BTCUSD). An instrument's own name
// always wins; a Binance form is served only when it is unambiguous: no
// other instrument has it as its Binance form or as its own name. So with
// BTC-USD and BTC_USD both listed, BTCUSD finds neither; with BTC-USD and
// BTCUSD listed, BTCUSD is the latter.
//
// A plain value, rebuilt by InstrumentCatalog on each reload; one thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "persistence/history_writer.h"  // InstrumentRow

namespace exchange::md {

class SymbolIndex {
 public:
  SymbolIndex() = default;
  // `rows` sorted by symbol; the index keeps a pointer to it.
  explicit SymbolIndex(const std::vector<persistence::InstrumentRow>& rows);

  // The instrument named `name` (its own name or its unambiguous Binance
  // form), or nullptr.
  const persistence::InstrumentRow* Find(std::string_view name) const;

 private:
  struct Alias {
    std::string name;
    std::size_t index = 0;
  };
  const std::vector<persistence::InstrumentRow>* rows_ = nullptr;
  std::vector<Alias> aliases_;  // by name; unambiguous ones only
};

}  // namespace exchange::md
