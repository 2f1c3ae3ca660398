// CheckProperty: runs a rapidcheck property inside the current GoogleTest
// test, like RC_GTEST_PROP, with two differences every property test here
// wants:
//  - `cases` streams unless RC_PARAMS sets max_success;
//  - shrinking has a wall-clock budget (RC_SHRINK_SECONDS, 60 s by default).
//    Shrinking a 200-command stream can take longer than CTest's timeout, and
//    a test killed while shrinking reports nothing. Once the budget is spent
//    every further shrink candidate passes without running, so rapidcheck
//    stops at the smallest failing case found so far and prints it (with its
//    seed and a reproduce string).
//
// Header-only; used by the test binaries' main threads.
#pragma once

#include <gtest/gtest.h>
#include <rapidcheck.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <sstream>
#include <string>
#include <utility>

namespace exchange {

inline std::chrono::seconds ShrinkBudget() {
  const char* env = std::getenv("RC_SHRINK_SECONDS");
  return std::chrono::seconds(env != nullptr ? std::atoi(env) : 60);
}

template <typename Testable>
void CheckProperty(int cases, Testable&& testable) {
  rc::detail::TestParams params = rc::detail::configuration().testParams;
  const char* env = std::getenv("RC_PARAMS");
  if (env == nullptr || std::strstr(env, "max_success") == nullptr) params.maxSuccess = cases;
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  rc::detail::TestMetadata metadata;
  metadata.id = std::string(info->test_suite_name()) + "/" + info->name();
  metadata.description = info->name();

  using Clock = std::chrono::steady_clock;
  std::optional<Clock::time_point> first_failure;
  bool budget_spent = false;
  const auto budget = ShrinkBudget();
  auto bounded = [&]() {
    if (first_failure && Clock::now() - *first_failure > budget) {
      budget_spent = true;
      return;  // a pass: shrinking ends with the smallest failure so far
    }
    try {
      testable();
    } catch (const rc::detail::CaseResult& r) {
      if (r.type == rc::detail::CaseResult::Type::Failure && !first_failure) {
        first_failure = Clock::now();
      }
      throw;
    } catch (...) {
      if (!first_failure) first_failure = Clock::now();
      throw;
    }
  };
  const auto result = rc::detail::checkTestable(bounded, metadata, params);
  if (!result.template is<rc::detail::SuccessResult>()) {
    std::ostringstream ss;
    rc::detail::printResultMessage(result, ss);
    if (budget_spent) {
      ss << "\n(shrinking stopped after " << budget.count()
         << " s, RC_SHRINK_SECONDS; this case may not be the smallest)";
    }
    FAIL() << ss.str();
  }
}

}  // namespace exchange
