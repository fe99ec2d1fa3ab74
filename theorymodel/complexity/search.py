"""The search over k: the least k with a witness, and the certificate for k - 1."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import z3

from theorymodel.circuits.model import all_assignments
from theorymodel.compile.program import Answer, CoTProgram, ThresholdRule
from theorymodel.complexity import linear
from theorymodel.complexity.targets import Target
from theorymodel.errors import ResourceLimitError, UsageError


@dataclass
class LengthResult:
    target: Target
    cls: str
    length_complexity: int
    witness: list[linear.ThresholdToken]
    lower_bound: dict[str, Any]
    seconds: float
    upper_bounds: dict[str, int]

    def to_json(self) -> dict[str, Any]:
        return {
            "target": self.target.name,
            "n": self.target.n,
            "class": self.cls,
            "length_complexity": self.length_complexity,
            "witness": [t.to_json() for t in self.witness],
            "lower_bound": self.lower_bound,
            "seconds": round(self.seconds, 6),
            "upper_bounds": self.upper_bounds,
        }

    def program(self) -> CoTProgram:
        """The witness as a CoT program over binary tokens (one threshold rule per token)."""
        n = self.target.n
        vocab = ("0", "1")
        rules = []
        for tok in self.witness:
            terms = [(i, 1, w) for i, w in enumerate(tok.input_weights) if w]
            terms += [(n + m, 1, w) for m, w in enumerate(tok.token_weights) if w]
            rules.append(ThresholdRule(tuple(terms), tok.threshold))
        return CoTProgram(name=self.target.name, n_inputs=n, input_alphabet=vocab, vocab=vocab, rules=rules,
                          answer=Answer("bits", (n + len(rules) - 1,)), meta={"route": "length", "output": "bits"})


def length_complexity(target: Target, *, cls: str = "linear", max_k: int = 8,
                      timeout: float | None = None) -> LengthResult:
    """Least k (answer included) with which the class computes ``target`` exactly."""
    if cls != "linear":
        raise UsageError(f"class {cls!r} is not available in this version; the linear class is")
    start = time.perf_counter()
    deadline = start + timeout if timeout else None
    upper = {}
    if target.name == "parity":
        upper["binary-counting cascade"] = linear.parity_cascade_bound(target.n)
    last_unsat: linear.KResult | None = None
    for k in range(1, max_k + 1):
        result = linear.solve_k(target, k, deadline=deadline)
        if result.status == "unknown":
            raise ResourceLimitError(
                f"the solver ran out of time at k = {k}", limit="solver-timeout",
                details={"best_lower_bound": k, "seconds": round(time.perf_counter() - start, 3)})
        if result.status == "unsat":
            last_unsat = result
            continue
        witness = result.witness
        x = all_assignments(target.n)
        if not np.array_equal(linear.simulate(witness, x)[:, -1], target.table):  # re-simulated
            raise AssertionError("a witness failed re-simulation")
        if last_unsat is None:
            lower = {"k": 1, "status": "unsat", "solver": "definition: the answer is a generated token"}
        else:
            lower = {"k": k, "status": "unsat", "solver": f"z3 {z3.get_version_string()}",
                     "inputs": len(last_unsat.inputs_used), "rounds": last_unsat.rounds,
                     "certificate_inputs": last_unsat.inputs_used}
        return LengthResult(target, cls, k, witness, lower, time.perf_counter() - start, upper)
    raise ResourceLimitError(f"no witness with at most --max-k {max_k} tokens", limit="max-k",
                             details={"best_lower_bound": max_k + 1})
