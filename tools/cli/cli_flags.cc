#include "tools/cli/cli_flags.h"

#include <cmath>
#include <cstdlib>
#include <memory>

#include "tools/cli/cli_error.h"

namespace exchange::cli {

std::string DefaultAmqpUrl() {
  const char* env = std::getenv("EXCHANGE_AMQP_URL");
  return env && *env ? std::string(env) : std::string("amqp://guest:guest@127.0.0.1:5672/");
}

std::string DefaultRedisUrl() {
  const char* env = std::getenv("EXCHANGE_REDIS_URL");
  return env ? std::string(env) : std::string();
}

namespace {

bool AllDigits(const std::string& s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos;
}

}  // namespace

CLI::Validator Unsigned() {
  return CLI::Validator(
      [](std::string& s) {
        return AllDigits(s) ? std::string() : "'" + s + "' is not a whole number >= 0";
      },
      "", "UNSIGNED");
}

CLI::Validator Positive() {
  return CLI::Validator(
      [](std::string& s) {
        return AllDigits(s) && s.find_first_not_of('0') != std::string::npos
                   ? std::string()
                   : "'" + s + "' is not a whole number >= 1";
      },
      "", "POSITIVE");
}

CLI::Validator NonNegativeReal() {
  return CLI::Validator(
      [](std::string& s) {
        char* end = nullptr;
        const double v = std::strtod(s.c_str(), &end);
        const bool ok = !s.empty() && end == s.c_str() + s.size() && std::isfinite(v) && v >= 0;
        return ok ? std::string() : "'" + s + "' is not a number >= 0";
      },
      "", "NONNEGATIVE");
}

amqp::Url ParseAmqpUrl(const std::string& url) {
  try {
    return amqp::ParseUrl(url);
  } catch (const amqp::AmqpError& e) {
    throw CliError(kExitBadInput, std::string("--amqp-url: ") + e.what());
  }
}

SendStats Publish(const amqp::Url& url, const SendOptions& options, const CommandSource& source) {
  std::unique_ptr<amqp::AmqpClient> client;
  try {
    client = std::make_unique<amqp::AmqpClient>(url);
  } catch (const amqp::AmqpError& e) {
    throw CliError(kExitFailure, e.what());
  }
  Sender sender(*client, options);
  return sender.Send(source);
}

}  // namespace exchange::cli
