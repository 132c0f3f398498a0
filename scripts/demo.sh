#!/usr/bin/env bash
# The main job: installs what is missing, builds the release binary, and runs
# `teep demo` on its embedded defaults. Extra arguments go to `teep demo`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)" --target teep
exec build/release/src/cli/teep demo "$@"
