// Where the integration tests find the local services: the environment that
// `scripts/services.sh env` prints. A test whose service is not configured
// skips with a message, unless EXCHANGE_REQUIRE_SERVICES=1 (set by
// scripts/run-tests.sh), where that is a failure.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

namespace exchange::testing {

inline std::string ServiceUrl(const char* variable) {
  const char* v = std::getenv(variable);
  return v ? std::string(v) : std::string();
}

inline bool ServicesRequired() {
  const char* v = std::getenv("EXCHANGE_REQUIRE_SERVICES");
  return v && std::string(v) == "1";
}

}  // namespace exchange::testing

// Skips (or fails, when services are required) unless `variable` is set;
// assigns its value to `url`.
#define EXCHANGE_REQUIRE_SERVICE(variable, url)                                      \
  do {                                                                               \
    url = ::exchange::testing::ServiceUrl(variable);                                 \
    if (url.empty()) {                                                               \
      if (::exchange::testing::ServicesRequired()) FAIL() << variable " is not set"; \
      GTEST_SKIP() << variable                                                       \
          " is not set: run `eval \"$(scripts/services.sh env)\"` "                  \
          "after `scripts/services.sh start`";                                       \
    }                                                                                \
  } while (0)
