"""The proof chain for a predictor checked against a circuit file (docs/circuits.md): gate
lemmas for a labelled predictor, then SAT sweeping, then one global z3 query."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

from proofs_check.outcome import Verdict, solver_timeout
from proofs_check.per_length.simulation import replay, shrink
from proofs_check.per_length.z3_query import z3_circuit
from proofs_check.reference import CircuitTarget, check_alphabet
from proofs_check.semantics.z3util import version
from theorymodel.errors import ResourceLimitError, UsageError
from theorymodel.predictor import LinearPredictor


def prove_circuit(target: CircuitTarget, pred: LinearPredictor, *, method: str = "auto",
                  timeout: float | None = None) -> Verdict:
    """Decide "answer = circuit outputs, no tie, on every input" (docs/circuits.md).

    A predictor with gate labels first gets local gate lemmas (:mod:`proofs_check.per_length.circuit_local`),
    a proof in time linear in the gates. Otherwise, or when a lemma fails: SAT sweeping
    (:mod:`proofs_check.per_length.sweep`, method ``auto`` or ``sat``) or one global z3 query (method
    ``z3``, or a predictor sweeping cannot read). Every counterexample is replayed."""
    from proofs_check.per_length.circuit_local import gate_lemmas, has_gate_labels
    from proofs_check.per_length.sweep import supports, sweep

    start = time.perf_counter()
    check_alphabet(pred, target)
    deadline = start + timeout if timeout else None
    total = 2 ** target.n
    details: dict[str, Any] = {"lemmas": []}
    if method in ("auto", "z3") and has_gate_labels(pred):
        local = gate_lemmas(target.circuit, pred, deadline)
        details.update(solver=f"z3 {version()}", local=local.to_json())
        if local.proved:
            details["lemmas"].append({"lemma": f"{local.distinct_lemmas} gate lemmas cover {local.positions} "
                                               "positions; answer positions = output gates",
                                      "result": "unsat", "seconds": round(local.seconds, 3)})
            return Verdict(True, "z3", "smt-proof", total, pred.n_generated, None,
                           time.perf_counter() - start, details)
        if local.unknown and deadline is not None and time.perf_counter() > deadline:
            raise solver_timeout("gate lemmas", time.perf_counter() - start)
    why = supports(pred, target.circuit)
    if method == "sat" and why:
        raise UsageError(f"--method sat cannot read this predictor: {why}")
    if method in ("auto", "sat") and not why:
        swept = sweep(target.circuit, pred, deadline=deadline)
        details.update(sweep=swept.to_json(), solver=swept.to_json()["solver"])
        if swept.verified is not None:
            if swept.verified:
                return Verdict(True, "sat", "smt-proof", total, pred.n_generated, None,
                               time.perf_counter() - start, details)
            assert swept.word is not None
            cex = replay(target, pred, swept.word)
            if cex is None:  # pragma: no cover - the encoding and the roll-out disagree: a bug
                raise AssertionError(f"SAT sweeping found {swept.word!r}, which the replay does not confirm")
            return Verdict(False, "sat", "sampled" if swept.reason == "random simulation" else "smt-proof",
                           total, pred.n_generated, shrink(target, pred, cex), time.perf_counter() - start, details)
        if method == "sat":
            raise ResourceLimitError(f"SAT sweeping stopped at a size cap: {swept.reason}", limit="size-cap")
    proof = z3_circuit(target, pred, timeout=timeout, deadline=deadline)
    return replace(proof, seconds=time.perf_counter() - start, details={**details, **proof.details,
                                                                        "lemmas": proof.details["lemmas"]})


