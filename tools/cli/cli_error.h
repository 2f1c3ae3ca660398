// CliError: a failure of exchange-cli, reported as one line on stderr and an
// exit status, never as an exception trace. Thrown by the exchange_cli
// library (tools/cli/), caught in main.cc.
//
// A plain value: any thread.
#pragma once

#include <stdexcept>
#include <string>

namespace exchange::cli {

// Something outside failed: RabbitMQ, Redis, the engine service, the network.
inline constexpr int kExitFailure = 1;
// The input is wrong: a flag value, a file, a CSV line, a wire message.
inline constexpr int kExitBadInput = 2;
// What was asked for is not there: a symbol without a book view (book), an
// order that is not open (order).
inline constexpr int kExitNotFound = 4;

class CliError : public std::runtime_error {
 public:
  CliError(int exit_code, const std::string& what)
      : std::runtime_error(what), exit_code_(exit_code) {}
  int exit_code() const { return exit_code_; }

 private:
  int exit_code_;
};

}  // namespace exchange::cli
