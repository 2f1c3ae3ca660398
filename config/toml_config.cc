// TOML configuration files: see toml_config.h.
#include "config/toml_config.h"

#include <fstream>
#include <sstream>

namespace exchange {

std::string TomlWhere(const std::string& source, const toml::node& node) {
  return source + ":" + std::to_string(node.source().begin.line);
}

std::string ReadConfigText(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ConfigError(path + ": cannot be read");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

toml::table ParseToml(const std::string& text, const std::string& source) {
  try {
    return toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    throw ConfigError(source + ":" + std::to_string(e.source().begin.line) + ": " +
                      std::string(e.description()));
  }
}

TomlReader StringKey(const std::string& source, std::string* out) {
  return [&source, out](const toml::node& node) {
    if (!node.is_string()) throw ConfigError(TomlWhere(source, node) + ": expected a string");
    *out = node.as_string()->get();
  };
}

TomlReader CountKey(const std::string& source, std::uint64_t* out) {
  return [&source, out](const toml::node& node) {
    if (!node.is_integer() || node.as_integer()->get() < 0) {
      throw ConfigError(TomlWhere(source, node) + ": expected a non-negative integer");
    }
    *out = static_cast<std::uint64_t>(node.as_integer()->get());
  };
}

TomlReader BoolKey(const std::string& source, bool* out) {
  return [&source, out](const toml::node& node) {
    if (!node.is_boolean()) throw ConfigError(TomlWhere(source, node) + ": expected true or false");
    *out = node.as_boolean()->get();
  };
}

TomlReader StringsKey(const std::string& source, std::vector<std::string>* out) {
  return [&source, out](const toml::node& node) {
    const toml::array* array = node.as_array();
    if (array == nullptr) {
      throw ConfigError(TomlWhere(source, node) + ": expected an array of strings");
    }
    out->clear();
    for (const toml::node& item : *array) {
      if (!item.is_string()) throw ConfigError(TomlWhere(source, item) + ": expected a string");
      out->push_back(item.as_string()->get());
    }
  };
}

void ReadTomlTable(const std::string& source, const std::string& section, const toml::table& table,
                   const TomlKeys& keys) {
  for (const auto& [key_name, value] : table) {
    const std::string key(key_name.str());
    const auto reader = keys.find(key);
    if (reader == keys.end()) {
      std::string message = TomlWhere(source, value);
      message += ": unknown key ";
      message += section;
      message += ".";
      message += key;
      throw ConfigError(message);
    }
    reader->second(value);
  }
}

void ReadTomlSections(const std::string& source, const toml::table& root,
                      const std::map<std::string, TomlKeys>& sections) {
  for (const auto& [section_name, node] : root) {
    const std::string name(section_name.str());
    const auto known = sections.find(name);
    if (known == sections.end() || !node.is_table()) {
      throw ConfigError(TomlWhere(source, node) + ": unknown section [" + name + "]");
    }
    ReadTomlTable(source, name, *node.as_table(), known->second);
  }
}

std::string FindConfigPath(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--config" && i + 1 < argc) return argv[i + 1];
    if (arg.rfind("--config=", 0) == 0) return arg.substr(9);
  }
  return "";
}

}  // namespace exchange
