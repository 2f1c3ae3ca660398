#!/usr/bin/env bash
# The main job: installs what is missing, builds (Release), replays sample
# order flows through the matching engine, replays the LOBSTER sample when it
# is there, runs a short engine benchmark, and says what happened and where
# to look. Everything it writes goes to out/.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
out=$root/out
lobster_dir=${LOBSTER_DIR:-$(cd .. && pwd)/shared/data/lobster}
mkdir -p "$out"

echo "== 1/5 dependencies"
scripts/install-deps.sh
echo "== 2/5 build (Release)"
scripts/build.sh release >/dev/null
bin=$root/build/bin

echo "== 3/5 sample order flow (every order type) -> $out/sample_events.csv"
"$bin/exchange-replay" --orders config/sample_orders.csv --events "$out/sample_events.csv" \
  | tee "$out/sample_summary.txt"

echo "== 4/5 LOBSTER replay (real Nasdaq order flow)"
aapl="$lobster_dir/AAPL_2012-06-21_34200000_57600000_message_10.csv"
if [[ -f "$aapl" ]]; then
  "$bin/exchange-replay" --lobster "$aapl" --levels 10 --book "$out/aapl_book_10.csv" \
    | tee "$out/lobster_summary.txt"
else
  echo "skipped: $aapl not found (set LOBSTER_DIR to the folder of the LOBSTER sample files)"
fi

echo "== 5/5 engine benchmark: exchange-core mix, 3 runs (the README's figures use 5)"
"$bin/exchange-bench" engine --runs 3 --commands 1000000 --json "$out/bench_engine.json" \
  | grep -v '^{'

cat <<MSG

Done. Where to look:
  $out/sample_events.csv      every event of config/sample_orders.csv (format: README "Events CSV")
  $out/sample_summary.txt     what the replay counted
  $out/aapl_book_10.csv       the engine's top 10 levels after every LOBSTER event
  $out/bench_engine.json      benchmark result, machine-readable
Next: scripts/run-tests.sh runs the whole test suite.
MSG
