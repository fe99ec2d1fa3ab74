"""``b2``: each token any two-input Boolean function of two earlier positions, so length
complexity is classical circuit size over the full binary basis (Knuth TAOCP 7.1.2).

Encoding (Kojevnikov-Kulikov-Yaroslavtsev style, SAT over all 2^n inputs): per gate, a
one-hot choice of its pair of earlier positions and four truth-table bits; per gate and
input, its value. Symmetries broken, each sound because k is searched upward from 1 (a
circuit that breaks them can be shrunk, and fewer gates were already refuted):

- gates are normal (g(0,0) = 0): a gate's negation is absorbed by its readers, and the
  answer gate's by complementing the target (undone in the witness);
- intermediate gates depend on both operands and are read by some later gate.
"""

from __future__ import annotations

import time
from itertools import combinations
from typing import Any

import numpy as np

from theorymodel.circuits.model import all_assignments
from theorymodel.complexity.classes import cnf
from theorymodel.complexity.classes.base import KResult, json_int, remaining_seconds
from theorymodel.complexity.targets import Target


class B2Class:
    name = "b2"
    npn_invariant = True

    def __init__(self) -> None:
        self.solver_name = cnf.solver_name()

    def solve_k(self, target: Target, k: int, *, deadline: float | None = None) -> KResult:
        start = time.perf_counter()
        n = target.n
        flip = int(target.table[0])
        goal = target.table.astype(np.int64) ^ flip
        if n == 0 or (k == 1 and n == 1):
            # one position or none to read: the answer is a unary (or constant) function
            unary = [int(target.table[0])] * 4 if n == 0 else [int(target.table[0])] * 2 + [int(target.table[1])] * 2
            return KResult(k, "sat", [{"inputs": [0, 0] if n else [], "table": unary}], {}, 0.0)
        x = all_assignments(n)
        f = cnf.CNF()
        pairs: list[list[tuple[int, int]]] = []
        select: list[list[int]] = []
        table: list[list[int]] = []  # table[j] = [g01, g10, g11]
        value: list[list[int]] = []  # value[pos][input]: the literal of that bit
        true_lit = f.var()
        f.add([true_lit])
        for i in range(n):
            value.append([true_lit if x[r, i] else -true_lit for r in range(len(x))])
        for j in range(k):
            ps = list(combinations(range(n + j), 2))
            sel = [f.var() for _ in ps]
            f.exactly_one(sel)
            g = [f.var() for _ in range(3)]
            if j < k - 1:
                f.add(g)  # not constant 0
                f.add([-g[1], -g[2], g[0]])  # not the first operand (g10 = g11 = 1, g01 = 0)
                f.add([-g[0], -g[2], g[1]])  # not the second operand
            vals = [f.var() for _ in range(len(x))]
            for r in range(len(x)):
                for s, (p, q) in zip(sel, ps, strict=True):
                    vp, vq = value[p][r], value[q][r]
                    for a in (0, 1):
                        for b in (0, 1):
                            cond = [-s, -vp if a else vp, -vq if b else vq]
                            if a == b == 0:
                                f.add([*cond, -vals[r]])
                            else:
                                gab = g[2 * a + b - 1]
                                f.add([*cond, -vals[r], gab])
                                f.add([*cond, vals[r], -gab])
            value.append(vals)
            pairs.append(ps)
            select.append(sel)
            table.append(g)
        for r in range(len(x)):
            f.add([value[-1][r]] if goal[r] else [-value[-1][r]])
        for j in range(k - 1):  # every intermediate gate is read later
            pos = n + j
            f.add([s for m in range(j + 1, k) for s, pq in zip(select[m], pairs[m], strict=True) if pos in pq])
        status, true, solver = cnf.solve(f, remaining_seconds(deadline))
        seconds = time.perf_counter() - start
        if status != "sat":
            return KResult(k, status, None, {"solver": solver, "variables": f.top, "clauses": len(f.clauses),
                                             "normalised": "normal gates, non-degenerate, all read"}, seconds,
                           query=f)
        witness = []
        for j in range(k):
            (p, q), = [pq for s, pq in zip(select[j], pairs[j], strict=True) if s in true]
            bits = [0] + [int(v in true) for v in table[j]]
            if j == k - 1 and flip:
                bits = [1 - b for b in bits]
            witness.append({"inputs": [p, q], "table": bits})
        return KResult(k, "sat", witness, {}, seconds)

    def simulate(self, witness: list[dict[str, Any]], x: np.ndarray) -> np.ndarray:
        seq = x.astype(np.int64)
        for gate in witness:
            t = np.asarray(gate["table"], dtype=np.int64)
            if not gate["inputs"]:
                tok = np.full(len(seq), t[0])
            else:
                p, q = gate["inputs"]
                tok = t[2 * seq[:, p] + seq[:, q]]
            seq = np.column_stack([seq, tok])
        return seq[:, x.shape[1]:]

    def witness_json(self, witness: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return witness

    def witness_from_json(self, data: Any, n: int) -> list[dict[str, Any]]:
        if not isinstance(data, list):
            raise ValueError("a witness is a list of gates")
        out = []
        for j, gate in enumerate(data):
            if not isinstance(gate, dict) or set(gate) != {"inputs", "table"} or not isinstance(gate["inputs"], list) \
                    or len(gate["inputs"]) not in (0, 2) or not isinstance(gate["table"], list) \
                    or len(gate["table"]) != 4:
                raise ValueError(f"gate {j} is not {{inputs: [p, q], table: 4 bits}}")
            out.append({"inputs": [json_int(i, 0, n + j - 1, "a gate input") for i in gate["inputs"]],
                        "table": [json_int(b, 0, 1, "a table bit") for b in gate["table"]]})
        return out

    def upper_bounds(self, target: Target) -> dict[str, int]:
        if target.name == "parity" and target.n >= 2:
            return {"XOR chain n-1": target.n - 1}
        return {}
