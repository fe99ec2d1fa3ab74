"""Roll-out speed: our sparse exact roll-out against the paper's dense masked layer.

The same predictor (binary increment, tableau route, growing input length so the
context grows) is decoded greedily on a batch of inputs two ways:

- ours: per generated token, gather its active features and scatter-add its
  non-zeros (cost proportional to the token's non-zeros);
- dense: the LinearModel layout, one (|V| x (t+1)|V|) block row of the masked layer
  times the one-hot context per generated token (what a dense implementation does;
  the blocks are materialised outside the timed region).

Prints both times, the ratio, and the log-log slope of our time against the number
of generated tokens. Usage: ``python bench/bench_rollout.py [--batch 32]``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from theorymodel.compile.geometry import Geometry
from theorymodel.compile.tableau import compile_tableau
from theorymodel.machines import library
from theorymodel.predictor import LinearPredictor


def dense_rollout(pred: LinearPredictor, inputs: np.ndarray) -> tuple[np.ndarray, float]:
    V, n, C = pred.V, pred.n_inputs, pred.context_length
    W = pred.weights.tocsr()
    bias = pred.bias.toarray().astype(np.float32)
    B = inputs.shape[0]
    onehot = np.zeros((C * V, B), dtype=np.float32)
    seq = np.zeros((B, C), dtype=np.int32)
    seq[:, :n] = inputs
    cols = np.arange(B)
    for p in range(n):
        onehot[p * V + inputs[:, p], cols] = 1
    elapsed = 0.0
    for k in range(pred.n_generated):
        t = n + k - 1
        block = W[k * V:(k + 1) * V, : (t + 1) * V].toarray().astype(np.float32)  # not timed
        start = time.perf_counter()
        logits = block @ onehot[: (t + 1) * V] + bias[k][:, None]
        best = logits.argmax(axis=0)
        elapsed += time.perf_counter() - start
        seq[:, n + k] = best
        onehot[(t + 1) * V + best, cols] = 1
    return seq, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--sizes", default="8,16,24,36,50,60,72")
    args = parser.parse_args()
    tm = library.load("binary_increment")
    rng = np.random.default_rng(0)
    rows = []
    print(f"{'n':>4} {'context':>8} {'generated':>10} {'nnz':>10} {'ours s':>9} {'dense s':>9} {'ratio':>8}")
    for n in map(int, args.sizes.split(",")):
        geometry = Geometry(n, 2 * n + 2, 1, n)  # increment: right to n, carry to -1
        program = compile_tableau(tm, geometry, "tape")
        pred = LinearPredictor.from_program(program)
        words = rng.integers(0, 2, size=(args.batch, n))
        x = program.encode_inputs([["01"[b] for b in row] for row in words])
        start = time.perf_counter()
        pred.levels()  # one-time indexing, outside the timed region, as the dense blocks are
        t_index = time.perf_counter() - start
        start = time.perf_counter()
        ours = pred.rollout(x).sequences
        t_ours = time.perf_counter() - start
        dense, t_dense = dense_rollout(pred, x)
        assert np.array_equal(ours, dense), "the two implementations disagree"
        rows.append((program.context_length, pred.n_generated, t_ours, t_dense))
        print(f"{n:>4} {program.context_length:>8} {pred.n_generated:>10} {pred.nnz:>10} "
              f"{t_ours:>9.4f} {t_dense:>9.3f} {t_dense / t_ours:>7.1f}x   "
              f"(one-time indexing {t_index:.2f} s)")
    gen = np.log([r[1] for r in rows])
    slope_ours = np.polyfit(gen, np.log([r[2] for r in rows]), 1)[0]
    slope_dense = np.polyfit(gen, np.log([r[3] for r in rows]), 1)[0]
    print(f"\nlog-log slope in generated tokens: ours {slope_ours:.2f}, dense {slope_dense:.2f}")
    big = [r for r in rows if r[0] >= 5000]
    if big:
        print(f"ratio at context >= 5000: {min(r[3] / r[2] for r in big):.0f}x")


if __name__ == "__main__":
    main()
