"""The search over k: the least k with a witness, and the certificate for k - 1.

Class-agnostic: every class answers "can k tokens do it?" (:class:`KResult`); this module
walks k upward, re-simulates the witness on all inputs, and assembles the result.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from theorymodel.circuits.model import all_assignments
from theorymodel.complexity.classes import HypothesisClass, get_class
from theorymodel.complexity.classes.base import KResult
from theorymodel.complexity.classes.linear import ThresholdToken
from theorymodel.complexity.targets import Target
from theorymodel.errors import ResourceLimitError, UsageError
from theorymodel.program import Answer, CoTProgram, ThresholdRule


@dataclass
class LengthResult:
    target: Target
    cls: str
    length_complexity: int | None
    witness: list[Any]
    lower_bound: dict[str, Any]
    seconds: float
    upper_bounds: dict[str, int]
    witness_json: list[dict[str, Any]]
    refuted: KResult | None = None  # the UNSAT answer for k - 1, with its query (certificate files)

    def __repr__(self) -> str:
        return (f"LengthResult(target={self.target.name!r}, n={self.target.n}, class={self.cls!r}, "
                f"length_complexity={self.length_complexity}, witness={len(self.witness)} tokens, "
                f"seconds={self.seconds:.3f})")

    def to_json(self) -> dict[str, Any]:
        return {
            "target": self.target.name,
            "n": self.target.n,
            "class": self.cls,
            "length_complexity": self.length_complexity,
            "witness": self.witness_json,
            "lower_bound": self.lower_bound,
            "seconds": round(self.seconds, 6),
            "upper_bounds": self.upper_bounds,
        }

    def _repr_html_(self) -> str:
        from theorymodel.display import html_table

        lb = self.lower_bound
        return html_table(f"{self.target.name}, n = {self.target.n}, class {self.cls}", {
            "length complexity": self.length_complexity, "witness": self.witness_json,
            "lower bound": f"{lb.get('k')} ({lb.get('status')}, {lb.get('solver')})",
            "upper bounds": self.upper_bounds or "-", "seconds": round(self.seconds, 3)})

    def program(self) -> CoTProgram:
        """The witness as a CoT program over binary tokens (one threshold rule per token)."""
        if self.cls != "linear":
            raise UsageError(f"only linear-class witnesses are linear predictors, not {self.cls}")
        n = self.target.n
        vocab = ("0", "1")
        rules = []
        for tok in self.witness:
            assert isinstance(tok, ThresholdToken)
            terms = [(i, 1, w) for i, w in enumerate(tok.input_weights) if w]
            terms += [(n + m, 1, w) for m, w in enumerate(tok.token_weights) if w]
            rules.append(ThresholdRule(tuple(terms), tok.threshold))
        return CoTProgram(name=self.target.name, n_inputs=n, input_alphabet=vocab, vocab=vocab, rules=rules,
                          answer=Answer("bits", (n + len(rules) - 1,)), meta={"route": "length", "output": "bits"})


def length_complexity(target: Target, *, cls: str | HypothesisClass = "linear", max_k: int = 8,
                      timeout: float | None = None) -> LengthResult:
    """Least k (answer included) with which the class computes ``target`` exactly.

    Raises :class:`ResourceLimitError` (exit 3) at the deadline or past ``max_k``, with the
    best bounds found so far in its details.
    """
    hclass = get_class(cls) if isinstance(cls, str) else cls
    start = time.perf_counter()
    deadline = start + timeout if timeout else None
    upper = hclass.upper_bounds(target)
    last_unsat = None
    for k in range(1, max_k + 1):
        result = hclass.solve_k(target, k, deadline=deadline)
        if result.status == "inexpressible":
            lower = {"k": None, "status": "inexpressible", "solver": hclass.solver_name, **result.certificate}
            return LengthResult(target, hclass.name, None, [], lower, time.perf_counter() - start, upper, [])
        if result.status == "unknown":
            raise ResourceLimitError(
                f"the solver ran out of time at k = {k}", limit="solver-timeout",
                details={"best_lower_bound": k, "best_upper_bound": min(upper.values(), default=None),
                         "seconds": round(time.perf_counter() - start, 3)})
        if result.status == "unsat":
            last_unsat = result
            continue
        witness = result.witness or []
        x = all_assignments(target.n)
        if not np.array_equal(hclass.simulate(witness, x)[:, -1], target.table):  # re-simulated
            raise AssertionError(f"a {hclass.name} witness failed re-simulation")
        if last_unsat is None:
            lower = {"k": 1, "status": "unsat", "solver": "definition: the answer is a generated token"}
        else:
            lower = {"k": k, "status": "unsat", "solver": hclass.solver_name, **last_unsat.certificate}
        return LengthResult(target, hclass.name, k, witness, lower, time.perf_counter() - start, upper,
                            hclass.witness_json(witness), last_unsat)
    raise ResourceLimitError(f"no witness with at most --max-k {max_k} tokens", limit="max-k",
                             details={"best_lower_bound": max_k + 1,
                                      "best_upper_bound": min(upper.values(), default=None)})
