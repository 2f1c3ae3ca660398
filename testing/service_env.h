// Where tests and benchmarks find the local services: the environment that
// `scripts/services.sh env` prints (EXCHANGE_AMQP_URL, EXCHANGE_REDIS_URL,
// EXCHANGE_PG_URL, EXCHANGE_PG_READER_URL), and EXCHANGE_REQUIRE_SERVICES=1
// (set by scripts/run-tests.sh) when a missing service is a failure.
//
// Plain functions reading the environment; any thread.
#pragma once

#include <cstdlib>
#include <string>

namespace exchange::testing {

// The variable's value, or `fallback` when it is unset or empty.
inline std::string ServiceUrl(const char* variable, const std::string& fallback = "") {
  const char* v = std::getenv(variable);
  return v != nullptr && *v != '\0' ? std::string(v) : fallback;
}

inline bool ServicesRequired() {
  const char* v = std::getenv("EXCHANGE_REQUIRE_SERVICES");
  return v && std::string(v) == "1";
}

}  // namespace exchange::testing
