// ConfigError: what every configuration reader throws (TOML files, the
// instruments file, command-line values checked after parsing), with a
// message naming the file, the key and what is wrong.
//
// A plain exception type; any thread.
#pragma once

#include <stdexcept>

namespace exchange {

class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace exchange
