#!/usr/bin/env bash
# The 4x4-digit run for one GPU, at most 10 minutes in all: the paper's format against the
# fine CoT, MLP model, the largest budget that fits (paper: T = 307, d = 128, 1e8
# sequences, 17 A100-hours, 96.9% exact match). bf16 autocast is used on cuda.
# Each run stops after 280 s at most; its checkpoint (every 200 steps) lets a rerun go on.
# Checkpoints, curves and JSON go to tour/gpu_4x4/ (git-ignored; OUT=DIR for another folder).
set -uo pipefail
python3 -c "import theorymodel, torch" 2>/dev/null || pip install -q -e '.[experiments]'
out="${OUT:-tour/gpu_4x4}"
mkdir -p "$out"
failed=0
for cot in fine paper; do
  code=0
  timeout 280 theorymodel experiment multiply --digits 4 --model mlp --cot "$cot" --device cuda \
    --d 128 --batch 2048 --steps 1200 --lr 1e-3 --checkpoint "$out/ck_${cot}.pt" \
    --plot "$out/${cot}.png" --json > "$out/${cot}.json" || code=$?
  echo "$cot: exit $code $(head -c 400 "$out/${cot}.json")"
  [ "$code" -eq 0 ] || failed=$code
done
exit "$failed"  # a run that failed (no CUDA device: exit 2) is the script's exit code
