#!/usr/bin/env bash
# 3x3-digit multiplication, all three CoT variants, the linear model, same budget each
# (each run at most 10 minutes on a 2-core CPU). Prints one JSON line per run.
set -euo pipefail
for cot in fine paper none; do
  theorymodel experiment multiply --digits 3 --model linear --cot "$cot" --steps 1500 --d 64 \
    --batch 256 --plot "multiply_3x3_${cot}.png" --json
done
