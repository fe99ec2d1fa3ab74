"""Enumeration: every input of length n rolled out (vectorised) against the reference.

Its cost is predictable from sizes alone (:func:`estimate_seconds`), which is why ``auto``
prefers it where it is cheap: it needs no lemma about halting or head reach.
"""

from __future__ import annotations

import time
from itertools import product

from proofs_check.outcome import Verdict, solver_timeout
from proofs_check.per_length.simulation import first_counterexample, shrink
from proofs_check.reference import check_alphabet
from theorymodel.compile.report import batched
from theorymodel.errors import ResourceLimitError, input_space
from theorymodel.predictor import LinearPredictor

MAX_EXHAUSTIVE = 1 << 22
#: generated positions rolled out and compared per second by :func:`exhaustive` on 2 cores
#: (measured: binary_palindrome, n = 10, 698,368 positions in 0.29 s; bench/bench_verify.py)
ROLLOUT_RATE = 2.0e6
def estimate_seconds(target, pred: LinearPredictor) -> float:
    """The estimated cost of :func:`exhaustive`: inputs x generated positions."""
    return input_space(len(target.alphabet), target.n) * max(1, pred.n_generated) / ROLLOUT_RATE



def exhaustive(target, pred: LinearPredictor, *, deadline: float | None = None) -> Verdict:
    start = time.perf_counter()
    check_alphabet(pred, target)
    total = input_space(len(target.alphabet), target.n)
    if total > MAX_EXHAUSTIVE:
        raise ResourceLimitError(f"{total} inputs are too many to enumerate (cap {MAX_EXHAUSTIVE})",
                                 limit="size-cap", details={"inputs": total, "cap": MAX_EXHAUSTIVE})
    cex = None
    for chunk in batched(product(target.alphabet, repeat=target.n), 4096):
        if deadline is not None and time.perf_counter() > deadline:
            raise solver_timeout("enumeration", time.perf_counter() - start)
        cex = first_counterexample(target, pred, chunk)
        if cex is not None:
            break
    if cex is not None:
        cex = shrink(target, pred, cex)
    return Verdict(cex is None, "exhaustive", "exhaustive", total, pred.n_generated, cex,
                   time.perf_counter() - start)




def run(target, pred: LinearPredictor, *, reach: tuple[int, int] | None = None,
        timeout: float | None = None) -> Verdict:
    """The registry's entry (:mod:`proofs_check.methods`)."""
    return exhaustive(target, pred, deadline=None if timeout is None else time.perf_counter() + timeout)
