#!/usr/bin/env bash
# npm test: every test. Installs what is missing (scripts/setup.sh), prepares the data, then runs
#   1. the C tests (ctest, native build in build/), again under AddressSanitizer and
#      UndefinedBehaviorSanitizer (build-asan/), then each fuzzer for $FUZZ_SECONDS s (default 20;
#      0 skips them; longer runs: npm run fuzz)
#   2. the WebAssembly and JavaScript tests (node --test tests/wasm/*.test.mjs)
#   3. the browser tests (node --test tests/e2e/*.test.mjs, headless Chromium)
# The test files are named by the shell: node --test takes no directory from Node 22 on, and
# expands no glob before Node 21.
# `npm test -- c`, `npm test -- wasm` or `npm test -- e2e` runs one group.
set -euo pipefail
cd "$(dirname "$0")/.."
groups=("$@")
[ ${#groups[@]} -eq 0 ] && groups=(c wasm e2e)

# What the chosen groups need (the Pages workflow runs wasm and e2e only, with its own Chromium).
parts=(native node)
for group in "${groups[@]}"; do
  case "$group" in
    c) parts+=(checks) ;;
    wasm) parts+=(wasm) ;;
    e2e) parts+=(wasm browser) ;;
  esac
done
bash scripts/setup.sh "${parts[@]}"
node scripts/prepare-data.mjs

for group in "${groups[@]}"; do
  case "$group" in
    c)
      echo "== C tests ==" >&2
      bash scripts/build-native.sh
      ctest --test-dir build --output-on-failure -j "$(nproc 2>/dev/null || echo 2)"
      echo "== C tests under AddressSanitizer and UndefinedBehaviorSanitizer ==" >&2
      DIGITS_BUILD_DIR=build-asan bash scripts/build-native.sh -DDIGITS_SANITIZE=ON
      ctest --test-dir build-asan --output-on-failure -j "$(nproc 2>/dev/null || echo 2)"
      if [ "${FUZZ_SECONDS:-20}" -gt 0 ]; then
        echo "== fuzzing, ${FUZZ_SECONDS:-20} s each ==" >&2
        bash scripts/fuzz.sh "${FUZZ_SECONDS:-20}"
      fi
      ;;
    wasm)
      echo "== WebAssembly and JavaScript tests ==" >&2
      bash scripts/build-wasm.sh
      [ -x build/digits ] || bash scripts/build-native.sh
      node --test tests/wasm/*.test.mjs
      ;;
    e2e)
      echo "== browser tests ==" >&2
      bash scripts/build-wasm.sh
      node scripts/build-site.mjs
      node --test tests/e2e/*.test.mjs
      ;;
    *) echo "test: unknown group '$group' (expected c, wasm or e2e)" >&2; exit 2 ;;
  esac
done
