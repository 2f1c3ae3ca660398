// Instruments file: the TOML file that lists the instruments an engine
// trades. Keys are documented in README.md ("Instruments file").
//
// Read once at start-up by tools and services; any thread.
#pragma once

#include <string>
#include <vector>

#include "config/config_error.h"
#include "engine/instrument.h"

namespace exchange {

struct InstrumentConfig {
  InstrumentSpec spec;
  int price_decimals = 0;     // fixed-point scale of prices: price 12345 with 2 decimals is 123.45
  int quantity_decimals = 0;  // likewise for quantities
};

// Throws ConfigError naming the file, the instrument and the key at fault.
std::vector<InstrumentConfig> LoadInstruments(const std::string& path);
std::vector<InstrumentConfig> ParseInstruments(const std::string& toml_text,
                                               const std::string& source_name);

}  // namespace exchange
