#!/usr/bin/env bash
# The test command: installs what is missing, then builds and runs every test.
#   1. release build (warnings are errors): unit, vector, oracle and CLI tests
#   2. ASan + UBSan build (clang-14): the same tests
#   3. libFuzzer build: a short smoke run of every fuzzer (FUZZ_SECONDS, default 30)
# Usage: bash scripts/test.sh     (run from anywhere; as root or with sudo)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/setup.sh

jobs=$(nproc)
passed=0
failed=0

run_ctest() {  # $1 = preset
  local log
  log=$(mktemp)
  set +e
  ctest --preset "$1" -j "$jobs" 2>&1 | tee "$log"
  local rc=${PIPESTATUS[0]}
  set -e
  # "100% tests passed, 0 tests failed out of 42"
  local line total bad
  line=$(grep -E "tests passed, [0-9]+ tests? failed out of [0-9]+" "$log" | tail -1 || true)
  total=$(sed -E 's/.*out of ([0-9]+).*/\1/' <<<"$line")
  bad=$(sed -E 's/.* ([0-9]+) tests? failed.*/\1/' <<<"$line")
  rm -f "$log"
  if [[ -z "$line" ]]; then
    echo "test.sh: ctest --preset $1 printed no summary" >&2
    failed=$((failed + 1))
    return
  fi
  passed=$((passed + total - bad))
  failed=$((failed + bad))
  if [[ $rc -ne 0 && $bad -eq 0 ]]; then failed=$((failed + 1)); fi
}

echo "== release build"
cmake --preset release >/dev/null
cmake --build --preset release -j "$jobs"
run_ctest release

echo "== ASan + UBSan build"
cmake --preset asan >/dev/null
cmake --build --preset asan -j "$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 run_ctest asan

echo "== fuzz smoke"
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j "$jobs"
if bash fuzz/run_smoke.sh "${FUZZ_SECONDS:-30}" build/fuzz/fuzz; then
  passed=$((passed + 1))
else
  failed=$((failed + 1))
fi

echo "test.sh: ${passed} passed, ${failed} failed"
[[ $failed -eq 0 ]]
