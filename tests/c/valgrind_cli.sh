#!/usr/bin/env bash
# Runs `digits train`, `eval` and `predict` under valgrind memcheck on a small generated CSV,
# on their success paths and a few failure paths, and fails on any memory error or definite or
# indirect leak. ctest: cli_should_have_no_memory_errors_or_leaks_under_valgrind.
#   bash tests/c/valgrind_cli.sh path/to/digits
# Exits 77 (ctest: skipped) when valgrind is not installed (bash scripts/setup.sh checks).
set -euo pipefail
digits=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
if ! command -v valgrind >/dev/null 2>&1; then
  echo "valgrind not installed: skipped (bash scripts/setup.sh checks installs it)" >&2
  exit 77
fi
work=$(mktemp -d /tmp/digits_valgrind_XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work"

# 60 labelled digits (class c: a bar at row 4 + 2c) and the same 60 without labels.
awk 'BEGIN {
  for (labelled = 1; labelled >= 0; labelled--) {
    file = labelled ? "train.csv" : "test.csv"
    line = labelled ? "label" : ""
    for (k = 0; k < 784; k++) line = line (line == "" ? "" : ",") "pixel" k
    print line > file
    for (i = 0; i < 60; i++) {
      c = i % 10
      line = labelled ? c : ""
      for (k = 0; k < 784; k++) {
        v = (int(k / 28) == 4 + 2 * c && k % 28 > 3 && k % 28 < 24) ? 200 + i % 50 : 0
        line = line (labelled || k > 0 ? "," : "") v
      }
      print line > file
    }
  }
}'
printf 'label,pixel0\n3,1\n' >bad.csv

failures=0
# check <expected exit code> <digits arguments...>
check() {
  local want=$1 code=0
  shift
  valgrind --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
    --show-leak-kinds=definite,indirect --log-file=valgrind.log "$digits" "$@" >out.txt 2>&1 || code=$?
  if [ "$code" -eq 99 ] || [ -s valgrind.log ]; then
    echo "FAIL: digits $* (valgrind reported errors):" >&2
    cat valgrind.log >&2
    failures=$((failures + 1))
  elif [ "$code" -ne "$want" ]; then
    echo "FAIL: digits $* exited $code, expected $want:" >&2
    cat out.txt >&2
    failures=$((failures + 1))
  else
    echo "ok   digits $*" >&2
  fi
}

check 0 train --data train.csv --val train.csv --hidden 16 --epochs 2 --batch 16 --out m --log curve.csv --quiet
check 0 train --data train.csv --hidden 16 --epochs 1 --augment --init m --dtype f16 --out m16 --quiet
check 0 eval --model m --data train.csv
check 0 eval --model m16 --data train.csv
check 0 predict --model m --data test.csv --out sub.csv
check 0 predict --model m --data train.csv --out - --probabilities
# failure paths free what they allocated too
check 1 train --data bad.csv --out never --quiet
check 1 train --data test.csv --out never --quiet
check 1 train --data train.csv --epochs 3 --batch 10 --lr 50 --optimizer sgd --out never --quiet
check 1 eval --model nothere --data train.csv
check 1 eval --model m --data test.csv
check 1 predict --model m --data test.csv --out /proc/no/such/file.csv
[ "$failures" -eq 0 ] || { echo "$failures valgrind check(s) failed" >&2; exit 1; }
echo "valgrind: no memory errors or leaks in 12 runs" >&2
