"""Exact length complexity for the paper's linear class (PAPER.md: length complexity).

"k generated tokens compute f": tokens z_1..z_k over inputs x in {0,1}^n, each
``z_j = [a_j . x + b_j . z_<j >= theta_j]`` with real (hence, after scaling, integer)
weights, and ``z_k = f(x)`` on every input.

Specification, encoding, solver and result are kept apart:

- specification: :class:`~theorymodel.complexity.targets.Target` and ``k``;
- encoding (:func:`encode`): z3 linear real arithmetic over a *subset* of the inputs, one
  Boolean per intermediate token and input, margins ``>= theta`` / ``<= theta - 1`` (any
  real solution scales to this), and complement symmetry broken (an intermediate token
  may be negated by negating its weights, so WLOG ``z_j(0...0) = 0``);
- search (:func:`solve_k`): counterexample-guided over inputs. A model on the subset is
  checked on every input; the first input it gets wrong joins the subset. UNSAT on a
  subset is UNSAT on all inputs: the lower-bound certificate names that subset;
- result: integer weights (rationals scaled by their common denominator), re-simulated
  exactly on all 2^n inputs before being reported.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
import z3

from theorymodel.circuits.model import all_assignments
from theorymodel.complexity.targets import Target


@dataclass
class ThresholdToken:
    """z = [input_weights . x + token_weights . z_<j >= threshold], integers."""

    input_weights: list[int]
    token_weights: list[int]
    threshold: int

    def to_json(self) -> dict:
        return {"input_weights": self.input_weights, "token_weights": self.token_weights,
                "threshold": self.threshold}


@dataclass
class KResult:
    k: int
    status: str  # "sat" | "unsat" | "unknown"
    witness: list[ThresholdToken] | None = None
    inputs_used: list[int] = field(default_factory=list)
    seconds: float = 0.0
    rounds: int = 0


def simulate(witness: list[ThresholdToken], x: np.ndarray) -> np.ndarray:
    """All tokens on a batch of inputs, exact integer arithmetic: shape (batch, k)."""
    z = np.zeros((x.shape[0], len(witness)), dtype=np.int64)
    xi = x.astype(np.int64)
    for j, tok in enumerate(witness):
        s = xi @ np.asarray(tok.input_weights, dtype=np.int64)
        if j:
            s = s + z[:, :j] @ np.asarray(tok.token_weights, dtype=np.int64)
        z[:, j] = s >= tok.threshold
    return z


def encode(target: Target, k: int, subset: list[int], x: np.ndarray):
    """z3 problem for k tokens on the inputs in ``subset``: (solver, weights, thresholds)."""
    n = target.n
    a = [[z3.Real(f"a{j}_{i}") for i in range(n)] for j in range(k)]
    b = [[z3.Real(f"b{j}_{m}") for m in range(j)] for j in range(k)]
    th = [z3.Real(f"t{j}") for j in range(k)]
    s = z3.Solver()
    for idx in subset:
        row = x[idx]
        zs: list[z3.BoolRef] = []
        for j in range(k):
            total = z3.Sum([a[j][i] for i in range(n) if row[i]] +
                           [z3.If(zs[m], b[j][m], 0) for m in range(j)] or [z3.RealVal(0)])
            if j == k - 1:
                zj = z3.BoolVal(bool(target.table[idx]))
            elif idx == 0:
                zj = z3.BoolVal(False)  # complement symmetry: z_j(0...0) = 0
            else:
                zj = z3.Bool(f"z{j}_{idx}")
            s.add(z3.If(zj, total >= th[j], total <= th[j] - 1))
            zs.append(zj)
    return s, a, b, th


def _integer_witness(model: z3.ModelRef, a, b, th, k: int) -> list[ThresholdToken]:
    def val(v) -> Fraction:
        r = model.eval(v, model_completion=True)
        return Fraction(r.numerator_as_long(), r.denominator_as_long())

    tokens = []
    for j in range(k):
        vals = [val(v) for v in a[j]] + [val(v) for v in b[j]] + [val(th[j])]
        scale = math.lcm(*[f.denominator for f in vals]) if vals else 1
        ints = [int(f * scale) for f in vals]
        n = len(a[j])
        tokens.append(ThresholdToken(ints[:n], ints[n:n + j], ints[-1]))
    return tokens


def solve_k(target: Target, k: int, *, deadline: float | None = None, seed: int = 0) -> KResult:
    """Can k tokens compute the target? Counterexample-guided over inputs."""
    start = time.perf_counter()
    x = all_assignments(target.n)
    total = len(target.table)
    rng = np.random.default_rng(seed)
    subset = sorted({0, total - 1, *rng.choice(total, size=min(total, 4), replace=False).tolist()})
    rounds = 0
    while True:
        rounds += 1
        solver, a, b, th = encode(target, k, subset, x)
        if deadline is not None:
            solver.set("timeout", max(1, int((deadline - time.perf_counter()) * 1000)))
        res = solver.check()
        if res == z3.unsat:
            return KResult(k, "unsat", None, subset, time.perf_counter() - start, rounds)
        if res == z3.unknown:
            return KResult(k, "unknown", None, subset, time.perf_counter() - start, rounds)
        witness = _integer_witness(solver.model(), a, b, th, k)
        out = simulate(witness, x)[:, -1]
        wrong = np.nonzero(out != target.table)[0]
        if not len(wrong):
            return KResult(k, "sat", witness, subset, time.perf_counter() - start, rounds)
        subset = sorted({*subset, int(wrong[0]), int(rng.choice(wrong))})


def parity_cascade_bound(n: int) -> int:
    """The binary-counting cascade's token count for n-bit parity: ceil(log2(n + 1))."""
    return max(1, math.ceil(math.log2(n + 1)))
