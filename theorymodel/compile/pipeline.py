"""The compile orchestrator: target -> time bound and reach -> route -> CoTProgram.

Reads like the pipeline::

    target   = resolve_target(spec)               # a TuringMachine or a Circuit
    geometry = measure(tm, n, time_bound)          # T(n) and head reach, by simulation
    program  = get_route(route).build(tm, geometry, output)  # a registered route
"""

from __future__ import annotations

import dataclasses
import gc
import time
from dataclasses import dataclass, field
from typing import Any

from theorymodel.circuits.formats import is_circuit_path, load_circuit
from theorymodel.circuits.model import Circuit
from theorymodel.compile.circuit_route import compile_boolean_circuit
from theorymodel.compile.geometry import Geometry, evaluate_formula
from theorymodel.compile.routes import DEFAULT_ROUTE, get_route
from theorymodel.errors import ResourceLimitError, UsageError, input_space
from theorymodel.machines import TuringMachine, load_machine, run_batch
from theorymodel.program import CoTProgram

MAX_ENUMERATED_INPUTS = 1 << 20
MAX_COT_TOKENS = 20_000_000


def resolve_target(spec: str, fmt: str | None = None) -> TuringMachine | Circuit:
    """A MACHINE argument, or a ``.bench``/``.aag`` circuit file."""
    if is_circuit_path(spec):
        return load_circuit(spec)
    return load_machine(spec, fmt=fmt)


@dataclass
class CompileResult:
    program: CoTProgram
    target: TuringMachine | Circuit
    route: str
    geometry: Geometry | None
    formula: Any = None
    seconds: float = 0.0
    enumerated: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def machine_geometry(self) -> Geometry:
        """The time bound and reach of a machine's compile (circuits have none)."""
        if self.geometry is None:
            raise UsageError("a circuit has no time bound or head reach")
        return self.geometry


def measure(tm: TuringMachine, n: int, time_bound: int | None, max_steps: int) -> tuple[Geometry, bool]:
    """T(n) and the head's reach by running every input of length n when that is
    feasible; otherwise the user's time bound and the light cone."""
    count = input_space(len(tm.input_symbols), n)
    if count <= MAX_ENUMERATED_INPUTS:
        batch = run_batch(tm, n, max_steps=max_steps if time_bound is None else time_bound)
        if not batch.all_halted:
            if time_bound is not None:
                raise UsageError(f"some input of length {n} does not halt within --time-bound {time_bound}")
            raise ResourceLimitError(
                f"some input of length {n} did not halt within {max_steps} steps",
                limit="max-steps", details={"max_steps": max_steps},
            )
        T = max(time_bound if time_bound is not None else batch.time_bound, 1)
        L = min(-batch.leftmost_head, T)
        R = min(batch.rightmost_head, T)
        return Geometry(n, T, L, R), True
    if time_bound is None:
        raise enumeration_limit(len(tm.input_symbols), n, count)
    return Geometry.light_cone(n, max(time_bound, 1)), False


def enumeration_limit(alphabet_size: int, n: int, count: int) -> ResourceLimitError:
    """The error (exit 3, ``size-cap``) for a default time bound that would need every one
    of ``count`` inputs simulated, more than :data:`MAX_ENUMERATED_INPUTS`: decided from the
    count alone, before any input runs; ``--time-bound T`` is the way round it."""
    shown = f"{count:,}" if count < 10**15 else f"{alphabet_size}^{n}"
    return ResourceLimitError(
        f"{shown} inputs of length {n} are too many to simulate (the cap is {MAX_ENUMERATED_INPUTS:,}); "
        "give --time-bound T", limit="size-cap",
        details={"n": n, "inputs": f"{alphabet_size}^{n}", "cap": MAX_ENUMERATED_INPUTS})


def compile_target(
    target: TuringMachine | Circuit, *, n: int | None, route: str = DEFAULT_ROUTE,
    time_bound: int | None = None, output: str | None = None, max_steps: int = 1_000_000,
    width: int | None = None,
) -> CompileResult:
    """Compile a machine (inputs of length ``n``) or a circuit into a ``CoTProgram``.

    ``width`` fixes the row width of a fixed-width route (``uniform``); by default the
    smallest that holds every run on inputs of length ``n``."""
    start = time.perf_counter()
    chosen = get_route(route)
    if isinstance(target, Circuit):
        if route != "circuit":
            raise UsageError("a circuit file compiles on the circuit route only (--route circuit)")
        if n is not None and n != len(target.inputs):
            raise UsageError(f"the circuit has {len(target.inputs)} inputs, not --n {n}")
        program = compile_boolean_circuit(target)
        return CompileResult(program, target, route, None, seconds=time.perf_counter() - start,
                             enumerated=len(target.inputs) <= 20)
    if n is None or n < 0:
        raise UsageError("--n must be given (>= 0) for a machine")
    if output is None:
        output = "accept" if target.final_states else "tape"
    if output not in ("accept", "tape"):
        raise UsageError("--output is accept or tape")
    geometry, enumerated = measure(target, n, time_bound, max_steps)
    if width is not None:
        if not chosen.window_holds_input:
            raise UsageError(f"--width is for fixed-width routes; the {route} route sizes its rows itself")
        if width < geometry.natural_columns:
            raise UsageError(f"--width {width} is narrower than the {geometry.natural_columns} cells that inputs "
                             f"of length {n} need (head reach {geometry.L} left, {geometry.R} right)")
        geometry = dataclasses.replace(geometry, columns=width)
    formula = chosen.formula(output)
    expected = evaluate_formula(formula, geometry, len(target.states), len(target.tape_symbols))
    if expected > MAX_COT_TOKENS:
        raise ResourceLimitError(
            f"the {route} route would generate {expected} tokens (cap {MAX_COT_TOKENS})",
            limit="size-cap", details={"cot_tokens": expected, "cap": MAX_COT_TOKENS},
        )
    gc.disable()  # millions of small immutable objects: cyclic GC passes would go quadratic
    try:
        program = chosen.build(target, geometry, output)
    finally:
        gc.enable()
    if program.cot_tokens != expected:  # the formula is part of the contract: never drift
        raise AssertionError(f"{route} built {program.cot_tokens} tokens, formula says {expected}")
    return CompileResult(program, target, route, geometry, formula,
                         seconds=time.perf_counter() - start, enumerated=enumerated)
