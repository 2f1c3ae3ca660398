#!/usr/bin/env bash
# CTest's binance_client_*_test: the unmodified ccxt `binance` client (npm,
# the version package-lock.json pins) against our services: TEST is
# ccxt_public.test.mjs (exchange-md) or ccxt_private.test.mjs (the whole
# stack with the gateway's Binance API). Skips (exit 77, with the reason) when node is
# missing or the services are not configured (a failure instead with
# EXCHANGE_REQUIRE_SERVICES=1, as scripts/run-tests.sh sets); installs ccxt
# here (npm ci) the first time.
# Usage: run_binance_client_test.sh TEST [ARGS...]   (ARGS: the test's own flags)
# Environment: `eval "$(scripts/services.sh env)"` (EXCHANGE_AMQP_URL,
# EXCHANGE_REDIS_URL, EXCHANGE_PG_URL, EXCHANGE_PG_READER_URL).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
[[ $# -ge 1 ]] || { sed -n 's/^# Usage: //p' "$0" >&2; exit 2; }
test_file=$1
shift

skip() { echo "SKIP: $*"; exit 77; }

command -v node >/dev/null || skip "node not found (scripts/install-deps.sh installs nodejs)"
for v in EXCHANGE_AMQP_URL EXCHANGE_REDIS_URL EXCHANGE_PG_URL EXCHANGE_PG_READER_URL; do
  if [[ -z ${!v:-} ]]; then
    msg="$v is not set: run \`eval \"\$(scripts/services.sh env)\"\` after \`scripts/services.sh start\`"
    [[ ${EXCHANGE_REQUIRE_SERVICES:-} == 1 ]] && { echo "FAIL: $msg" >&2; exit 1; }
    skip "$msg"
  fi
done

if [[ ! -f $here/node_modules/ccxt/package.json ]]; then
  command -v npm >/dev/null || skip "npm not found, and ccxt is not installed in $here"
  echo "installing ccxt in $here (npm ci)"
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
fi

exec node "$here/$test_file" "$@"
