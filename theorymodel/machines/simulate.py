"""Simulators for :class:`TuringMachine`: a plain reference and a fast engine.

The reference (:func:`reference_run`) is a direct transcription of the contract's (docs/contract.md)
semantics over a dict tape; it is the ground truth that every counterexample is
replayed on. The fast engine (:func:`simulate`) runs the integer-coded table
(:meth:`TuringMachine.coded`) in a compiled loop (``_fastsim``, built at install
time), falling back to an integer-coded Python loop where no compiler was available.
Tests check all engines against each other on random machines.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import product
from types import ModuleType
from typing import Any

from theorymodel.errors import ResourceLimitError, UsageError
from theorymodel.machines.model import MOVE_DELTA, TuringMachine

_fastsim: ModuleType | None
try:  # the compiled loop is optional: a missing compiler must not break installs
    import theorymodel.machines._fastsim as _fastsim
except ImportError:  # pragma: no cover - exercised only where the build failed
    _fastsim = None

DEFAULT_MAX_STEPS = 100_000_000
MAX_TRACE_STEPS = 100_000
MAX_TRACE_CELLS = 20_000_000  # steps x tape width: what a trace prints
_CHUNK = 1 << 23  # steps per compiled call, so long runs can report progress


@dataclass(frozen=True)
class RunResult:
    """The outcome of one run (keys as in docs/contract.md, ``theorymodel run``)."""

    machine: str
    input: str
    halted: bool
    steps: int
    state: str
    accepted: bool
    output: str
    nonblank: int
    head: int
    tape: tuple[str, ...] = ()
    tape_start: int = 0
    leftmost_head: int = 0
    rightmost_head: int = 0
    trace: list[dict[str, Any]] | None = field(default=None, compare=False)

    def to_json(self) -> dict[str, Any]:
        out = {
            "machine": self.machine,
            "input": self.input,
            "halted": self.halted,
            "steps": self.steps,
            "state": self.state,
            "accepted": self.accepted,
            "output": self.output,
            "nonblank": self.nonblank,
            "head": self.head,
        }
        if self.trace is not None:
            out["trace"] = self.trace
        return out


def _result(
    tm: TuringMachine, word: Sequence[str], cells: dict[int, str], halted: bool,
    steps: int, state: str, head: int, trace: list | None, reach: tuple[int, int],
) -> RunResult:
    """Assemble a result from a sparse tape (absolute cell -> non-blank symbol)."""
    blank = tm.blank_symbol
    used = [i for i, s in cells.items() if s != blank]
    if used:
        lo, hi = min(used), max(used)
        tape = tuple(cells.get(i, blank) for i in range(lo, hi + 1))
    else:
        lo, tape = 0, ()
    return RunResult(
        machine=tm.name,
        input="".join(word),
        halted=halted,
        steps=steps,
        state=state,
        accepted=halted and state in tm.final_states,
        output="".join(tape),
        nonblank=len(used),
        head=head,
        tape=tape,
        tape_start=lo,
        leftmost_head=reach[0],
        rightmost_head=reach[1],
        trace=trace,
    )


def _config(tm: TuringMachine, step: int, state: str, head: int, cells: dict[int, str]) -> dict:
    blank = tm.blank_symbol
    used = [i for i, s in cells.items() if s != blank] + [head]
    lo, hi = min(used), max(used)
    return {
        "step": step,
        "state": state,
        "head": head,
        "tape_start": lo,
        "tape": "".join(cells.get(i, blank) for i in range(lo, hi + 1)),
    }


def reference_run(
    tm: TuringMachine, word: str | Sequence[str] | None = None, *,
    max_steps: int = DEFAULT_MAX_STEPS, trace: bool = False,
) -> RunResult:
    """Run ``tm`` step by step exactly as docs/contract.md words it (slow, obviously right)."""
    symbols = tm.parse_input(word)
    cells = dict(enumerate(symbols))
    state, head, steps = tm.initial_state, 0, 0
    lo = hi = 0
    configs = [_config(tm, 0, state, head, cells)] if trace else None
    while True:
        t = tm.transition(state, cells.get(head, tm.blank_symbol))
        if t is None:
            return _result(tm, symbols, cells, True, steps, state, head, configs, (lo, hi))
        if steps >= max_steps:
            return _result(tm, symbols, cells, False, steps, state, head, configs, (lo, hi))
        cells[head] = t.write
        head += MOVE_DELTA[t.move]
        lo, hi = min(lo, head), max(hi, head)
        state = t.next_state
        steps += 1
        if configs is not None:
            configs.append(_config(tm, steps, state, head, cells))


def _python_core(
    nxt: bytes, write: bytes, move: bytes, nsym: int, tape_bytes: bytes,
    head: int, state: int, max_steps: int,
) -> tuple[int, int, int, int, bytes, int, int, int]:
    """Same contract as ``_fastsim.run``, in integer-coded Python (the fallback)."""
    table_next = memoryview(nxt).cast("i").tolist()
    table_write = list(write)
    table_move = memoryview(move).cast("b").tolist()
    tape = bytearray(tape_bytes) or bytearray(16)
    shift = steps = 0
    lo = hi = head
    length = len(tape)
    while steps < max_steps:
        cell = state * nsym + tape[head]
        new_state = table_next[cell]
        if new_state < 0:
            return 1, steps, state, head, bytes(tape), shift, lo, hi
        tape[head] = table_write[cell]
        head += table_move[cell]
        state = new_state
        steps += 1
        if head < lo:
            lo = head
        elif head > hi:
            hi = head
        if head < 0:
            tape[:0] = bytes(length)
            head += length
            lo += length
            hi += length
            shift += length
            length *= 2
        elif head >= length:
            tape.extend(bytes(length))
            length *= 2
    halted = int(table_next[state * nsym + tape[head]] < 0)
    return halted, steps, state, head, bytes(tape), shift, lo, hi


def available_engines() -> tuple[str, ...]:
    return ("c", "python", "reference") if _fastsim is not None else ("python", "reference")


def simulate(
    tm: TuringMachine, word: str | Sequence[str] | None = None, *,
    max_steps: int = DEFAULT_MAX_STEPS, trace: bool = False, engine: str = "auto",
    progress: Callable[[int], None] | None = None,
) -> RunResult:
    """Run ``tm`` on ``word`` for at most ``max_steps`` transitions.

    Parameters
    ----------
    engine:
        ``"auto"`` (compiled when built, else Python), ``"c"``, ``"python"`` or
        ``"reference"``.
    trace:
        Record one configuration per step (initial configuration first); capped at
        ``MAX_TRACE_STEPS`` steps, beyond which a :class:`ResourceLimitError` is raised.
    progress:
        Called with the number of steps done after each chunk of a long run.

    Returns
    -------
    RunResult
        ``halted`` is False when the step limit was reached first.
    """
    if max_steps < 0:
        raise UsageError("--max-steps must be >= 0")
    if trace:
        # a fast run first: a trace that would be cut or too large is refused before it is built
        budget = min(max_steps, MAX_TRACE_STEPS)
        probe = simulate(tm, word, max_steps=budget, engine=engine)
        if not probe.halted and max_steps > MAX_TRACE_STEPS:
            raise ResourceLimitError(
                f"a trace is limited to {MAX_TRACE_STEPS} steps; run without --trace",
                limit="trace-steps", details={"max_trace_steps": MAX_TRACE_STEPS},
            )
        width = probe.rightmost_head - probe.leftmost_head + len(tm.parse_input(word)) + 1
        if (probe.steps + 1) * width > MAX_TRACE_CELLS:
            raise ResourceLimitError(
                f"the trace would hold about {(probe.steps + 1) * width} cells (cap {MAX_TRACE_CELLS}); "
                "run without --trace", limit="trace-size", details={"cap": MAX_TRACE_CELLS})
        return reference_run(tm, word, max_steps=budget, trace=True)
    if engine == "reference":
        return reference_run(tm, word, max_steps=max_steps)
    if engine == "auto":
        engine = "c" if _fastsim is not None else "python"
    if engine == "c" and _fastsim is None:
        raise UsageError("the compiled simulator was not built on this installation")
    if engine not in ("c", "python"):
        raise UsageError(f"unknown engine {engine!r}; choose from {available_engines()}")
    core = _fastsim.run if (engine == "c" and _fastsim is not None) else _python_core

    symbols = tm.parse_input(word)
    coded = tm.coded()
    code = {s: i for i, s in enumerate(coded.symbols)}
    tape = bytes(code[s] for s in symbols) or bytes(1)
    nxt, wr, mv = coded.next_state.tobytes(), coded.write.tobytes(), coded.move.tobytes()
    nsym = len(coded.symbols)
    origin, head, state, steps, halted = 0, 0, 0, 0, False  # origin: buffer index of cell 0
    left = right = 0
    while True:
        budget = min(_CHUNK, max_steps - steps)
        halted_flag, done, state, head, tape, shift, lo, hi = core(
            nxt, wr, mv, nsym, tape, head, state, budget
        )
        origin += shift
        left, right = min(left, lo - origin), max(right, hi - origin)
        steps += done
        halted = bool(halted_flag)
        if progress is not None:
            progress(steps)
        if halted or steps >= max_steps or done < budget:
            break
    return _result_from_buffer(tm, symbols, tape, origin, halted, steps, coded.states[state],
                               head - origin, (left, right))


MAX_TAPE_TUPLE = 1 << 20  # cells kept as a tuple in a result; longer tapes keep only the output text


def _result_from_buffer(
    tm: TuringMachine, word: Sequence[str], tape: bytes, origin: int, halted: bool, steps: int,
    state: str, head: int, reach: tuple[int, int],
) -> RunResult:
    """A result straight from the simulator's byte tape (code 0 is the blank): memory
    stays linear in the tape's bytes, even for a long non-halting run (no per-cell dict)."""
    symbols = tm.coded().symbols
    stripped = tape.strip(b"\0")
    if not stripped:
        lo, used = 0, b""
    else:
        lo = len(tape) - len(tape.lstrip(b"\0"))
        used = stripped
    nonblank = len(used) - used.count(0)
    if len(used) <= MAX_TAPE_TUPLE:
        cells = tuple(symbols[c] for c in used)
        output = "".join(cells)
    else:
        cells = ()
        output = used.decode("latin-1").translate(dict(enumerate(symbols)))
    return RunResult(
        machine=tm.name, input="".join(word), halted=halted, steps=steps, state=state,
        accepted=halted and state in tm.final_states, output=output, nonblank=nonblank, head=head,
        tape=cells, tape_start=lo - origin if used else 0, leftmost_head=reach[0], rightmost_head=reach[1],
    )


def all_inputs(tm: TuringMachine, n: int) -> Iterator[tuple[str, ...]]:
    """Every input of length exactly ``n`` over ``input_symbols``, in lexicographic
    order of the declared symbol order (first symbol slowest)."""
    return product(tm.input_symbols, repeat=n)


@dataclass(frozen=True)
class BatchResult:
    """Every input of one length: the time bound T(n) and the step histogram."""

    machine: str
    n: int
    inputs: int
    all_halted: bool
    time_bound: int
    histogram: dict[int, int]
    leftmost_head: int
    rightmost_head: int
    results: list[RunResult] = field(repr=False, compare=False)

    def to_json(self) -> dict[str, Any]:
        return {
            "machine": self.machine,
            "n": self.n,
            "inputs": self.inputs,
            "all_halted": self.all_halted,
            "time_bound": self.time_bound,
            "histogram": {str(k): v for k, v in sorted(self.histogram.items())},
            "leftmost_head": self.leftmost_head,
            "rightmost_head": self.rightmost_head,
        }


MAX_BATCH_INPUTS = 1 << 22


def run_batch(
    tm: TuringMachine, n: int, *, max_steps: int = DEFAULT_MAX_STEPS,
    progress: Callable[[int, int], None] | None = None,
) -> BatchResult:
    """Run every input of length ``n``; T(n) is the largest step count.

    Raises :class:`ResourceLimitError` when there are more than ``MAX_BATCH_INPUTS``
    inputs or some input does not halt within ``max_steps``.
    """
    if n < 0:
        raise UsageError("n must be >= 0")
    import math

    k = len(tm.input_symbols)
    if k > 1 and n * math.log2(k) > math.log2(MAX_BATCH_INPUTS) + 1:
        raise ResourceLimitError(
            f"{k}^{n} inputs of length {n} is more than the batch cap {MAX_BATCH_INPUTS}",
            limit="size-cap", details={"n": n, "cap": MAX_BATCH_INPUTS},
        )
    total = k**n
    if total > MAX_BATCH_INPUTS:
        raise ResourceLimitError(
            f"{total} inputs of length {n} is more than the batch cap {MAX_BATCH_INPUTS}",
            limit="size-cap", details={"inputs": total, "cap": MAX_BATCH_INPUTS},
        )
    results = []
    for i, word in enumerate(all_inputs(tm, n)):
        result = simulate(tm, word, max_steps=max_steps)
        results.append(result)
        if progress is not None:
            progress(i + 1, total)
    histogram = Counter(r.steps for r in results)
    return BatchResult(
        machine=tm.name,
        n=n,
        inputs=total,
        all_halted=all(r.halted for r in results),
        time_bound=max(histogram) if histogram else 0,
        histogram=dict(histogram),
        leftmost_head=min((r.leftmost_head for r in results), default=0),
        rightmost_head=max((r.rightmost_head for r in results), default=0),
        results=results,
    )
