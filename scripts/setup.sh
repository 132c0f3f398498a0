#!/usr/bin/env bash
# Installs everything teep needs on a fresh Debian 12 machine. Idempotent.
# Run as root (or with sudo available). Packages come from Debian only; the
# npm test oracles go into tests/oracle/node_modules, pinned by its
# package-lock.json, never globally.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

packages=(
  # toolchain
  build-essential cmake ninja-build pkg-config git
  clang-14 llvm-14 libclang-rt-14-dev   # libFuzzer, ASan/UBSan runtimes, symbolizer
  # libraries
  libssl-dev                             # OpenSSL 3: every crypto primitive
  libcli11-dev                           # CLI parsing (host side only)
  libcurl4-openssl-dev                   # TEEP Broker's HTTP(S) client
  libboost-dev                           # Boost.Beast/Asio: the TAM's HTTP(S) server (headers only)
  libsqlite3-dev                         # the TAM's embedded store
  libtomlplusplus-dev                    # tam.toml configuration
  libpq-dev                              # the TAM's PostgreSQL store (libpq)
  # tests: a throwaway PostgreSQL 15 server and an HTTP load balancer
  postgresql-15 nginx-light
  # tests, benchmarks, oracles
  googletest libgtest-dev libgmock-dev libbenchmark-dev
  libcbor-dev                            # benchmark baseline only
  nodejs npm                             # independent oracles (cbor2, cose-js)
  xxd                                    # CLI tests feed binary input
)

missing=()
for p in "${packages[@]}"; do
  # nodejs may come from another Debian-format repository; any install counts.
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [[ " ${missing[*]} " == *" npm "* ]] && command -v npm >/dev/null; then
  missing=("${missing[@]/npm}")    # npm already ships with the installed nodejs
fi
read -r -a missing <<<"${missing[*]}"

if ((${#missing[@]})); then
  SUDO=""
  [[ $(id -u) -eq 0 ]] || SUDO="sudo"
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends "${missing[@]}"
else
  echo "setup: all Debian packages present"
fi

# npm oracles, exactly as pinned in package-lock.json.
if [[ ! -d "$here/tests/oracle/node_modules" ]] ||
   [[ "$here/tests/oracle/package-lock.json" -nt "$here/tests/oracle/node_modules/.package-lock.json" ]]; then
  echo "setup: installing npm test oracles (tests/oracle)"
  (cd "$here/tests/oracle" && npm ci --no-audit --no-fund --loglevel=error)
fi
