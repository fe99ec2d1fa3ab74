"""What a predictor is checked against: one builder for machines and circuits.

A :class:`CheckTarget` bundles the reference semantics (a machine run for at most T
steps, or a circuit), the head reach the local lemmas may assume (proved, not
trusted) and the assumptions a certificate states. Every command builds it here, so
the machine-or-circuit switch is written once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from proofs_check.verdict import CircuitTarget, MachineTarget
from theorymodel.circuits import Circuit
from theorymodel.compile.pipeline import CompileResult, measure
from theorymodel.errors import UsageError
from theorymodel.machines import TuringMachine
from theorymodel.predictor import LinearPredictor


class VerificationTarget(Protocol):
    """The reference side of a verdict: an answer per input word (None: no answer
    within the time bound), the input alphabet and length, and a description."""

    n: int
    alphabet: tuple[str, ...]

    def answer(self, word: tuple[str, ...], *, reference: bool = False) -> tuple[str, ...] | None: ...

    def describe(self) -> str: ...


@dataclass(frozen=True)
class CheckTarget:
    target: MachineTarget | CircuitTarget
    reach: tuple[int, int] | None = None
    assumptions: tuple[str, ...] = field(default_factory=tuple)


def check_target(result: CompileResult) -> CheckTarget:
    """The target of a freshly compiled program: its machine at the measured T and
    reach, or its circuit."""
    if isinstance(result.target, Circuit):
        return CheckTarget(CircuitTarget(result.target), None, ("inputs are bits",))
    g = result.geometry
    assert g is not None  # a machine always has a geometry
    T_note = " (from simulating every input)" if result.enumerated else " (given)"
    return CheckTarget(MachineTarget(result.target, g.n, g.T, result.program.meta["output"]), (g.L, g.R),
                       (f"time bound T = {g.T}{T_note}", f"head reach L = {g.L}, R = {g.R} (proved, not assumed)"))


def check_target_for_file(obj: TuringMachine | Circuit, predictor: LinearPredictor, n: int,
                      time_bound: int | None = None) -> CheckTarget:
    """The target a predictor file is checked against: T from the flag, else the
    file's, else measured by simulation; the output kind from the file."""
    if predictor.n_inputs != n:
        raise UsageError(f"the predictor reads {predictor.n_inputs} input tokens, not --n {n}")
    if isinstance(obj, Circuit):
        return CheckTarget(CircuitTarget(obj))
    T = time_bound or predictor.meta.get("time_bound")
    reach = predictor.meta.get("reach")
    if T is None:
        T = measure(obj, n, None, 1_000_000)[0].T
    output = predictor.meta.get("output") or ("accept" if predictor.answer.kind == "accept" else "tape")
    if output not in ("accept", "tape"):
        raise UsageError(f"the predictor's output kind {output!r} is not accept or tape")
    return CheckTarget(MachineTarget(obj, n, int(T), str(output)),
                       (int(reach[0]), int(reach[1])) if reach else None)
