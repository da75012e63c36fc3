#!/bin/bash
# One outlier-exposure experiment of docs/not-a-digit.md: trains on data/oe/fit.csv (the training
# digits less the calibration split) with the default recipe's optimiser and distortions, then
# measures the model with scripts/outlier-eval.mjs for the max-softmax and energy scores.
#   scripts/outliers/experiment.sh OUT HIDDEN EPOCHS [more digits-train options]
# Environment: DATA (training CSV, default data/oe/fit.csv), WD (weight decay, default 0.05), SEED (1),
# THICKNESS (default 0.5). Needs build/digits and node scripts/outlier-data.mjs.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=$1 hidden=$2 epochs=$3
shift 3
start=$(date +%s)
build/digits train --data "${DATA:-data/oe/fit.csv}" --hidden "$hidden" --epochs "$epochs" --batch 64 \
  --optimizer adam --lr 0.002 --schedule cosine --lr-final 0.02 --weight-decay "${WD:-0.05}" --seed "${SEED:-1}" \
  --rotate 12 --scale 0.12 --shear 0.2 --translate 2.5 --elastic-alpha 1.2 --elastic-sigma 4.5 \
  --thickness "${THICKNESS:-0.5}" --dtype f16 --grid --calibrate data/oe/calib.csv --quiet --out "$out" "$@"
echo "== $out: hidden $hidden, $epochs epochs, $* ($(( $(date +%s) - start )) s)"
node scripts/outlier-eval.mjs --model "$out" --score msp --score-temperature 1
node scripts/outlier-eval.mjs --model "$out" --score energy --score-temperature 1
