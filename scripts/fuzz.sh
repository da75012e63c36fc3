#!/usr/bin/env bash
# npm run fuzz: builds the libFuzzer harnesses (clang, ASan+UBSan) into build-fuzz/ and runs each
# for a bounded time.
#   npm run fuzz                         every fuzzer, 60 s each
#   npm run fuzz -- 600 csv              only fuzz_csv, for 10 minutes
#   FUZZ_RUNS=10000000 npm run fuzz      stop each after this many executions instead (or the time)
# Fuzzers: csv (the CSV parser, whole vs chunked), npy (the .npy reader), model (the model loader),
# pack (the packed-model decoder).
# The working corpus grows in build-fuzz/corpus/<name>/ (seeded from tests/fuzz/corpus/<name>/).
# A crash or a broken property stops with the input saved in build-fuzz/crashes/<name>/; keep it
# as a regression test by copying it into tests/fuzz/regressions/<name>/ (ctest replays those).
# Needs clang and libFuzzer (Debian: libclang-rt-<version>-dev): bash scripts/setup.sh checks
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=60
names=()
for arg in "$@"; do
  case "$arg" in
    csv|npy|model|pack) names+=("$arg") ;;
    ''|*[!0-9]*) echo "fuzz: unknown argument '$arg' (expected seconds, csv, npy, model or pack)" >&2; exit 2 ;;
    *) seconds=$arg ;;
  esac
done
[ ${#names[@]} -eq 0 ] && names=(csv npy model pack)

if ! command -v clang >/dev/null 2>&1; then
  echo "fuzz: clang not found: run 'bash scripts/setup.sh checks'" >&2
  exit 1
fi
cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DDIGITS_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
targets=()
for name in "${names[@]}"; do targets+=(--target "fuzz_$name"); done
if ! cmake --build build-fuzz -j "$(nproc 2>/dev/null || echo 2)" "${targets[@]}" >build-fuzz/build.log 2>&1; then
  cat build-fuzz/build.log >&2
  echo "fuzz: build failed (is libFuzzer installed? run 'bash scripts/setup.sh checks')" >&2
  exit 1
fi

status=0
for name in "${names[@]}"; do
  case "$name" in
    csv) max_len=16384 dict=tests/fuzz/csv.dict ;;
    npy) max_len=4096 dict=tests/fuzz/npy.dict ;;
    model) max_len=8192 dict=tests/fuzz/npy.dict ;;
    pack) max_len=8192 dict=tests/fuzz/pack.dict ;;
  esac
  mkdir -p "build-fuzz/corpus/$name" "build-fuzz/crashes/$name"
  echo "== fuzz_$name: ${seconds} s${FUZZ_RUNS:+ or $FUZZ_RUNS runs} ==" >&2
  log="build-fuzz/fuzz_$name.log"
  if ./build-fuzz/"fuzz_$name" -max_total_time="$seconds" ${FUZZ_RUNS:+-runs=$FUZZ_RUNS} -max_len=$max_len \
      -dict=$dict -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="build-fuzz/crashes/$name/" \
      "build-fuzz/corpus/$name" "tests/fuzz/corpus/$name" "tests/fuzz/regressions/$name" >"$log" 2>&1; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    echo "fuzz_$name: ok, ${runs:-?} executions" >&2
  else
    tail -40 "$log" >&2
    echo "fuzz_$name: FAILED (log: $log; input saved in build-fuzz/crashes/$name/)" >&2
    status=1
  fi
done
exit $status
