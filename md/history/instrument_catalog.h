// InstrumentCatalog: a serving thread's copy of the `instruments` table
// (symbol, price and quantity decimals, tick and lot), which every
// endpoint needs to check a symbol and to read the engine's integers.
// A symbol is found by its own name or its unambiguous Binance form
// (symbol_index.h). Reloaded when it is `max_age` old, and when a symbol is asked for that it
// lacks (at most once per `miss_interval`: a client asking for unknown
// symbols costs one query a second, not one per request). While PostgreSQL
// is unreachable the copy it has keeps serving; with none, the request is
// BackendUnavailable.
//
// Owned by one serving thread (through its MarketDataSource); one thread.
#pragma once

#include <chrono>
#include <string_view>
#include <vector>

#include "md/history/history_source.h"
#include "md/history/symbol_index.h"

namespace exchange::md {

class InstrumentCatalog {
 public:
  using Clock = std::chrono::steady_clock;

  explicit InstrumentCatalog(HistorySource& history,
                             std::chrono::milliseconds max_age = std::chrono::seconds(10),
                             std::chrono::milliseconds miss_interval = std::chrono::seconds(1))
      : history_(history), max_age_(max_age), miss_interval_(miss_interval) {}

  // The instrument named `symbol` (its own name or its Binance form), or
  // nullptr when the table has no such symbol.
  const persistence::InstrumentRow* Find(std::string_view symbol);
  // Every instrument, by symbol.
  const std::vector<persistence::InstrumentRow>& All();

 private:
  // Reloads; when PostgreSQL cannot answer, keeps the copy it has (or
  // rethrows when it has none).
  void Reload();

  HistorySource& history_;
  std::chrono::milliseconds max_age_;
  std::chrono::milliseconds miss_interval_;
  std::vector<persistence::InstrumentRow> instruments_;  // by symbol
  SymbolIndex index_;                                    // over instruments_
  bool loaded_ = false;
  Clock::time_point loaded_at_{};
};

}  // namespace exchange::md
