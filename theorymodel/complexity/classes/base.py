"""What a hypothesis class must provide to the length-complexity search.

A class is specification + encoding + solver for one question: "can k generated tokens
of this class compute the target on all 2^n inputs?". The search over k
(:mod:`theorymodel.complexity.search`) only sees :class:`HypothesisClass` and
:class:`KResult`, so a class is added without touching it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from theorymodel.complexity.targets import Target


@dataclass
class KResult:
    """The answer for one k: ``sat`` with a witness, ``unsat`` with what the proof used,
    ``unknown`` when the deadline passed, or ``inexpressible`` when no k can work."""

    k: int
    status: str
    witness: list[Any] | None = None
    certificate: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0
    query: Any = None  # what was refuted, for certificate files: a CNF, or a z3 solver (never in JSON)


class HypothesisClass(Protocol):
    name: str
    solver_name: str
    npn_invariant: bool

    def solve_k(self, target: Target, k: int, *, deadline: float | None = None) -> KResult: ...

    def simulate(self, witness: list[Any], x: np.ndarray) -> np.ndarray:
        """All tokens of ``witness`` on a batch of inputs: shape (batch, k), 0/1."""
        ...

    def witness_json(self, witness: list[Any]) -> list[dict[str, Any]]: ...

    def witness_from_json(self, data: Any, n: int) -> list[Any]:
        """The witness that :meth:`witness_json` wrote, read back strictly (``ValueError``
        for anything else: wrong types, reads of later tokens, out-of-range indices)."""
        ...

    def upper_bounds(self, target: Target) -> dict[str, int]:
        """Constructions from the paper or the literature: name -> token count."""
        ...


def remaining_seconds(deadline: float | None) -> float | None:
    return None if deadline is None else max(0.001, deadline - time.perf_counter())


def json_int(value: Any, lo: int, hi: int, what: str) -> int:
    """An integer of a stored witness in ``lo..hi`` (a bool, float or string is refused)."""
    if type(value) is not int or not lo <= value <= hi:
        raise ValueError(f"{what} must be an integer in {lo}..{hi}, not {value!r:.40}")
    return value
