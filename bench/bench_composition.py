"""Length <= 2 at n = 5 by composition (theorymodel/complexity/composition.py), against
the baseline it replaces: the per-class exact search of `length`, timed on a sample of
classes in the same run and projected to all 616,126.

    python bench/bench_composition.py [--baseline-classes 40]

Prints the threshold list at 6 inputs (its count must be A000609(6) = 15,028,134), the
layer's counts per length (classes and functions), its time, and the ratio.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from theorymodel.complexity.composition import length_two_layer, threshold_functions
from theorymodel.complexity.npn import to_tt
from theorymodel.complexity.search import length_complexity
from theorymodel.complexity.targets import resolve
from theorymodel.errors import ResourceLimitError


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--baseline-classes", type=int, default=40)
    args = ap.parse_args()
    t0 = time.perf_counter()
    count = len(threshold_functions(6))
    print(f"threshold functions of 6 inputs: {count:,} (A000609(6) = 15,028,134) in "
          f"{time.perf_counter() - t0:.1f} s", flush=True)
    layer = length_two_layer(5)
    counts = layer.counts()
    print(json.dumps({**counts, "seconds": round(layer.seconds, 1)}), flush=True)
    # the baseline: the exact search decides "length <= 2?" one class at a time
    rng = np.random.default_rng(0)
    pick = rng.choice(len(layer.reps), size=args.baseline_classes, replace=False)
    start = time.perf_counter()
    agree = 0
    for i in pick.tolist():
        try:
            length_complexity(resolve(f"tt:{to_tt(int(layer.reps[i]), 5)}", 5), cls="linear", max_k=2)
            decided_two = True
        except ResourceLimitError:  # no witness with at most 2 tokens: both k = 1, 2 unsat
            decided_two = False
        agree += decided_two == bool(layer.at_most_two[i])
    per_class = (time.perf_counter() - start) / len(pick)
    projected = per_class * len(layer.reps)
    print(f"baseline: exact search with max_k = 2 on {len(pick)} random classes, {per_class:.3f} s a class, "
          f"agrees on {agree}/{len(pick)}; projected {projected:,.0f} s for all classes; "
          f"composition {layer.seconds:.0f} s: {projected / layer.seconds:.1f}x", flush=True)
    return 0 if agree == len(pick) else 1


if __name__ == "__main__":
    raise SystemExit(main())
