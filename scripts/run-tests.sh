#!/usr/bin/env bash
# The whole test suite: installs what is missing, starts the local services
# (scripts/services.sh), builds Release and an AddressSanitizer+UBSan build,
# runs every CTest test in both, then fuzzes the FIX gateway's input path for
# a minute (scripts/fuzz-fix.sh, clang + libFuzzer). The services are left
# running; stop them with scripts/services.sh stop.
# Usage: scripts/run-tests.sh [--release-only]
# LOBSTER sample data: $LOBSTER_DIR, default ../shared/data/lobster beside
# the repository; tests that need it skip with a message when it is absent.
set -euo pipefail
cd "$(dirname "$0")/.."
export LOBSTER_DIR=${LOBSTER_DIR:-$(cd .. && pwd)/shared/data/lobster}

scripts/install-deps.sh

# Integration tests talk to real RabbitMQ, Redis and PostgreSQL on loopback.
scripts/services.sh start
eval "$(scripts/services.sh env)"
export EXCHANGE_REQUIRE_SERVICES=1

status=0
run_suite() {
  local kind=$1 dir=$2
  shift 2
  echo "== $kind build"
  scripts/build.sh "$kind"
  echo "== $kind tests"
  (cd "$dir" && ctest --output-on-failure --timeout 600 -j "$(nproc)" "$@") || status=1
}

run_suite release build
if [[ "${1:-}" != "--release-only" ]]; then
  # The real-client tests (LABELS release_only: ccxt, the browser) ran above.
  run_suite sanitize build-asan -LE release_only
fi

if [[ "${1:-}" != "--release-only" ]]; then
  echo "== fuzzing the FIX input path (scripts/fuzz-fix.sh ${FIX_FUZZ_SECONDS:-60})"
  scripts/fuzz-fix.sh "${FIX_FUZZ_SECONDS:-60}" || status=1
fi

if [[ $status -eq 0 ]]; then echo "== all test suites passed"; else echo "== TEST FAILURES (see above)"; fi
exit $status
