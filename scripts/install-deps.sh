#!/usr/bin/env bash
# Installs every Debian 12 package the project needs to build, test and run,
# including the RabbitMQ, Redis and PostgreSQL servers that scripts/services.sh
# runs locally. Idempotent: when everything is present it only runs
# dpkg-query and exits.
# Usage: scripts/install-deps.sh            every package below
#        scripts/install-deps.sh PKG...     only these (scripts/services.sh uses this)
# Run as root, or with sudo available.
#
# Installing a server package on Debian normally starts a system-wide instance
# through invoke-rc.d. Without a service manager that can hang or fail, and we
# never use those instances (scripts/services.sh runs its own, on other ports,
# with data under var/services/), so while apt runs a temporary
# /usr/sbin/policy-rc.d answers 101 ("action forbidden") and is removed after.
# An existing policy-rc.d (as in containers) is left alone.
set -euo pipefail

PACKAGES=(
  # toolchain
  build-essential cmake ninja-build git pkg-config clang-format
  # the FIX gateway's fuzz target (scripts/fuzz-fix.sh): clang with libFuzzer
  clang libclang-rt-14-dev
  # engine, tools, tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev librapidcheck-dev
  libspdlog-dev libfmt-dev libcli11-dev libtomlplusplus-dev nlohmann-json3-dev prometheus-cpp-dev
  libboost1.81-dev libquickfix-dev
  # exchange-md: gzip responses (zlib)
  zlib1g-dev
  # exchange-bench md: the HTTP load generator (closed loop; Debian has no wrk2)
  wrk
  # exchange-bench fix and e2e: benchmark latency pictures (percentiles, latency over time)
  gnuplot-nox
  # adapters: RabbitMQ, Redis, PostgreSQL clients
  librabbitmq-dev libhiredis-dev libpqxx-dev libpq-dev
  # API keys: secrets sealed at rest, HMAC-SHA256 request signatures (auth/)
  libsodium-dev
  # local servers run by scripts/services.sh (with their CLIs: rabbitmqctl, redis-cli, psql)
  rabbitmq-server redis-server postgresql
  # exchange-md's chart page (md/web: lightweight-charts from npm at build time) and its
  # browser test (tests/browser: playwright-core driving Debian's Chromium)
  chromium nodejs
)
# npm: its own package beside Debian's nodejs, but part of NodeSource's nodejs,
# which conflicts with Debian's npm: asked for only when no npm is there.
command -v npm >/dev/null || PACKAGES+=(npm)
[[ $# -gt 0 ]] && PACKAGES=("$@")

missing=()
for p in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

SUDO=""
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  SUDO="sudo"
fi

policy=/usr/sbin/policy-rc.d
if [[ ! -e $policy ]]; then
  trap '$SUDO rm -f "$policy"' EXIT
  printf '#!/bin/sh\n# temporary, from scripts/install-deps.sh: no service starts during install\nexit 101\n' \
    | $SUDO tee "$policy" >/dev/null
  $SUDO chmod 755 "$policy"
fi

echo "install-deps: installing ${missing[*]}"
$SUDO apt-get update -qq
$SUDO env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
