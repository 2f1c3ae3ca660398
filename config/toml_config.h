// The TOML configuration files of the programs (exchange-engine,
// exchange-gateway, exchange-md): reading a file, parsing it with errors that
// name the file and line, and tables of known keys, each with a reader that
// checks the value's type and stores it. Unknown sections and keys are errors
// (a typo never passes silently). Everything throws ConfigError.
//
// Plain functions; any thread. A reader keeps a reference to `source`, which
// must outlive it (the readers are used while the file is read).
#pragma once

#include <toml++/toml.h>

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "config/config_error.h"

namespace exchange {

using TomlReader = std::function<void(const toml::node&)>;
using TomlKeys = std::map<std::string, TomlReader>;

// "source:line" of `node`.
std::string TomlWhere(const std::string& source, const toml::node& node);

// The file's text; ConfigError "<path>: cannot be read".
std::string ReadConfigText(const std::string& path);
// `text` parsed; a syntax error becomes ConfigError "<source>:<line>: <what>".
toml::table ParseToml(const std::string& text, const std::string& source);

TomlReader StringKey(const std::string& source, std::string* out);
TomlReader CountKey(const std::string& source, std::uint64_t* out);  // integer >= 0
TomlReader BoolKey(const std::string& source, bool* out);
TomlReader StringsKey(const std::string& source, std::vector<std::string>* out);

// Every key of `table` (the [section] table) through its reader in `keys`.
void ReadTomlTable(const std::string& source, const std::string& section, const toml::table& table,
                   const TomlKeys& keys);
// Every [section] of `root` through ReadTomlTable with its keys.
void ReadTomlSections(const std::string& source, const toml::table& root,
                      const std::map<std::string, TomlKeys>& sections);

// The value of --config (or --config=) in the command line, "" when absent:
// found before the other flags are parsed, so that flags override the file.
std::string FindConfigPath(int argc, char** argv);

}  // namespace exchange
