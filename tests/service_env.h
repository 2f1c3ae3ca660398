// EXCHANGE_REQUIRE_SERVICE: how an integration test finds a local service
// (testing/service_env.h). A test whose service is not configured skips with
// a message, unless EXCHANGE_REQUIRE_SERVICES=1 (set by scripts/run-tests.sh),
// where that is a failure. Test thread.
#pragma once

#include <gtest/gtest.h>

#include "testing/service_env.h"

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
