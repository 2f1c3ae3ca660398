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

std::string GetString(const toml::table& t, std::string_view key, const std::string& where) {
  const toml::node* n = t.get(key);
  if (n == nullptr) return "";
  if (auto v = n->value<std::string>(); v && n->is_string()) return *v;
  throw ConfigError(where + ": '" + std::string(key) + "' must be a string");
}

std::int64_t Pow10(int e) {
  std::int64_t v = 1;
  for (int i = 0; i < e; ++i)
    v *= 10;
  return v;
}

AssetSpec ParseAsset(const toml::table& t, const std::string& where) {
  const std::string name = GetString(t, "name", where);
  if (!SymbolName::Fits(name)) {
    throw ConfigError(where + ": 'name' (a string of 1 to " +
                      std::to_string(SymbolName::kMaxLength) + " characters) is required");
  }
  AssetSpec a;
  a.name = SymbolName(name);
  a.decimals = static_cast<int>(GetInt(t, "decimals", -1, where + " (" + name + ")"));
  if (!ValidAssetName(name)) {
    throw ConfigError(where + " (" + name + "): 'name' must be printable, without spaces or '@'");
  }
  if (!ValidAsset(a)) throw ConfigError(where + " (" + name + "): 'decimals' must be 0 to 18");
  for (const auto& [key, value] : t) {
    if (key.str() != "name" && key.str() != "decimals") {
      throw ConfigError(where + " (" + name + "): unknown key '" + std::string(key.str()) + "'");
    }
  }
  return a;
}

// The risk keys of one instrument: risk, base_asset, quote_asset and fees.
// The scale factors come from the decimals: a quantity unit is
// 10^(base decimals − quantity decimals) base units, and price × quantity is
// worth 10^(quote decimals − price decimals − quantity decimals) quote units.
void ParseRisk(const toml::table& t, const std::vector<AssetSpec>& assets, const std::string& at,
               InstrumentConfig& c) {
  InstrumentSpec& s = c.spec;
  c.base_asset = GetString(t, "base_asset", at);
  c.quote_asset = GetString(t, "quote_asset", at);
  const std::string risk = GetString(t, "risk", at);
  const bool named = !c.base_asset.empty() || !c.quote_asset.empty();
  if (!risk.empty() && !ParseRiskMode(risk))
    throw ConfigError(at + ": 'risk' must be cash or none");
  s.risk = risk.empty() ? (named ? RiskMode::kCash : RiskMode::kNone) : *ParseRiskMode(risk);
  s.fees.maker_ppm = static_cast<std::int32_t>(GetInt(t, "maker_fee_ppm", 0, at));
  s.fees.taker_ppm = static_cast<std::int32_t>(GetInt(t, "taker_fee_ppm", 0, at));
  if (!ValidFees(s.fees)) {
    throw ConfigError(at +
                      ": taker_fee_ppm must be 0 to 100000 and maker_fee_ppm -100000 to 100000");
  }
  if (!named && s.risk == RiskMode::kNone) return;
  const auto find = [&](const std::string& name, const char* key) {
    if (name.empty()) throw ConfigError(at + ": cash risk needs '" + key + "'");
    for (std::size_t i = 0; i < assets.size(); ++i) {
      if (assets[i].name.view() == name) return static_cast<AssetId>(i);
    }
    throw ConfigError(at + ": " + key + " '" + name + "' is not in the [[asset]] tables");
  };
  s.base_asset = find(c.base_asset, "base_asset");
  s.quote_asset = find(c.quote_asset, "quote_asset");
  if (s.base_asset == s.quote_asset) throw ConfigError(at + ": base and quote asset are the same");
  const int base_shift = assets[s.base_asset].decimals - c.quantity_decimals;
  if (base_shift < 0) {
    throw ConfigError(at + ": asset " + c.base_asset + " has fewer decimals than the quantities (" +
                      std::to_string(c.quantity_decimals) +
                      "); a quantity unit must be a whole number of " + c.base_asset + " units");
  }
  s.base_multiplier = Pow10(base_shift);
  s.quote_exponent = assets[s.quote_asset].decimals - c.price_decimals - c.quantity_decimals;
}

InstrumentConfig ParseOne(const toml::table& t, const std::vector<AssetSpec>& assets,
                          const std::string& where) {
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
  ParseRisk(t, assets, at, c);
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
                                                  "quantity_decimals",
                                                  "risk",
                                                  "base_asset",
                                                  "quote_asset",
                                                  "maker_fee_ppm",
                                                  "taker_fee_ppm"};
    bool known = false;
    for (auto k : kKnown)
      known = known || key.str() == k;
    if (!known) throw ConfigError(at + ": unknown key '" + std::string(key.str()) + "'");
  }
  return c;
}

}  // namespace

InstrumentsFile ParseInstrumentsFile(const std::string& text, const std::string& source_name) {
  toml::table root;
  try {
    root = toml::parse(text, source_name);
  } catch (const toml::parse_error& e) {
    std::ostringstream msg;
    msg << source_name << ":" << e.source().begin.line << ": " << e.description();
    throw ConfigError(msg.str());
  }
  InstrumentsFile file;
  if (const toml::node* n = root.get("asset")) {
    const toml::array* assets = n->as_array();
    if (assets == nullptr) throw ConfigError(source_name + ": 'asset' must be [[asset]] tables");
    for (std::size_t i = 0; i < assets->size(); ++i) {
      const toml::table* t = (*assets)[i].as_table();
      const std::string where = source_name + ": asset #" + std::to_string(i + 1);
      if (t == nullptr) throw ConfigError(where + " is not a table");
      file.assets.push_back(ParseAsset(*t, where));
      for (std::size_t j = 0; j + 1 < file.assets.size(); ++j) {
        if (file.assets[j].name == file.assets.back().name) {
          throw ConfigError(where + ": asset " + file.assets.back().name.str() + " listed twice");
        }
      }
    }
  }
  const toml::array* list = root["instrument"].as_array();
  if (list == nullptr || list->empty()) {
    throw ConfigError(source_name + ": no [[instrument]] tables");
  }
  for (std::size_t i = 0; i < list->size(); ++i) {
    const toml::table* t = (*list)[i].as_table();
    const std::string where = source_name + ": instrument #" + std::to_string(i + 1);
    if (t == nullptr) throw ConfigError(where + " is not a table");
    std::vector<InstrumentConfig>& out = file.instruments;
    out.push_back(ParseOne(*t, file.assets, where));
    for (std::size_t j = 0; j + 1 < out.size(); ++j) {
      if (out[j].spec.symbol == out.back().spec.symbol) {
        throw ConfigError(where + ": symbol " + out.back().spec.symbol.str() + " listed twice");
      }
    }
  }
  return file;
}

std::vector<InstrumentConfig> ParseInstruments(const std::string& text,
                                               const std::string& source_name) {
  return ParseInstrumentsFile(text, source_name).instruments;
}

InstrumentsFile LoadInstrumentsFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ConfigError(path + ": cannot open instruments file");
  std::stringstream buffer;
  buffer << in.rdbuf();
  return ParseInstrumentsFile(buffer.str(), path);
}

std::vector<InstrumentConfig> LoadInstruments(const std::string& path) {
  return LoadInstrumentsFile(path).instruments;
}

void OverrideRisk(InstrumentsFile& file, RiskMode risk) {
  for (InstrumentConfig& c : file.instruments) {
    if (risk == RiskMode::kCash && (c.base_asset.empty() || c.quote_asset.empty())) {
      throw ConfigError("--risk cash: instrument " + c.spec.symbol.str() +
                        " names no base_asset and quote_asset");
    }
    c.spec.risk = risk;
  }
}

void AddToEngine(const InstrumentsFile& file, Engine& engine) {
  const auto refused = [](std::span<const Event> events) -> std::string {
    if (events.empty()) return "no answer";
    if (events[0].type != EventType::kRejected) return "";
    return std::string(ToString(events[0].reject_reason));
  };
  for (const AssetSpec& a : file.assets) {
    if (engine.FindAsset(a.name.view())) continue;
    if (const std::string why = refused(engine.Process(Command{0, AddAsset{a}})); !why.empty()) {
      throw ConfigError("asset " + a.name.str() + ": the engine refused it: " + why);
    }
  }
  for (const InstrumentConfig& i : file.instruments) {
    InstrumentSpec spec = i.spec;
    if (!i.base_asset.empty()) spec.base_asset = *engine.FindAsset(i.base_asset);
    if (!i.quote_asset.empty()) spec.quote_asset = *engine.FindAsset(i.quote_asset);
    if (const std::string why = refused(engine.Process(Command{0, AddInstrument{spec}}));
        !why.empty()) {
      throw ConfigError("instrument " + spec.symbol.str() + ": the engine refused it: " + why);
    }
  }
}

}  // namespace exchange
