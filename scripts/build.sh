#!/usr/bin/env bash
# Configures and builds the project. Usage: scripts/build.sh [release|sanitize]
#   release  (default) build/        Release, what is measured
#   sanitize           build-asan/   -fsanitize=address,undefined, -O1 -g1
set -euo pipefail
cd "$(dirname "$0")/.."
kind=${1:-release}
case "$kind" in
  release) dir=build; flags=(-DCMAKE_BUILD_TYPE=Release) ;;
  # -O1 -g1 (line tables only, enough for the sanitizers' stack traces), as
  # their documentation suggests: with -O2 -g this build was about 35 of
  # CI's 59 minutes.
  sanitize) dir=build-asan; flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG"
                                   -DEXCHANGE_SANITIZE=ON -DEXCHANGE_BUILD_BENCH=OFF) ;;
  *) echo "usage: scripts/build.sh [release|sanitize]" >&2; exit 2 ;;
esac
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
if [[ ! -f "$dir/CMakeCache.txt" ]]; then
  cmake -S . -B "$dir" "${generator[@]}" "${flags[@]}" >/dev/null
else
  cmake -S . -B "$dir" "${flags[@]}" >/dev/null
fi
cmake --build "$dir" --parallel "$(nproc)"
