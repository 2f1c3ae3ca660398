#include "md/history/instrument_catalog.h"

#include <algorithm>

namespace exchange::md {

void InstrumentCatalog::Reload() {
  try {
    std::vector<persistence::InstrumentRow> rows = history_.Instruments();
    std::sort(rows.begin(), rows.end(),
              [](const auto& a, const auto& b) { return a.symbol < b.symbol; });
    instruments_ = std::move(rows);
    index_ = SymbolIndex(instruments_);
    loaded_ = true;
    loaded_at_ = Clock::now();
  } catch (const BackendUnavailable&) {
    if (!loaded_) throw;
  }
}

const persistence::InstrumentRow* InstrumentCatalog::Find(std::string_view symbol) {
  const Clock::time_point now = Clock::now();
  if (!loaded_ || now - loaded_at_ >= max_age_) Reload();
  if (const auto* row = index_.Find(symbol)) return row;
  if (now - loaded_at_ < miss_interval_) return nullptr;
  Reload();
  return index_.Find(symbol);
}

const std::vector<persistence::InstrumentRow>& InstrumentCatalog::All() {
  if (!loaded_ || Clock::now() - loaded_at_ >= max_age_) Reload();
  return instruments_;
}

}  // namespace exchange::md
