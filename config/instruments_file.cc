#include "config/instruments_file.h"

#include <toml++/toml.h>

#include <fstream>
#include <sstream>

namespace exchange {

namespace {

std::int64_t GetInt(const toml::table& t, std::string_view key, std::int64_t fallback,
                    const std::string& where) {
  const toml::node* n = t.get(key);
  if (n == nullptr) return fallback;
  if (auto v = n->value<std::int64_t>(); v && n->is_integer()) return *v;
  throw ConfigError(where + ": '" + std::string(key) + "' must be an integer");
}

InstrumentConfig ParseOne(const toml::table& t, const std::string& where) {
  InstrumentConfig c;
  const auto symbol = t["symbol"].value<std::string>();
  if (!symbol) throw ConfigError(where + ": 'symbol' (a string) is required");
  if (!SymbolName::Fits(*symbol)) {
    throw ConfigError(where + ": symbol '" + *symbol + "' must be 1 to " +
                      std::to_string(SymbolName::kMaxLength) + " characters");
  }
  const std::string at = where + " (" + *symbol + ")";
  InstrumentSpec& s = c.spec;
  s.symbol = SymbolName(*symbol);
  s.tick_size = GetInt(t, "tick_size", s.tick_size, at);
  s.lot_size = GetInt(t, "lot_size", s.lot_size, at);
  s.min_quantity = GetInt(t, "min_quantity", s.min_quantity, at);
  s.max_quantity = GetInt(t, "max_quantity", s.max_quantity, at);
  s.price_band_bps = GetInt(t, "price_band_bps", s.price_band_bps, at);
  s.reference_price = GetInt(t, "reference_price", s.reference_price, at);
  s.market_protection_ticks = GetInt(t, "market_protection_ticks", s.market_protection_ticks, at);
  c.price_decimals = static_cast<int>(GetInt(t, "price_decimals", 0, at));
  c.quantity_decimals = static_cast<int>(GetInt(t, "quantity_decimals", 0, at));
  if (const toml::node* n = t.get("self_trade_prevention")) {
    const auto name = n->value<std::string>();
    const auto mode = name ? ParseStpMode(*name) : std::nullopt;
    if (!mode || *mode == StpMode::kInstrumentDefault) {
      throw ConfigError(at +
                        ": 'self_trade_prevention' must be CANCEL_RESTING, CANCEL_INCOMING "
                        "or CANCEL_BOTH");
    }
    s.default_stp = *mode;
  }
  if (Validate(s) != RejectReason::kNone) {
    throw ConfigError(at +
                      ": tick_size and lot_size must be positive, 1 <= min_quantity <= "
                      "max_quantity, reference_price on a tick, bands not negative");
  }
  if (c.price_decimals < 0 || c.price_decimals > 12 || c.quantity_decimals < 0 ||
      c.quantity_decimals > 12) {
    throw ConfigError(at + ": price_decimals and quantity_decimals must be 0 to 12");
  }
  for (const auto& [key, value] : t) {
    static constexpr std::string_view kKnown[] = {"symbol",
                                                  "tick_size",
                                                  "lot_size",
                                                  "min_quantity",
                                                  "max_quantity",
                                                  "price_band_bps",
                                                  "reference_price",
                                                  "market_protection_ticks",
                                                  "self_trade_prevention",
                                                  "price_decimals",
                                                  "quantity_decimals"};
    bool known = false;
    for (auto k : kKnown)
      known = known || key.str() == k;
    if (!known) throw ConfigError(at + ": unknown key '" + std::string(key.str()) + "'");
  }
  return c;
}

}  // namespace

std::vector<InstrumentConfig> ParseInstruments(const std::string& text,
                                               const std::string& source_name) {
  toml::table root;
  try {
    root = toml::parse(text, source_name);
  } catch (const toml::parse_error& e) {
    std::ostringstream msg;
    msg << source_name << ":" << e.source().begin.line << ": " << e.description();
    throw ConfigError(msg.str());
  }
  const toml::array* list = root["instrument"].as_array();
  if (list == nullptr || list->empty()) {
    throw ConfigError(source_name + ": no [[instrument]] tables");
  }
  std::vector<InstrumentConfig> out;
  for (std::size_t i = 0; i < list->size(); ++i) {
    const toml::table* t = (*list)[i].as_table();
    const std::string where = source_name + ": instrument #" + std::to_string(i + 1);
    if (t == nullptr) throw ConfigError(where + " is not a table");
    out.push_back(ParseOne(*t, where));
    for (std::size_t j = 0; j + 1 < out.size(); ++j) {
      if (out[j].spec.symbol == out.back().spec.symbol) {
        throw ConfigError(where + ": symbol " + out.back().spec.symbol.str() + " listed twice");
      }
    }
  }
  return out;
}

std::vector<InstrumentConfig> LoadInstruments(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ConfigError(path + ": cannot open instruments file");
  std::stringstream buffer;
  buffer << in.rdbuf();
  return ParseInstruments(buffer.str(), path);
}

}  // namespace exchange
