#include "md/history/symbol_index.h"

#include <algorithm>

#include "base/binance_symbol.h"

namespace exchange::md {

namespace {

const persistence::InstrumentRow* OwnName(const std::vector<persistence::InstrumentRow>& rows,
                                          std::string_view name) {
  const auto it = std::lower_bound(
      rows.begin(), rows.end(), name,
      [](const persistence::InstrumentRow& row, std::string_view s) { return row.symbol < s; });
  return it != rows.end() && it->symbol == name ? &*it : nullptr;
}

}  // namespace

SymbolIndex::SymbolIndex(const std::vector<persistence::InstrumentRow>& rows) : rows_(&rows) {
  std::vector<Alias> all;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (HasBinanceAlias(rows[i].symbol)) all.push_back({BinanceSymbol(rows[i].symbol), i});
  }
  std::sort(all.begin(), all.end(), [](const Alias& a, const Alias& b) { return a.name < b.name; });
  for (std::size_t i = 0; i < all.size();) {
    std::size_t end = i + 1;
    while (end < all.size() && all[end].name == all[i].name)
      ++end;
    // One instrument has this form, and none is called by it.
    if (end == i + 1 && OwnName(rows, all[i].name) == nullptr) aliases_.push_back(all[i]);
    i = end;
  }
}

const persistence::InstrumentRow* SymbolIndex::Find(std::string_view name) const {
  if (rows_ == nullptr) return nullptr;
  if (const auto* row = OwnName(*rows_, name)) return row;
  const auto it = std::lower_bound(aliases_.begin(), aliases_.end(), name,
                                   [](const Alias& a, std::string_view s) { return a.name < s; });
  return it != aliases_.end() && it->name == name ? &(*rows_)[it->index] : nullptr;
}

}  // namespace exchange::md
