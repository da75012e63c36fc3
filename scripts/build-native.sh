#!/usr/bin/env bash
# Builds the native `digits` command and the C tests into build/ (or $DIGITS_BUILD_DIR).
# Extra arguments go to cmake's configure step, e.g. -DDIGITS_SANITIZE=ON.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${DIGITS_BUILD_DIR:-build}
cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
cmake --build "$dir" -j "$(nproc 2>/dev/null || echo 2)"
echo "built $dir/digits" >&2
