#!/usr/bin/env bash
# CTest's chart_page_test: exchange-md's chart page in headless Chromium
# (chart_page.test.mjs, playwright-core). Skips (exit 77, with the reason)
# when node or Chromium is missing, or when the services are not configured
# (a failure instead with EXCHANGE_REQUIRE_SERVICES=1, as scripts/run-tests.sh
# sets); installs playwright-core here (npm ci, the version the lock file
# pins) the first time.
# Usage: run_chart_page_test.sh EXCHANGE_MD_BIN MD_CHART_FEED_BIN WEB_ROOT ARTIFACTS_DIR
# Environment: `eval "$(scripts/services.sh env)"` (EXCHANGE_REDIS_URL,
# EXCHANGE_PG_URL, EXCHANGE_PG_READER_URL); CHROMIUM [/usr/bin/chromium].
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
[[ $# -eq 4 ]] || { sed -n 's/^# Usage: //p' "$0" >&2; exit 2; }
md_bin=$1 feed_bin=$2 web_root=$3 artifacts=$4

skip() { echo "SKIP: $*"; exit 77; }

command -v node >/dev/null || skip "node not found (scripts/install-deps.sh installs nodejs)"
export CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
[[ -x $CHROMIUM ]] || skip "Chromium not found at $CHROMIUM (scripts/install-deps.sh installs chromium; or set CHROMIUM)"
for v in EXCHANGE_REDIS_URL EXCHANGE_PG_URL EXCHANGE_PG_READER_URL; do
  if [[ -z ${!v:-} ]]; then
    msg="$v is not set: run \`eval \"\$(scripts/services.sh env)\"\` after \`scripts/services.sh start\`"
    [[ ${EXCHANGE_REQUIRE_SERVICES:-} == 1 ]] && { echo "FAIL: $msg" >&2; exit 1; }
    skip "$msg"
  fi
done
[[ -f $web_root/index.html ]] || { echo "FAIL: no chart page in $web_root (build the exchange_md_web target)" >&2; exit 1; }

if [[ ! -f $here/node_modules/playwright-core/package.json ]]; then
  command -v npm >/dev/null || skip "npm not found, and playwright-core is not installed in $here"
  echo "installing playwright-core in $here (npm ci)"
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
fi

exec node "$here/chart_page.test.mjs" --md-bin "$md_bin" --feed-bin "$feed_bin" \
  --web-root "$web_root" --artifacts "$artifacts"
