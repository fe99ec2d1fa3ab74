"""Learning speed on a machine's CoT: ours against the plain per-position LP.

The same data (binary palindromes, tableau route, M training inputs) is learned two ways:

- ours: feature columns that agree on every training sample are merged (the latest
  position stands for them), and positions are solved in parallel processes;
- baseline: every (position, token) indicator of the prefix is a feature, one process.

Both are exact and are checked for the same training error. Prints the times, the
ratio and the test errors. Usage: ``python bench/bench_learn.py [--n 8] [--samples 200]``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from theorymodel.learn import compiled, learn, learners


def all_indicators(train: np.ndarray, upto: int) -> np.ndarray:
    feats = [(q, int(t)) for q in range(upto) for t in np.unique(train[:, q])[1:]]
    return np.array(feats, dtype=np.int64).reshape(-1, 2)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=8)
    ap.add_argument("--samples", type=int, default=200)
    args = ap.parse_args()
    src = compiled("binary_palindrome", args.n, "tableau")
    print(f"binary_palindrome n = {args.n}: {src.cot_tokens} generated positions, {args.samples} samples")
    t0 = time.perf_counter()
    ours = learn(src, args.samples, learner="lp", seed=0, jobs=2)
    t_ours = time.perf_counter() - t0
    merged = learners.feature_table
    learners.feature_table = all_indicators
    try:
        t0 = time.perf_counter()
        base = learn(src, args.samples, learner="lp", seed=0, jobs=1)
        t_base = time.perf_counter() - t0
    finally:
        learners.feature_table = merged
    print(f"ours     {t_ours:8.2f} s  train error {ours.train_error:.4f}  test error {ours.test_error:.4f}")
    print(f"baseline {t_base:8.2f} s  train error {base.train_error:.4f}  test error {base.test_error:.4f}")
    print(f"ratio    {t_base / t_ours:8.1f}x")


if __name__ == "__main__":
    main()
