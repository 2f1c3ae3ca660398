#include "md/api/symbol_selection.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "md/api/json_errors.h"

namespace exchange::md {

NamedInstrument RequiredSymbol(MarketDataSource& source, const QueryParams& params) {
  const std::string_view symbol = params.Required("symbol");
  return NamedInstrument{source.Instrument(symbol), std::string(symbol)};
}

SymbolSelection SelectSymbols(MarketDataSource& source, const QueryParams& params,
                              std::size_t max_symbols) {
  SymbolSelection selection;
  const auto symbol = params.Find("symbol");
  const auto symbols = params.Find("symbols");
  if (symbol && symbols) {
    throw RequestError(400, binance_code::kBadParameterCombination,
                       "Combination of optional parameters invalid: 'symbol' and 'symbols' "
                       "together; send one");
  }
  if (symbol) {
    selection.single = true;
    selection.symbols.push_back(NamedInstrument{source.Instrument(*symbol), std::string(*symbol)});
    return selection;
  }
  if (!symbols) {
    for (const persistence::InstrumentRow& row : source.Instruments())
      selection.symbols.push_back(NamedInstrument{row, row.symbol});
    return selection;
  }
  const nlohmann::json list = nlohmann::json::parse(*symbols, nullptr, /*allow_exceptions=*/false);
  const auto malformed = [&] {
    return RequestError(
        400, binance_code::kInvalidParameter,
        "'symbols' must be a non-empty JSON array of at most " + std::to_string(max_symbols) +
            " symbol names, e.g. [\"AAPL\",\"MSFT\"], not '" + std::string(*symbols) + "'");
  };
  if (!list.is_array() || list.empty() || list.size() > max_symbols) throw malformed();
  for (const nlohmann::json& name : list) {
    if (!name.is_string()) throw malformed();
    const std::string text = name.get<std::string>();
    const persistence::InstrumentRow& row = source.Instrument(text);
    if (std::any_of(selection.symbols.begin(), selection.symbols.end(),
                    [&](const NamedInstrument& s) { return s.row.symbol == row.symbol; })) {
      throw RequestError(400, binance_code::kDuplicateSymbols,
                         "Symbol is present multiple times in the list: '" + text + "' names " +
                             row.symbol + ", already listed");
    }
    selection.symbols.push_back(NamedInstrument{row, text});
  }
  return selection;
}

}  // namespace exchange::md
