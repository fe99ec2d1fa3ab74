"""The paper's linear class (docs/paper.md: length complexity; Thm 3.8 for threshold tokens).

"k generated tokens compute f": tokens z_1..z_k over inputs x in {0,1}^n, each
``z_j = [a_j . x + b_j . z_<j >= theta_j]`` with real (hence, after scaling, integer)
weights, and ``z_k = f(x)`` on every input.

Specification, encoding, solver and result are kept apart:

- specification: :class:`~theorymodel.complexity.targets.Target` and ``k``;
- encoding (:func:`encode`): z3 linear real arithmetic over a *subset* of the inputs, one
  Boolean per intermediate token and input, margins ``>= theta`` / ``<= theta - 1`` (any
  real solution scales to this). Symmetries that keep the answer are broken (see
  :func:`encode`);
- search (:func:`solve_k`): counterexample-guided over inputs. A model on the subset is
  checked on every input; the first input it gets wrong joins the subset. UNSAT on a
  subset is UNSAT on all inputs: the lower-bound certificate names that subset. For
  targets with interchangeable inputs a *tied* search (equal weights inside a block, one
  input per orbit) runs first: it is tiny, and any witness it finds is a witness;
- result: integer weights (rationals scaled by their common denominator), re-simulated
  exactly on all 2^n inputs before being reported.
"""

from __future__ import annotations

import functools
import itertools
import math
import time
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
import z3

from theorymodel.circuits.model import all_assignments
from theorymodel.complexity.classes.base import KResult, json_int, remaining_seconds
from theorymodel.complexity.targets import Symmetries, Target, symmetries


@dataclass
class ThresholdToken:
    """z = [input_weights . x + token_weights . z_<j >= threshold], integers."""

    input_weights: list[int]
    token_weights: list[int]
    threshold: int

    def to_json(self) -> dict[str, Any]:
        return {"input_weights": self.input_weights, "token_weights": self.token_weights,
                "threshold": self.threshold}


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


def encode(target: Target, k: int, subset: list[int], x: np.ndarray, sym: Symmetries, *, tied: bool = False):
    """z3 problem for k tokens on the inputs in ``subset``: (solver, weights, thresholds).

    Symmetry breaking, each step keeping "a solution exists" unchanged:

    - an intermediate token may be complemented (negate its weights and threshold, and
      its out-going weights), so WLOG ``z_j(0...0) = 0`` for 1 < j < k;
    - inputs of a block are interchangeable, so WLOG token 1's weights descend in a block;
    - for k >= 2, negating a negatable input maps f to f or to not-f (fixed by negating
      the answer token), so WLOG token 1's weight on it is >= 0. That uses token 1's sign,
      so token 1 is then not complement-normalised. (Negation and block order combine:
      a block is all negatable or none, with one shared effect on f.)

    ``tied`` restricts every token to equal weights inside each block (a heuristic for
    witnesses, never used for UNSAT certificates).
    """
    n = target.n
    block_of = {i: bi for bi, b in enumerate(sym.blocks) for i in b}
    if tied:
        shared = [[z3.Real(f"a{j}_B{bi}") for bi in range(len(sym.blocks))] for j in range(k)]
        a = [[shared[j][block_of[i]] for i in range(n)] for j in range(k)]
    else:
        a = [[z3.Real(f"a{j}_{i}") for i in range(n)] for j in range(k)]
    b = [[z3.Real(f"b{j}_{m}") for m in range(j)] for j in range(k)]
    th = [z3.Real(f"t{j}") for j in range(k)]
    s = z3.Solver()
    signed = k >= 2 and bool(sym.negatable)
    if signed:
        s.add(*[a[0][i] >= 0 for i in sym.negatable])
    if not tied:
        for block in sym.blocks:
            s.add(*[a[0][p] >= a[0][q] for p, q in itertools.pairwise(block)])
    for idx in subset:
        row = x[idx]
        zs: list[z3.BoolRef] = []
        for j in range(k):
            total = z3.Sum([a[j][i] for i in range(n) if row[i]] +
                           [z3.If(zs[m], b[j][m], 0) for m in range(j)] or [z3.RealVal(0)])
            if j == k - 1:
                zj = z3.BoolVal(bool(target.table[idx]))
            elif idx == 0 and not (j == 0 and signed):
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

    return [_token([val(v) for v in a[j]], [val(v) for v in b[j]], val(th[j])) for j in range(k)]


def _token(inputs: list[Fraction], tokens: list[Fraction], threshold: Fraction) -> ThresholdToken:
    """A token with rational weights as integers: everything scaled by the common
    denominator (the same comparisons on every input)."""
    vals = [*inputs, *tokens, threshold]
    scale = math.lcm(*[f.denominator for f in vals])
    ints = [int(f * scale) for f in vals]
    return ThresholdToken(ints[:len(inputs)], ints[len(inputs):-1], ints[-1])


def orbit_representatives(n: int, sym: Symmetries) -> list[int]:
    """One input index per orbit of the block permutations (the first c bits of each block set)."""
    reps = {0}
    counts: list[list[int]] = [[]]
    for block in sym.blocks:
        counts = [[*c, m] for c in counts for m in range(len(block) + 1)]
    for c in counts:
        idx = 0
        for block, m in zip(sym.blocks, c, strict=True):
            for i in block[:m]:
                idx |= 1 << (n - 1 - i)
        reps.add(idx)
    return sorted(reps)


SMALL_INPUT_SPACE = 32


def solve_k(target: Target, k: int, *, deadline: float | None = None, seed: int = 0,
            tied: bool = False, sym: Symmetries | None = None) -> KResult:
    """Can k tokens compute the target? Counterexample-guided over inputs."""
    start = time.perf_counter()
    sym = sym or symmetries(target)
    x = all_assignments(target.n)
    total = len(target.table)
    rng = np.random.default_rng(seed)
    if tied:
        pool = orbit_representatives(target.n, sym)
        subset = pool if len(pool) <= 64 else sorted({0, total - 1, *rng.choice(pool, 6).tolist()})
    elif total <= SMALL_INPUT_SPACE:
        subset = list(range(total))  # refinement rounds cost more than these few rows
    else:
        subset = sorted({0, total - 1, *rng.choice(total, size=min(total, 4), replace=False).tolist()})
    rounds = 0
    while True:
        rounds += 1
        solver, a, b, th = encode(target, k, subset, x, sym, tied=tied)
        left = remaining_seconds(deadline)
        if left is not None:
            solver.set("timeout", max(1, int(left * 1000)))
        res = solver.check()
        if res != z3.sat:
            status = "unsat" if res == z3.unsat else "unknown"
            cert = {"inputs": len(subset), "rounds": rounds, "certificate_inputs": subset,
                    "symmetry_breaking": {"blocks": [list(bl) for bl in sym.blocks if len(bl) > 1],
                                          "nonnegative_inputs": list(sym.negatable) if k >= 2 else []}}
            return KResult(k, status, None, cert, time.perf_counter() - start, query=solver)
        witness = _integer_witness(solver.model(), a, b, th, k)
        out = simulate(witness, x)[:, -1]
        wrong = np.nonzero(out != target.table)[0]
        if not len(wrong):
            return KResult(k, "sat", witness, {"rounds": rounds, "tied": tied}, time.perf_counter() - start)
        subset = sorted({*subset, int(wrong[0]), int(rng.choice(wrong))})


@functools.lru_cache(maxsize=8)
def _witness_template(n: int, k: int) -> tuple[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    """SMT-LIB text of "k tokens on all 2^n inputs" without the answer's values (the
    declarations and the intermediate tokens' constraints), and for each input the answer
    token's constraint for f = 0 and for f = 1: the query of :func:`encode` over every
    input with only the complement normalisation (``z_j(0...0) = 0``, valid for every f),
    assembled by string joins, since building it through z3's Python API costs more than
    solving it (measured: 14 ms against 2 ms to parse, n = 5, k = 3)."""
    x = all_assignments(n)
    decls = [f"(declare-const a{j}_{i} Real)" for j in range(k) for i in range(n)]
    decls += [f"(declare-const b{j}_{m} Real)" for j in range(k) for m in range(j)]
    decls += [f"(declare-const t{j} Real)" for j in range(k)]
    decls += [f"(declare-const z{j}_{idx} Bool)" for j in range(k - 1) for idx in range(1, 2**n)]
    fixed: list[str] = []
    answer: tuple[list[str], list[str]] = ([], [])
    for idx in range(2**n):
        for j in range(k):
            terms = [f"a{j}_{i}" for i in range(n) if x[idx, i]]
            terms += [f"(ite z{m}_{idx} b{j}_{m} 0.0)" for m in range(j) if idx]  # z_m(0...0) = 0
            total = "0.0" if not terms else terms[0] if len(terms) == 1 else f"(+ {' '.join(terms)})"
            on, off = f"(>= {total} t{j})", f"(<= {total} (- t{j} 1.0))"
            if j < k - 1:
                fixed.append(f"(assert {off})" if idx == 0 else f"(assert (ite z{j}_{idx} {on} {off}))")
            else:
                answer[0].append(f"(assert {off})")
                answer[1].append(f"(assert {on})")
    return "\n".join(decls + fixed) + "\n", (tuple(answer[0]), tuple(answer[1]))


def find_witness(table: np.ndarray, n: int, k: int, *, deadline: float | None = None
                 ) -> tuple[str, list[ThresholdToken] | None]:
    """("sat", a k-token witness re-simulated on all 2^n inputs), ("unsat", None) or
    ("unknown", None): one query over every input (:func:`_witness_template`). For
    witnesses in bulk (the census); an UNSAT answer is not a certificate here: the
    certificate comes from :func:`solve_k`, whose query is the one documented."""
    head, answer = _witness_template(n, k)
    solver = z3.Solver()
    left = remaining_seconds(deadline)
    if left is not None:
        solver.set("timeout", max(1, int(left * 1000)))
    solver.from_string(head + "\n".join(answer[int(b)][idx] for idx, b in enumerate(np.asarray(table).tolist())))
    res = solver.check()
    if res != z3.sat:
        return ("unsat" if res == z3.unsat else "unknown"), None
    model = solver.model()
    values = {d.name(): model[d] for d in model.decls()}

    def val(name: str) -> Fraction:
        r = values.get(name)
        return Fraction(0) if r is None else Fraction(r.numerator_as_long(), r.denominator_as_long())

    witness = [_token([val(f"a{j}_{i}") for i in range(n)], [val(f"b{j}_{m}") for m in range(j)], val(f"t{j}"))
               for j in range(k)]
    if not np.array_equal(simulate(witness, all_assignments(n))[:, -1], np.asarray(table, dtype=np.int64)):
        raise AssertionError("a k-token witness from the template query failed re-simulation")  # pragma: no cover
    return "sat", witness


def parity_cascade_bound(n: int) -> int:
    """The binary-counting cascade's token count for n-bit parity: ceil(log2(n + 1))."""
    return max(1, math.ceil(math.log2(n + 1)))


class LinearClass:
    """Each token a linear threshold of the inputs and all earlier tokens (the paper's)."""

    name = "linear"
    solver_name = f"z3 {z3.get_version_string()} (linear real arithmetic)"
    npn_invariant = True

    def solve_k(self, target: Target, k: int, *, deadline: float | None = None) -> KResult:
        sym = symmetries(target)
        if not sym.trivial and k >= 2:
            tied = solve_k(target, k, deadline=deadline, tied=True, sym=sym)
            if tied.status == "sat":
                return tied
        return solve_k(target, k, deadline=deadline, sym=sym)

    def simulate(self, witness: list[ThresholdToken], x: np.ndarray) -> np.ndarray:
        return simulate(witness, x)

    def witness_json(self, witness: list[ThresholdToken]) -> list[dict[str, Any]]:
        return [t.to_json() for t in witness]

    def witness_from_json(self, data: Any, n: int) -> list[ThresholdToken]:
        if not isinstance(data, list):
            raise ValueError("a witness is a list of tokens")
        out = []
        big = 1 << 62  # int64 arithmetic in simulate stays exact for 2^n terms of this size
        for j, tok in enumerate(data):
            if not isinstance(tok, dict) or set(tok) != {"input_weights", "token_weights", "threshold"} \
                    or not isinstance(tok["input_weights"], list) or not isinstance(tok["token_weights"], list) \
                    or len(tok["input_weights"]) != n or len(tok["token_weights"]) != j:
                raise ValueError(f"token {j} is not {{input_weights: {n} ints, token_weights: {j} ints, threshold}}")
            limit = big >> (n + j + 1)
            out.append(ThresholdToken([json_int(w, -limit, limit, "a weight") for w in tok["input_weights"]],
                                      [json_int(w, -limit, limit, "a weight") for w in tok["token_weights"]],
                                      json_int(tok["threshold"], -big, big, "a threshold")))
        return out

    def upper_bounds(self, target: Target) -> dict[str, int]:
        if target.name == "parity":
            return {"binary-counting cascade": parity_cascade_bound(target.n)}
        if target.name == "inner-product":
            m = target.n // 2
            # one AND token per pair, then the counting cascade over their sum
            return {"pair ANDs + counting cascade": m + parity_cascade_bound(m) if m > 1 else 1}
        return {}
