"""Long roll-outs of a uniform table: the whole row at once (``theorymodel.program.uniform.rollout``,
vectorised over cells and inputs) against token by token (the auto-regressive loop a reader
of the flat context runs), on the arithmetic machines at growing operand sizes. Prints
tokens per second for both and the ratio.

    python bench/bench_rows.py [BITS ...]     # default 8 16 32 64
"""

from __future__ import annotations

import random
import sys
import time

import numpy as np

from theorymodel.compile.uniform import compile_uniform
from theorymodel.machines import library, reference_run
from theorymodel.program.uniform import SEPARATOR, UniformLayout, initial_row, rollout

TOKEN_BUDGET = 400_000  # the token-by-token baseline stops here and is timed per token


def token_by_token(rule, layout: UniformLayout, word: str, steps: int) -> float:
    """Seconds per token of the plain auto-regressive loop (up to TOKEN_BUDGET tokens)."""
    W = layout.width
    seq = [rule.token_id[SEPARATOR], *initial_row(rule, layout, tuple(word)).tolist()]
    left, middle, right, bias = (np.asarray(a, dtype=np.int64) for a in (rule.left, rule.middle, rule.right,
                                                                          rule.bias))
    todo = min(steps * (W + 1), TOKEN_BUDGET)
    start = time.perf_counter()
    for _ in range(todo):
        p = len(seq)
        scores = left[:, seq[p - W - 2]] + middle[:, seq[p - W - 1]] + right[:, seq[p - W]] + bias
        seq.append(int(scores.argmax()))
    return (time.perf_counter() - start) / todo


def main() -> None:
    sizes = [int(v) for v in sys.argv[1:]] or [8, 16, 32, 64]
    rng = random.Random(0)
    print(f"{'machine':22} {'bits':>4} {'rows':>7} {'tokens':>10} {'row s':>7} {'rows tok/s':>11} "
          f"{'token tok/s':>11} {'ratio':>6}")
    for name, sign in (("binary_addition", "+"), ("binary_multiplication", "*")):
        tm = library.load(name)
        rule = compile_uniform(tm)
        for bits in sizes:
            a, b = rng.getrandbits(bits) | 1 << (bits - 1), rng.getrandbits(bits) | 1 << (bits - 1)
            word = format(a, "b") + sign + format(b, "b")
            run = reference_run(tm, tuple(word), max_steps=10**7)
            layout = UniformLayout.holding(len(word), run.leftmost_head, run.rightmost_head)
            tokens = run.steps * (layout.width + 1)
            start = time.perf_counter()
            rollout(rule, layout, [tuple(word)], run.steps)
            row_seconds = time.perf_counter() - start
            per_token = token_by_token(rule, layout, word, run.steps)
            print(f"{name:22} {bits:>4} {run.steps:>7,} {tokens:>10,} {row_seconds:>7.2f} "
                  f"{tokens / row_seconds:>11,.0f} {1 / per_token:>11,.0f} {tokens / row_seconds * per_token:>5.0f}x")


if __name__ == "__main__":
    main()
