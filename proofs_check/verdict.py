"""Verdicts: is a predictor's answer the target's answer on every input of length n?

The verdict type (:class:`Verdict`, defined in :mod:`proofs_check.outcome` with the
targets of :mod:`proofs_check.reference`, re-exported here) and the dispatch,
:func:`verify`: the random-simulation pass every method starts with, then the method the
registry (:mod:`proofs_check.methods`) names, or the portfolio (``auto``, ``both``). The
methods live in :mod:`proofs_check.per_length`, one module each; they import the types,
never this module, so the dispatch can load them through the registry.

Every counterexample is replayed on the reference simulator and on the predictor
before it is returned; inputs are shrunk toward the first input symbol where cheap.
"""

from __future__ import annotations

import time
from dataclasses import asdict, replace
from typing import TYPE_CHECKING, Any

from proofs_check.methods import METHODS, method_module
from proofs_check.outcome import Counterexample, Verdict, solver_timeout, word_text
from proofs_check.reference import CircuitTarget, MachineTarget, check_alphabet
from proofs_check.semantics.z3util import version
from theorymodel.errors import UsageError, input_space
from theorymodel.predictor import LinearPredictor

if TYPE_CHECKING:
    from proofs_check.per_length.simulation import SimulationPass

__all__ = ["CircuitTarget", "Counterexample", "MachineTarget", "Verdict", "certificate", "check_alphabet", "verify",
           "word_text"]

#: enumeration estimated at most this (seconds) runs first whatever the proof's estimate: a
#: predictable cost that small is not worth a guess (bench/bench_portfolio.py)
AUTO_EXHAUSTIVE_SECONDS = 5.0


def _from_simulation(sim: SimulationPass, pred: LinearPredictor, total: int, start: float,
                     details: dict[str, Any]) -> Verdict:
    details = {**details, "simulation": {"inputs": sim.inputs, "complete": sim.complete,
                                         "seconds": round(sim.seconds, 3)}}
    if sim.complete:
        return Verdict(sim.counterexample is None, "exhaustive", "exhaustive", total, pred.n_generated,
                       sim.counterexample, time.perf_counter() - start, details)
    return Verdict(False, "simulation", "sampled", total, pred.n_generated, sim.counterexample,
                   time.perf_counter() - start, details)


def _proof(target, pred: LinearPredictor, method: str, reach, timeout: float | None) -> Verdict:
    """One proving method (not enumeration): for a circuit, the chain of
    :mod:`proofs_check.per_length.circuit_proof` (gate lemmas, SAT sweeping, one z3 query)
    or the one step ``method`` names; for a machine, the registry's module (z3)."""
    if isinstance(target, CircuitTarget):
        from proofs_check.per_length.circuit_proof import prove_circuit

        return prove_circuit(target, pred, method=method, timeout=timeout)
    return method_module("z3" if method == "auto" else method).run(target, pred, reach=reach, timeout=timeout)


def verify(target, pred: LinearPredictor, *, method: str = "auto", reach: tuple[int, int] | None = None,
           timeout: float | None = None, simulation: bool = True) -> Verdict:
    """Check ``pred`` against ``target`` on every input of length n (see module doc and
    :mod:`proofs_check.methods`).

    Every method starts with
    :func:`~proofs_check.per_length.simulation.simulation_pass`; a wrong answer found there is the
    verdict (``method: "simulation"``, replayed). Then:

    - ``auto`` enumerates when the enumeration's estimate is at most
      :data:`AUTO_EXHAUSTIVE_SECONDS`, else proves (z3 lemmas, SAT sweeping for circuits);
    - ``both`` runs two independent methods that must agree: a proof and enumeration when
      the inputs can be enumerated; otherwise, for a circuit, z3 and SAT sweeping; for a
      machine, z3 and the simulation pass (``details["methods"]`` says which).

    ``verdict.method`` names the method that decided. ``simulation=False`` skips the pass
    (a test of what a method refutes on its own)."""
    from proofs_check.per_length.exhaustive import MAX_EXHAUSTIVE
    from proofs_check.per_length.simulation import SIMULATION_SAMPLES, simulation_pass
    from theorymodel.progress import stage

    if method not in METHODS:
        raise UsageError(f"unknown method {method!r}; methods are {', '.join(METHODS)}")
    start = time.perf_counter()
    check_alphabet(pred, target)
    if method == "sat" and not isinstance(target, CircuitTarget):
        raise UsageError("--method sat checks a predictor against a circuit file; machines are proved with z3")
    total = input_space(len(target.alphabet), target.n)
    deadline = start + timeout if timeout else None
    stage(f"random simulation of {min(total, SIMULATION_SAMPLES):,} inputs")
    sim = simulation_pass(target, pred, samples=SIMULATION_SAMPLES if simulation else 0)
    if sim.counterexample is not None or (sim.complete and method in ("auto", "exhaustive")):
        return _from_simulation(sim, pred, total, start, {})
    left = None if deadline is None else max(0.001, deadline - time.perf_counter())
    enumerable = total <= MAX_EXHAUSTIVE
    enumeration = method_module("exhaustive")
    if method == "exhaustive":
        stage(f"enumeration of {total:,} inputs")
        return enumeration.run(target, pred, timeout=_time_left(deadline, start))
    if method == "auto":
        return _portfolio(target, pred, reach, deadline, start, enumerable)
    if enumerable:
        stage("proof", hint=f"try --method exhaustive ({total:,} inputs, estimated "
                            f"{enumeration.estimate_seconds(target, pred):.0f} s) or a larger --timeout")
    if method != "both":
        return _proof(target, pred, method, reach, left)
    stage("both: the proof")
    if isinstance(target, CircuitTarget) and not enumerable:
        from proofs_check.per_length.sweep import supports

        if not supports(pred, target.circuit):
            first = _proof(target, pred, "z3", reach, left)
            left = None if deadline is None else max(0.001, deadline - time.perf_counter())
            stage("both: SAT sweeping")
            second = _proof(target, pred, "sat", reach, left)
            return _agree(first, second, start)
    proof = _proof(target, pred, "auto", reach, left)
    if not enumerable:
        sim_verdict = replace(_from_simulation(sim, pred, total, start, {}), verified=True, method="simulation")
        return _agree(proof, sim_verdict, start)
    stage(f"both: enumeration of {total:,} inputs")
    return _agree(proof, enumeration.run(target, pred, timeout=_time_left(deadline, start)), start)


def proof_estimate(target, pred: LinearPredictor) -> tuple[str, float]:
    """The proof ``auto`` would run and its estimated seconds, from sizes alone: for a
    circuit, the first step of :func:`~proofs_check.per_length.circuit_proof.prove_circuit`
    that applies (gate lemmas, SAT sweeping, one z3 query); for a machine, z3."""
    if isinstance(target, CircuitTarget):
        from proofs_check.per_length.circuit_local import has_gate_labels
        from proofs_check.per_length.sweep import supports

        if not has_gate_labels(pred) and not supports(pred, target.circuit):
            return "sat", method_module("sat").estimate_seconds(target, pred)
    return "z3", method_module("z3").estimate_seconds(target, pred)


def _portfolio(target, pred: LinearPredictor, reach, deadline: float | None, start: float,
               enumerable: bool) -> Verdict:
    """``auto``: every applicable method's cost estimated from sizes, the cheapest run first.

    Enumeration's estimate is reliable (inputs x CoT tokens); a proof's is a guess (z3 and
    SAT cost what their hardest query costs). So a proof that is estimated cheaper gets at
    most the enumeration's estimate (:data:`AUTO_EXHAUSTIVE_SECONDS` at least), then gives
    way to enumeration under the same deadline: ``auto`` never takes much more than twice
    the better of the two. The verdict's ``details["portfolio"]`` holds the estimates, the
    order and what decided."""
    from theorymodel.errors import ResourceLimitError
    from theorymodel.progress import stage

    enumeration = method_module("exhaustive")
    total = input_space(len(target.alphabet), target.n)
    proof_name, proof_seconds = proof_estimate(target, pred)
    estimates = {proof_name: round(proof_seconds, 3)}
    if enumerable:
        estimates["exhaustive"] = round(enumeration.estimate_seconds(target, pred), 3)
    portfolio: dict[str, Any] = {"estimates": estimates}

    def decided(verdict: Verdict, order: list[str]) -> Verdict:
        return replace(verdict, seconds=time.perf_counter() - start,
                       details={**verdict.details, "portfolio": {**portfolio, "order": order}})

    def enumerate_all(order: list[str]) -> Verdict:
        stage(f"enumeration of {total:,} inputs")
        return decided(enumeration.run(target, pred, timeout=_time_left(deadline, start)), order)

    if enumerable and (estimates["exhaustive"] <= max(AUTO_EXHAUSTIVE_SECONDS, proof_seconds)):
        return enumerate_all(["exhaustive"])
    left = None if deadline is None else max(0.001, deadline - time.perf_counter())
    if not enumerable:
        return decided(_proof(target, pred, "auto", reach, left), [proof_name])
    if left is not None and estimates["exhaustive"] <= left < 2 * estimates["exhaustive"]:
        return enumerate_all(["exhaustive"])  # time for enumeration, not for a proof's try first
    budget = estimates["exhaustive"] if left is None else min(left, estimates["exhaustive"])
    portfolio["proof_budget_seconds"] = round(budget, 3)
    stage("proof", hint=f"{proof_name} for at most {budget:.0f} s, then enumeration of {total:,} inputs")
    try:
        return decided(_proof(target, pred, "auto", reach, budget), [proof_name])
    except ResourceLimitError as exc:
        if exc.limit != "solver-timeout" or (deadline is not None and time.perf_counter() >= deadline):
            raise
    return enumerate_all([proof_name, "exhaustive"])


def _time_left(deadline: float | None, start: float) -> float | None:
    """Seconds to the deadline; a deadline already spent ends the check here."""
    if deadline is None:
        return None
    left = deadline - time.perf_counter()
    if left <= 0:
        raise solver_timeout("enumeration", time.perf_counter() - start)
    return left


def _agree(first: Verdict, second: Verdict, start: float) -> Verdict:
    """``both``: two independent methods; a refutation by either is replayed, so it stands
    whatever the other says; two proofs agree."""
    if first.verified != second.verified:  # pragma: no cover - would be a bug in one of them
        raise AssertionError(f"{first.method} and {second.method} disagree")
    names: dict[str, bool] = {first.method: first.verified, second.method: second.verified}
    if second.method == "simulation":
        names = {first.method: first.verified, f"simulation of {second.details['simulation']['inputs']:,} "
                                               "random inputs": second.verified}
    return replace(first, method="both", seconds=time.perf_counter() - start,
                   details={**first.details, f"{second.method}_seconds": round(second.seconds, 3),
                            "methods": names})


def certificate(verdict: Verdict, target, pred: LinearPredictor, assumptions: list[str]) -> dict[str, Any]:
    """A JSON certificate: the claim, its assumptions, the solver, sizes and times, and
    for a counterexample its replay."""
    return {
        "claim": f"for every input of length {target.n}, the predictor's answer equals the "
                 f"{target.describe()} answer" + (" and the machine halts within T"
                                                   if isinstance(target, MachineTarget) else ""),
        "verdict": verdict.to_json(),
        "assumptions": assumptions,
        "solver": f"z3 {version()}",
        "details": verdict.details,
        "counterexample_replay": None if verdict.counterexample is None else asdict(verdict.counterexample),
        "predictor": {"cot_tokens": pred.n_generated, "vocab_size": pred.V, "weights_nnz": pred.nnz,
                      "exact": pred.is_exact},
    }


