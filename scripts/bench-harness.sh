#!/usr/bin/env bash
# The engine in the field's public matching-engine benchmark, side by side
# with other engines: builds the harness (GitHub flash1-dev/matching-engine-
# benchmark), this engine's adapter (bench/harness/, at the library's default
# sizing and sized for a million orders) and the baselines' adapters from
# their upstream sources at pinned commits, then runs interleaved, pinned
# trials (bench/harness/run_trials.py): medians and spreads, the correctness
# hash and the state audit per cell, JSON and a plot.
#
# Nothing is vendored: the sources are cloned into out/harness/src. Not part
# of CI. Give the machine to the benchmark: nothing else should run.
#
# Usage: scripts/bench-harness.sh [--trials N] [--scenarios a,b] [--count N]
#                                 [--engines exchange,exchange_1m,exchange_hq,cpptrader,cpp_orderbook,liquibook]
#                                 [--no-audit]
#   --count N   new orders per workload (default: the harness's 1,000,000;
#               the published hashes hold for that count only)
#   exchange     this engine, EngineOptions' default sizing, reports over its
#                own ring (bench/harness/report_ring.h, engine_get_transport)
#   exchange_1m  the same sized for a million resting orders
#   exchange_hq  default sizing, reports over the harness's default queue
#   cpptrader, cpp_orderbook, liquibook: the harness's reference adapters
#                over upstream sources, on the harness's default queue.
#   liquibook is always built (the state audit replays through it) but off the
#   list by default: its static scenario runs at ~0.015 M msgs/s,
#   over two minutes a trial.
# Environment:
#   EXCHANGE_GIT_MIRROR  clone <owner>/<name> from $EXCHANGE_GIT_MIRROR/<owner>+<name>/repo
#                        instead of https://github.com/<owner>/<name>.git
# Output: out/harness/harness.json, harness.png, and the table on stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
work=$root/out/harness
src=$work/src
mkdir -p "$src"

trials=10 scenarios=static,normal,swing-25,swing-40,flash-crash count=0 audit=()
engines=exchange,exchange_1m,exchange_hq,cpptrader,cpp_orderbook
while [[ $# -gt 0 ]]; do
  case "$1" in
    --trials) trials=$2; shift 2 ;;
    --scenarios) scenarios=$2; shift 2 ;;
    --count) count=$2; shift 2 ;;
    --engines) engines=$2; shift 2 ;;
    --no-audit) audit=(--no-audit); shift ;;
    *) echo "bench-harness: unknown argument $1 (see the header of $0)" >&2; exit 2 ;;
  esac
done

# clone OWNER/NAME COMMIT DIR: a checkout of COMMIT in DIR. Files whose
# contents the source does not hold (a mirror may keep large files only by
# name) are left out of the checkout, and named.
clone() {
  local repo=$1 commit=$2 dir=$3 url missing
  if [[ -n "${EXCHANGE_GIT_MIRROR:-}" ]]; then
    url=$EXCHANGE_GIT_MIRROR/${repo/\//+}/repo
  else
    url=https://github.com/$repo.git
  fi
  [[ -d "$dir/.git" ]] || git clone --quiet --no-checkout "$url" "$dir"
  if ! git -C "$dir" cat-file -e "$commit^{commit}" 2>/dev/null; then
    echo "bench-harness: $repo has no commit $commit (from $url)" >&2
    exit 1
  fi
  missing=$(git -C "$dir" ls-tree -r "$commit" | awk '$2 == "blob" {print $3, $4}' |
    while read -r blob path; do
      git -C "$dir" cat-file -e "$blob" 2>/dev/null || echo "$path"
    done)
  if [[ -n "$missing" ]]; then
    echo "   $repo: left out, not in the source: $(echo $missing)"
    git -C "$dir" sparse-checkout set --no-cone '/*' $(sed 's|^|!/|' <<<"$missing") 2>/dev/null || true
  fi
  git -C "$dir" checkout --quiet --force "$commit" 2> >(grep -v "invalid object" >&2)
}

echo "== sources (pinned) into $src"
harness=$src/matching-engine-benchmark
clone flash1-dev/matching-engine-benchmark 41656c885d98aead35fb5a36a1b63304e75f46aa "$harness"
# The harness pins CppTrader at 831d10e; the newest public snapshot reachable
# here is 99e5799 (2025-04-17), its matching code the same in substance.
clone chronoxor/CppTrader 99e579988b3634fac3c00cb29bc78bbc921c1f5b "$src/CppTrader"
clone chronoxor/CppCommon e14011974b8d463cc854239bf351275b5a857de6 "$src/CppCommon"
clone geseq/cpp-orderbook 81e5a29fc6f0f64b75f2e9534ee39ab5e66fe2aa "$src/cpp-orderbook"
clone geseq/cpp-decimal 88646b353a4ef191b4936bf765554c726dcaf9fb "$src/cpp-decimal"
clone geseq/cpp-pool 730fe13f2c473b8ef4fe73c58dad048016c1fffd "$src/cpp-pool"
# Liquibook is always built: the harness's state audit replays every
# workload through it as the trusted baseline.
clone enewhuis/liquibook 2427613b32f1667abae68a01df6af9ba8270f8e7 "$src/liquibook"

echo "== the harness"
cmake -S "$harness" -B "$harness/build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$harness/build" --parallel "$(nproc)" >/dev/null

# -O3 -march=native as the harness builds every adapter; only the ABI is
# exported, so calls inside the library bind directly, not through the PLT.
echo "== this engine's adapters"
cmake -S "$root" -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_CXX_FLAGS_RELEASE="-O3 -DNDEBUG" -DEXCHANGE_NATIVE=ON \
  -DCMAKE_POSITION_INDEPENDENT_CODE=ON -DEXCHANGE_BUILD_TESTS=OFF \
  -DCMAKE_CXX_FLAGS="-fvisibility=hidden -fno-semantic-interposition" \
  -DEXCHANGE_HARNESS_API_DIR="$harness/api" >/dev/null
ninja -C "$work/build" exchange_adapter exchange_1m_adapter exchange_hq_adapter >/dev/null
cp "$work/build/harness/"exchange*_adapter.so "$harness/"

echo "== baselines"
refs=$harness/additional_references
ME_LIQUIBOOK_SRC=$src/liquibook bash "$harness/scripts/build_baselines.sh" liquibook >/dev/null
for engine in ${engines//,/ }; do
  case "$engine" in
    cpptrader)
      ME_CPPTRADER_SRC=$src/CppTrader ME_CPPCOMMON_SRC=$src/CppCommon \
        bash "$refs/cpptrader_adapter/build.sh" >/dev/null ;;
    cpp_orderbook)
      ME_CPP_ORDERBOOK_SRC=$src/cpp-orderbook ME_DECIMAL_SRC=$src/cpp-decimal \
        ME_POOL_SRC=$src/cpp-pool bash "$refs/cpp_orderbook_adapter/build.sh" >/dev/null ;;
    liquibook | exchange | exchange_1m | exchange_hq) ;;
    *) echo "bench-harness: unknown engine $engine" >&2; exit 2 ;;
  esac
done

echo "== $trials interleaved trials of ${engines//,/, } over $scenarios (matcher core 0, drainer core 1)"
engine_args=()
for engine in ${engines//,/ }; do engine_args+=(--engine "$harness/${engine}_adapter.so"); done
python3 "$root/bench/harness/run_trials.py" --harness-dir "$harness" "${engine_args[@]}" \
  --scenarios "$scenarios" --trials "$trials" --count "$count" "${audit[@]}" \
  --json "$work/harness.json" --plot "$work/harness.png"
echo "== JSON: $work/harness.json  plot: $work/harness.png"
