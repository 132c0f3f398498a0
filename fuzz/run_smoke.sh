#!/usr/bin/env bash
# Short libFuzzer run of every fuzz_* binary, for CI and before a commit.
#
#   fuzz/run_smoke.sh [SECONDS] [BUILD_DIR]
#
# SECONDS   per fuzzer (default 30)
# BUILD_DIR folder holding the fuzz_* binaries (default <repo>/build/fuzz/fuzz,
#           i.e. what `cmake --preset fuzz && cmake --build --preset fuzz` makes)
#
# Each fuzzer starts from a temporary copy of fuzz/corpus/<name without
# "fuzz_">/ so the committed seeds are never modified. Exits non-zero if any
# fuzzer crashes, leaks, times out or fails to start; the temporary folder with
# the crash artifact and log is then kept and its path printed.
# Environment: FUZZ_TIMEOUT (seconds per input, default 60).
set -euo pipefail

seconds="${1:-30}"
fuzz_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
build_dir="${2:-$fuzz_dir/../build/fuzz/fuzz}"
timeout_per_input="${FUZZ_TIMEOUT:-60}"

if [[ ! -d "$build_dir" ]]; then
  echo "run_smoke: no build folder $build_dir (build with: cmake --preset fuzz && cmake --build --preset fuzz)" >&2
  exit 2
fi
build_dir="$(cd "$build_dir" && pwd)"

shopt -s nullglob
fuzzers=("$build_dir"/fuzz_*)
targets=()
for f in "${fuzzers[@]}"; do
  [[ -f "$f" && -x "$f" ]] && targets+=("$f")
done
if (( ${#targets[@]} == 0 )); then
  echo "run_smoke: no fuzz_* executables in $build_dir" >&2
  exit 2
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/teep-fuzz-smoke.XXXXXX")"
failed=0
for bin in "${targets[@]}"; do
  name="$(basename "$bin")"
  seeds="$fuzz_dir/corpus/${name#fuzz_}"
  corpus="$work/$name/corpus"
  artifacts="$work/$name/artifacts"
  log="$work/$name/log.txt"
  mkdir -p "$corpus" "$artifacts"
  # A fuzzer without committed seeds still runs, from an empty corpus.
  if [[ -d "$seeds" ]]; then cp -R "$seeds"/. "$corpus"/; fi

  # fuzz_cbor_reader and fuzz_cbor_diag share fuzz/cbor.dict, and so on.
  dict="$fuzz_dir/$(cut -d_ -f2 <<<"$name").dict"
  dict_flag=()
  if [[ -f "$dict" ]]; then dict_flag=(-dict="$dict"); fi

  status=0
  "$bin" -max_total_time="$seconds" -max_len=65536 -timeout="$timeout_per_input" \
    -print_final_stats=1 -artifact_prefix="$artifacts/" "${dict_flag[@]}" "$corpus" \
    >"$log" 2>&1 || status=$?

  runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)"
  # Last status line, e.g. "#123456 DONE   cov: 1097 ft: 3889 corp: 61/2728b ...".
  cov="$(grep -Eo 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+/[0-9]+[a-zA-Z]*' "$log" | tail -n 1 || true)"
  if (( status == 0 )); then
    printf '%-22s ok    runs: %-10s %s\n' "$name" "${runs:-?}" "${cov:-cov: ?}"
  else
    failed=1
    printf '%-22s FAIL  exit %s, runs: %s %s\n' "$name" "$status" "${runs:-?}" "${cov:-}"
    grep -E 'invariant failed|ERROR: |SUMMARY: |Test unit written to' "$log" | sed 's/^/    /' | head -n 8 || true
    echo "    log: $log"
  fi
done

if (( failed )); then
  echo "run_smoke: FAILED; artifacts and logs kept in $work" >&2
  exit 1
fi
rm -rf "$work"
