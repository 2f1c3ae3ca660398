#!/usr/bin/env bash
# CTest's binance_client_test: the unmodified ccxt `binance` client (npm,
# the version package-lock.json pins) against exchange-md
# (ccxt_public.test.mjs). Skips (exit 77, with the reason) when node is
# missing or the services are not configured (a failure instead with
# EXCHANGE_REQUIRE_SERVICES=1, as scripts/run-tests.sh sets); installs ccxt
# here (npm ci) the first time.
# Usage: run_binance_client_test.sh EXCHANGE_MD_BIN MD_CHART_FEED_BIN ARTIFACTS_DIR
# Environment: `eval "$(scripts/services.sh env)"` (EXCHANGE_REDIS_URL,
# EXCHANGE_PG_URL, EXCHANGE_PG_READER_URL).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
[[ $# -eq 3 ]] || { sed -n 's/^# Usage: //p' "$0" >&2; exit 2; }
md_bin=$1 feed_bin=$2 artifacts=$3

skip() { echo "SKIP: $*"; exit 77; }

command -v node >/dev/null || skip "node not found (scripts/install-deps.sh installs nodejs)"
for v in EXCHANGE_REDIS_URL EXCHANGE_PG_URL EXCHANGE_PG_READER_URL; do
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

mkdir -p "$artifacts"
exec node "$here/ccxt_public.test.mjs" --md-bin "$md_bin" --feed-bin "$feed_bin" \
  --artifacts "$artifacts"
