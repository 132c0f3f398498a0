#!/usr/bin/env bash
# Code size of the TEEP Agent core: `size` (Berkeley format: text includes
# .rodata and .eh_frame; data; bss) of the static libraries of src/core that
# the Agent links, i.e. everything but src/host and the CLI. OpenSSL
# (libcrypto) is not included: in a TEE it is replaced by the TEE's crypto
# library behind src/core/crypto.
#
# An archive's total is the sum of its object files, before linking: it
# counts every function, used or not, and inline/template code once per
# object that instantiates it (the linker keeps one copy). It is an upper
# bound on what the Agent adds to a linked TEE image.
#
#   bash scripts/core_size.sh [build-dir]      # default build/release
set -euo pipefail

build=${1:-build/release}
libs=(agent teep suit eat cose cbor crypto base)

printf '%-18s %9s %7s %7s %11s\n' library text data bss text+data
total_text=0 total_data=0 total_bss=0
for lib in "${libs[@]}"; do
  archive=$(find "$build/src/core" -name "libteep_$lib.a" -print -quit)
  if [[ -z "$archive" ]]; then
    echo "libteep_$lib.a not found under $build/src/core: build the release preset first" >&2
    exit 1
  fi
  read -r text data bss _ < <(size -t "$archive" | tail -n 1)
  printf '%-18s %9d %7d %7d %11d\n' "libteep_$lib.a" "$text" "$data" "$bss" $((text + data))
  total_text=$((total_text + text)) total_data=$((total_data + data)) total_bss=$((total_bss + bss))
done
printf '%-18s %9d %7d %7d %11d\n' total "$total_text" "$total_data" "$total_bss" \
  $((total_text + total_data))
