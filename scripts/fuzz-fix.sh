#!/usr/bin/env bash
# Fuzzes the FIX input path (framing, parsing, session layer) with libFuzzer,
# AddressSanitizer and UBSan: builds build-fuzz/ with clang, then runs
# fix_input_fuzz on build-fuzz/fuzz-corpus (seeded from gateway/fuzz/corpus,
# kept between runs). Exits non-zero on a crash, leak or timeout and says
# where the reproducer is.
# Usage: scripts/fuzz-fix.sh [seconds]   (default 60; JOBS=n limits the build)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
if [[ ! "$seconds" =~ ^[0-9]+$ ]]; then
  echo "usage: scripts/fuzz-fix.sh [seconds]" >&2
  exit 2
fi
dir=build-fuzz

generator=()
command -v ninja >/dev/null && [[ ! -f "$dir/CMakeCache.txt" ]] && generator=(-G Ninja)
CC=clang CXX=clang++ cmake -S . -B "$dir" "${generator[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DEXCHANGE_FUZZ=ON -DEXCHANGE_BUILD_TESTS=OFF -DEXCHANGE_BUILD_BENCH=OFF >/dev/null
cmake --build "$dir" --target fix_input_fuzz --parallel "${JOBS:-$(nproc)}"

corpus=$dir/fuzz-corpus
artifacts=$dir/fuzz-artifacts
mkdir -p "$corpus" "$artifacts"
cp -n gateway/fuzz/corpus/* "$corpus/"
log=$dir/fuzz.log

echo "== fuzzing for ${seconds}s (log: $log)"
set +e
"$dir/bin/fix_input_fuzz" -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 \
  -artifact_prefix="$artifacts/" -print_final_stats=1 "$corpus" >"$log" 2>&1
status=$?
set -e
tail -n 25 "$log"
if [[ $status -ne 0 ]]; then
  echo "== FUZZER FAILED (exit $status)"
  reproducer=$(grep -oE "Test unit written to [^ ]+" "$log" | tail -n 1 | sed 's/Test unit written to //')
  if [[ -n "$reproducer" ]]; then
    echo "reproducer: $reproducer"
    echo "replay:     $dir/bin/fix_input_fuzz $reproducer"
  else
    echo "no reproducer written; see $log and $artifacts/"
  fi
  exit 1
fi
echo "== no crash, leak or timeout in ${seconds}s; corpus: $corpus ($(ls "$corpus" | wc -l) inputs)"
