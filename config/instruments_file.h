// Instruments file: the TOML file that lists the instruments an engine
// trades. Keys are documented in README.md ("Instruments file").
//
// Read once at start-up by tools and services; any thread.
#pragma once

#include <string>
#include <vector>

#include "config/config_error.h"
#include "engine/engine.h"
#include "engine/instrument.h"

namespace exchange {

struct InstrumentConfig {
  // Under cash risk spec.base_asset and spec.quote_asset index the file's
  // assets (InstrumentsFile::assets), not an engine's: an engine numbers its
  // assets in the order they were added (EngineCore::EnsureInstruments maps
  // them by name).
  InstrumentSpec spec;
  int price_decimals = 0;     // fixed-point scale of prices: price 12345 with 2 decimals is 123.45
  int quantity_decimals = 0;  // likewise for quantities
  std::string base_asset;     // asset names; empty when the instrument names none
  std::string quote_asset;
};

struct InstrumentsFile {
  std::vector<AssetSpec> assets;  // the [[asset]] tables, in file order
  std::vector<InstrumentConfig> instruments;
};

// Throws ConfigError naming the file, the instrument and the key at fault.
InstrumentsFile LoadInstrumentsFile(const std::string& path);
InstrumentsFile ParseInstrumentsFile(const std::string& toml_text, const std::string& source_name);
// The instruments alone.
std::vector<InstrumentConfig> LoadInstruments(const std::string& path);
std::vector<InstrumentConfig> ParseInstruments(const std::string& toml_text,
                                               const std::string& source_name);

// Sets every cash instrument's risk mode to `risk` (exchange-replay and
// exchange-bench --risk); `none` turns balances off, `cash` needs assets.
// Throws ConfigError for an instrument that cannot be cash.
void OverrideRisk(InstrumentsFile& file, RiskMode risk);

// Adds the file's assets, then its instruments, to a fresh engine (so the
// file's asset indices are the engine's asset ids). Throws ConfigError when
// the engine refuses one.
void AddToEngine(const InstrumentsFile& file, Engine& engine);

}  // namespace exchange
