"""The paper's trade-off class ``parity-K``: each token is the parity of at most K earlier
tokens (inputs included). docs/paper.md: n-bit parity then needs ceil((n-1)/(K-1)) tokens.

Every token is a GF(2)-linear function of the inputs, so the class computes exactly the
parities x_S (and the constant 0). A token is then its vector in GF(2)^n, and "k tokens
compute x_S" is a question about vectors: SAT over n coordinates instead of 2^n inputs.
That reduction is exact because a linear function is fixed by its values on the unit
vectors; witnesses are still re-simulated on all 2^n inputs by the search.
"""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np

from theorymodel.complexity.classes import cnf
from theorymodel.complexity.classes.base import KResult, json_int, remaining_seconds
from theorymodel.complexity.targets import Target, index_map


def linear_support(target: Target) -> list[int] | None:
    """S with f = XOR of x_S, or None when f is not GF(2)-linear."""
    n, t = target.n, target.table.astype(np.int64)
    if t[0]:
        return None
    support = [i for i in range(n) if t[1 << (n - 1 - i)]]
    idx = index_map(n)
    mask = sum(1 << (n - 1 - i) for i in support)
    predicted = np.array([bin(int(v) & mask).count("1") % 2 for v in idx])
    return support if np.array_equal(predicted, t) else None


def xor_rollout(x: np.ndarray, tokens: list[list[int]]) -> np.ndarray:
    """Inputs followed by the tokens, each the XOR of the positions it lists (0 when none)."""
    seq = x.astype(np.int64)
    for reads in tokens:
        tok = seq[:, reads].sum(axis=1) % 2 if reads else np.zeros(len(seq), np.int64)
        seq = np.column_stack([seq, tok])
    return seq


class ParityClass:
    """Each token the parity (XOR) of at most K earlier positions."""

    npn_invariant = False  # input or output negation leaves the class (f(0) = 1 is unreachable)

    def __init__(self, k_max: int) -> None:
        self.K = k_max
        self.name = f"parity-{k_max}"
        self.solver_name = cnf.solver_name()

    def closed_form(self, m: int) -> int:
        """Tokens for an m-input parity: a K-ary XOR tree, ceil((m-1)/(K-1)), at least 1."""
        return max(1, math.ceil((m - 1) / (self.K - 1)))

    def solve_k(self, target: Target, k: int, *, deadline: float | None = None) -> KResult:
        start = time.perf_counter()
        support = linear_support(target)
        if support is None:
            why = "f(0...0) = 1" if target.table[0] else "f is not a parity of inputs (not GF(2)-linear)"
            return KResult(k, "inexpressible", None, {"reason": f"every token is GF(2)-linear; {why}"})
        n = target.n
        f = cnf.CNF()
        vec: list[list[int]] = []  # vec[m][i]: variable for coordinate i of token m
        select: list[list[int]] = []
        for j in range(k):
            sel = [f.var() for _ in range(n + j)]
            f.at_most_k(sel, self.K)
            coords = []
            for i in range(n):
                terms = [sel[i]] + [f.and_of(sel[n + m], vec[m][i]) for m in range(j)]
                coords.append(f.xor_of(terms))
            vec.append(coords)
            select.append(sel)
        for i in range(n):
            f.add([vec[-1][i]] if i in support else [-vec[-1][i]])
        status, true, solver = cnf.solve(f, remaining_seconds(deadline))
        seconds = time.perf_counter() - start
        if status != "sat":
            return KResult(k, status, None, {"solver": solver, "encoding": "GF(2) vectors of the tokens",
                                             "variables": f.top, "clauses": len(f.clauses)}, seconds, query=f)
        witness = [[p for p, v in enumerate(sel) if v in true] for sel in select]
        return KResult(k, "sat", witness, {}, seconds)

    def simulate(self, witness: list[list[int]], x: np.ndarray) -> np.ndarray:
        return xor_rollout(x, witness)[:, x.shape[1]:]

    def witness_json(self, witness: list[list[int]]) -> list[dict[str, Any]]:
        return [{"xor_of": reads} for reads in witness]

    def witness_from_json(self, data: Any, n: int) -> list[list[int]]:
        if not isinstance(data, list):
            raise ValueError("a witness is a list of tokens")
        out = []
        for j, tok in enumerate(data):
            if not isinstance(tok, dict) or set(tok) != {"xor_of"} or not isinstance(tok["xor_of"], list) \
                    or len(tok["xor_of"]) > self.K:
                raise ValueError(f"token {j} is not {{xor_of: at most {self.K} earlier positions}}")
            out.append([json_int(p, 0, n + j - 1, "a read position") for p in tok["xor_of"]])
        return out

    def upper_bounds(self, target: Target) -> dict[str, int]:
        support = linear_support(target)
        if support is None:
            return {}
        return {f"{self.K}-ary XOR tree ceil((m-1)/(K-1))": self.closed_form(len(support))}
