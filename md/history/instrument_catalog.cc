#include "md/history/instrument_catalog.h"

#include <algorithm>

namespace exchange::md {

const persistence::InstrumentRow* InstrumentCatalog::Lookup(std::string_view symbol) const {
  const auto it = std::lower_bound(
      instruments_.begin(), instruments_.end(), symbol,
      [](const persistence::InstrumentRow& row, std::string_view s) { return row.symbol < s; });
  return it != instruments_.end() && it->symbol == symbol ? &*it : nullptr;
}

void InstrumentCatalog::Reload() {
  try {
    std::vector<persistence::InstrumentRow> rows = history_.Instruments();
    std::sort(rows.begin(), rows.end(),
              [](const auto& a, const auto& b) { return a.symbol < b.symbol; });
    instruments_ = std::move(rows);
    loaded_ = true;
    loaded_at_ = Clock::now();
  } catch (const BackendUnavailable&) {
    if (!loaded_) throw;
  }
}

const persistence::InstrumentRow* InstrumentCatalog::Find(std::string_view symbol) {
  const Clock::time_point now = Clock::now();
  if (!loaded_ || now - loaded_at_ >= max_age_) Reload();
  if (const auto* row = Lookup(symbol)) return row;
  if (now - loaded_at_ < miss_interval_) return nullptr;
  Reload();
  return Lookup(symbol);
}

const std::vector<persistence::InstrumentRow>& InstrumentCatalog::All() {
  if (!loaded_ || Clock::now() - loaded_at_ >= max_age_) Reload();
  return instruments_;
}

}  // namespace exchange::md
