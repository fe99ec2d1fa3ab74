"""Exact length complexity: our search against the naive encoding, in the same run.

Naive (the issue's baseline): one z3 query per k over *all* 2^n inputs, one Boolean per
intermediate token and input, real weights, no symmetry breaking. Ours: counterexample-
guided over inputs, symmetry breaking read off the target, the tied witness search first
(theorymodel.complexity.classes.linear).

For parity at each n, both certify the same lower bound (k - 1 tokens UNSAT, where k =
ceil(log2(n + 1))). Prints both times and the ratio. Usage:
``python bench/bench_length.py [--max-n 7] [--timeout 300]``.
"""

from __future__ import annotations

import argparse
import math
import time

import z3

from theorymodel.circuits.model import all_assignments
from theorymodel.complexity import length_complexity, resolve


def naive_unsat(n: int, k: int, timeout: float) -> tuple[str, float]:
    x = all_assignments(n)
    target = x.sum(axis=1) % 2
    a = [[z3.Real(f"a{j}_{i}") for i in range(n)] for j in range(k)]
    b = [[z3.Real(f"b{j}_{m}") for m in range(j)] for j in range(k)]
    th = [z3.Real(f"t{j}") for j in range(k)]
    s = z3.Solver()
    s.set("timeout", int(timeout * 1000))
    for idx, row in enumerate(x):
        zs = []
        for j in range(k):
            total = z3.Sum([a[j][i] for i in range(n) if row[i]] + [z3.If(zs[m], b[j][m], 0) for m in range(j)]
                           or [z3.RealVal(0)])
            zj = z3.BoolVal(bool(target[idx])) if j == k - 1 else z3.Bool(f"z{j}_{idx}")
            s.add(z3.If(zj, total >= th[j], total <= th[j] - 1))
            zs.append(zj)
    t0 = time.perf_counter()
    res = s.check()
    return str(res), time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--max-n", type=int, default=7)
    ap.add_argument("--timeout", type=float, default=300.0)
    args = ap.parse_args()
    print(f"{'n':>3} {'k':>3} {'ours (s)':>10} {'naive k-1 (s)':>14} {'ratio':>8}")
    for n in range(3, args.max_n + 1):
        k = max(1, math.ceil(math.log2(n + 1)))
        t0 = time.perf_counter()
        r = length_complexity(resolve("parity", n))
        ours = time.perf_counter() - t0
        assert r.length_complexity == k
        status, naive = naive_unsat(n, k - 1, args.timeout)
        shown = f"{naive:14.2f}" if status == "unsat" else f"{'>' + str(int(args.timeout)):>14}"
        print(f"{n:>3} {k:>3} {ours:10.2f} {shown} {naive / ours:8.1f}x")


if __name__ == "__main__":
    main()
