#!/usr/bin/env bash
# 3x3-digit multiplication, all three CoT variants, the linear model, the same budget each
# (d = 32, 400 steps of 256 sequences, lr 2e-3; the paper's format is the slowest, about
# 10 minutes on a 2-core CPU). Prints one JSON line per run; the note on issue 8 has the
# measured table. The loss curves go to tour/multiply_3x3/ (git-ignored; OUT=DIR for another folder).
set -euo pipefail
out="${OUT:-tour/multiply_3x3}"
mkdir -p "$out"
for cot in fine none paper; do
  theorymodel experiment multiply --digits 3 --model linear --cot "$cot" --d 32 --steps 400 --lr 2e-3 \
    --batch 256 --plot "$out/${cot}.png" --json
done
