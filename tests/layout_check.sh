#!/usr/bin/env bash
# The layout's rules, checked (CTest layout_check): which folder may include
# which, and how large a source file or a function may grow.
#
#   includes   every `#include "dir/..."` of a folder must name a folder in
#              that folder's allow-list below. engine/ is the matching
#              library: it may use base/ and nothing else of ours; adapters
#              use the engine's types and the neutral libraries, never each
#              other's internals; only engine_service/ (the process that
#              composes the sinks), tools/, testing/, bench/ and tests/ may
#              include every library.
#   sizes      no non-test source file over 700 lines and no function body
#              over 120 lines (a function here is a definition at column 0:
#              a line ending in "{" whose braces close at column 0; inline
#              member functions are short by this project's style and not
#              counted).
#
# Usage: tests/layout_check.sh [repository root]. Prints every violation and
# exits 1 when there is one, 0 otherwise.
set -uo pipefail
root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$root" || exit 2

# folder: the folders its files may include from (itself always allowed).
declare -A allow=(
  [base]=""
  [engine]="base"
  [config]="engine base"
  [wire]="engine base"
  [amqp]="wire engine base"
  [orderflow]="engine config base"
  [candles]="engine base"
  [bookstate]="engine wire candles base"
  [persistence]="engine wire candles base"
  [auth]="persistence engine base"
  [engine_service/core]="engine wire base"
  [engine_service]="*"
  [gateway]="engine wire amqp config auth bookstate persistence base"
  [md]="engine wire bookstate candles persistence config base"
  [tools]="*"
  [testing]="*"
  [bench]="*"
  [tests]="*"
)

failures=0
fail() {
  echo "layout_check: $*"
  failures=$((failures + 1))
}

# The most specific rule for a file: engine_service/core before engine_service.
rule_of() {
  local file=$1 best=""
  for folder in "${!allow[@]}"; do
    if [[ "$file" == "$folder/"* && ${#folder} -gt ${#best} ]]; then best=$folder; fi
  done
  echo "$best"
}

sources=$(git ls-files '*.h' '*.cc' 2>/dev/null || find . -name '*.h' -o -name '*.cc' | sed 's|^\./||')
for file in $sources; do
  rule=$(rule_of "$file")
  if [[ -z "$rule" ]]; then
    fail "$file: in no folder of the layout (add its folder to tests/layout_check.sh)"
    continue
  fi
  allowed=${allow[$rule]}
  [[ "$allowed" == "*" ]] && continue
  while IFS= read -r included; do
    dir=${included%/*}
    [[ "$included" == */* ]] || continue
    [[ "$dir" == "$rule" || "$dir" == "$rule/"* ]] && continue
    ok=0
    for a in $allowed; do
      [[ "$dir" == "$a" || "$dir" == "$a/"* ]] && ok=1
    done
    [[ $ok == 1 ]] || fail "$file includes \"$included\": $rule/ may include only from ${allowed:-itself}"
  done < <(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$file")
done

for file in $sources; do
  case "$file" in tests/*) continue ;; esac
  lines=$(wc -l < "$file")
  [[ $lines -le 700 ]] || fail "$file: $lines lines (at most 700)"
  # Brace depth outside namespaces, with strings, characters and // comments
  # stripped; a body that opens at depth 0 on a line that is not a class,
  # struct, enum, union or initializer is a function.
  awk -v file="$file" '
    {
      line = $0
      gsub(/\\./, "", line); gsub(/"[^"]*"/, "", line); gsub(/\x27[^\x27]*\x27/, "", line)
      sub(/\/\/.*/, "", line)
      if (line ~ /^(namespace|extern "C")/ || line ~ /^namespace/) { next }
      if (line ~ /^}[ \t]*\/\/ namespace/ || line ~ /^}  \/\/ namespace/) { next }
      opens = gsub(/\{/, "{", line); closes = gsub(/\}/, "}", line)
      if (depth == 0 && opens > closes) {
        kind = (line ~ /^[ \t]*(template.*)?(class|struct|enum|union)[ \t]/ || line ~ /=[ \t]*\{/) ? "other" : "function"
        start = NR; name = $0
      }
      depth += opens - closes
      if (depth == 0 && start && NR > start) {
        if (kind == "function" && NR - start - 1 > 120)
          printf "layout_check: %s:%d: function of %d lines (at most 120): %s\n", file, start, NR - start - 1, name
        start = 0
      }
    }
  ' "$file"
done | { out=$(cat); [[ -z "$out" ]] || { echo "$out"; exit 1; }; } || failures=$((failures + 1))

if [[ $failures -gt 0 ]]; then
  echo "layout_check: FAILED"
  exit 1
fi
echo "layout_check: every include within its folder's allow-list; no source file over 700 lines, no function over 120"
