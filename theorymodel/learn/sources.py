"""Where CoT samples come from: a compiled machine or circuit (either route), the
parity cascade, K-parity XOR trees, or a user's ``cot.jsonl``.

A :class:`CoTSource` knows the layout of its sequences (input positions, dictionary,
answer positions), produces full sequences for inputs, and, where it has one, names the
target that a learned predictor is verified against (a machine or a circuit, whose z3
semantics proofs_check reads from the machine's table or the circuit's gates).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from theorymodel.circuits.model import Circuit, Gate
from theorymodel.errors import FormatError, ResourceLimitError, TheoryModelError, UsageError, input_space
from theorymodel.functions import named
from theorymodel.io import read_utf8
from theorymodel.program import Answer, CoTProgram, ThresholdRule, token_ids

MAX_ENUMERATED = 1 << 20


class _Projected:
    """A program's sequences restricted to some positions (evaluation only)."""

    def __init__(self, program: CoTProgram, keep: list[int]) -> None:
        self.inner, self.keep = program, keep
        self.context_length = len(keep)

    def evaluate(self, inputs: np.ndarray) -> np.ndarray:
        return self.inner.evaluate(inputs)[:, self.keep]


@dataclass(frozen=True)
class CoTSource:
    """Sequences of one layout, with the inputs they can be drawn from.

    ``sequences`` maps encoded inputs (batch, n) to full sequences (batch, C); ``rows`` is
    the fixed data set when the source is a file (then inputs are row indices).
    """

    name: str
    n_inputs: int
    vocab: tuple[str, ...]
    input_alphabet: tuple[str, ...]
    answer: Answer
    program: CoTProgram | _Projected | None = None
    target: Any = None  # proofs_check MachineTarget / CircuitTarget, or None
    rows: np.ndarray | None = None
    labels: np.ndarray | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def context_length(self) -> int:
        return self.rows.shape[1] if self.rows is not None else self._program().context_length

    @property
    def cot_tokens(self) -> int:
        return self.context_length - self.n_inputs

    @property
    def input_count(self) -> int:
        if self.rows is not None:
            return len(self.rows)
        return input_space(len(self.input_alphabet), self.n_inputs)

    def inputs(self, index: np.ndarray) -> np.ndarray:
        """Encoded inputs (token ids) for input numbers in base |alphabet|, first symbol most significant."""
        if self.rows is not None:
            return self.rows[index, : self.n_inputs]
        base = len(self.input_alphabet)
        ids = np.array([self.vocab.index(s) for s in self.input_alphabet], dtype=np.int32)
        digits = np.zeros((len(index), self.n_inputs), dtype=np.int64)
        rest = np.asarray(index, dtype=np.int64).copy()
        for p in range(self.n_inputs - 1, -1, -1):
            digits[:, p] = rest % base
            rest //= base
        return ids[digits]

    def sequences(self, index: np.ndarray) -> np.ndarray:
        if self.rows is not None:
            return self.rows[index]
        return self._program().evaluate(self.inputs(index))

    def _program(self) -> CoTProgram | _Projected:
        if self.program is None:
            raise UsageError(f"the source {self.name!r} has neither sequences nor a program")
        return self.program

    def words(self, inputs: np.ndarray) -> list[tuple[str, ...]]:
        return [tuple(self.vocab[t] for t in row) for row in inputs]

    def without_cot(self) -> CoTSource:
        """End-to-end supervision: the input, then the answer tokens only (``--no-cot``)."""
        keep = list(range(self.n_inputs)) + list(self.answer.positions)
        answer = replace(self.answer, positions=tuple(range(self.n_inputs, len(keep))))
        changes: dict[str, Any] = {"name": f"{self.name} (no CoT)", "answer": answer, "labels": None,
                                   "meta": {**self.meta, "cot": False}}
        if self.rows is not None:
            return replace(self, rows=self.rows[:, keep], **changes)
        program = self._program()
        assert isinstance(program, CoTProgram)
        return replace(self, rows=None, program=_Projected(program, keep), **changes)


def parity_cascade(n: int) -> CoTSource:
    """The binary-counting cascade (docs/paper.md, parity with O(log n) threshold tokens): token j
    is bit j (most significant first) of the number of ones, ``[sum x - sum_{m<j} 2^(k-m) z_m >= 2^(k-j)]``;
    the last is the parity."""
    from proofs_check.verdict import CircuitTarget

    if n < 1:
        raise UsageError("parity needs --n >= 1")
    if n > 64:
        raise ResourceLimitError("the parity cascade is built for n <= 64", limit="size-cap", details={"n": n})
    k = max(1, math.ceil(math.log2(n + 1)))
    rules = []
    for j in range(1, k + 1):
        terms = [(i, 1, 1) for i in range(n)] + [(n + m - 1, 1, -(2 ** (k - m))) for m in range(1, j)]
        rules.append(ThresholdRule(tuple(terms), 2 ** (k - j)))
    program = CoTProgram(name="parity", n_inputs=n, input_alphabet=("0", "1"), vocab=("0", "1"), rules=rules,
                         answer=Answer("bits", (n + k - 1,)), meta={"route": "cascade", "output": "bits"})
    return CoTSource("parity", n, program.vocab, program.input_alphabet, program.answer, program,
                     CircuitTarget(named_circuit("parity", n)), meta={"route": "cascade"})


def compiled(spec: Any, n: int | None, route: str, time_bound: int | None = None) -> CoTSource:
    """A machine or circuit (a MACHINE argument, a circuit file, or the object itself)
    compiled by either route."""
    from proofs_check.targets import check_target
    from theorymodel.compile.pipeline import compile_target, resolve_target

    obj = resolve_target(spec) if isinstance(spec, str) else spec
    result = compile_target(obj, n=n, route=route, time_bound=time_bound)
    program = result.program
    return CoTSource(program.name, program.n_inputs, program.vocab, program.input_alphabet, program.answer,
                     program, check_target(result).target, labels=program.labels, meta={"route": route})


MAX_JSONL_BYTES = 256 * 1024**2
MAX_JSONL_LINE = 1 << 20  # characters in one record


def from_jsonl(path: str | Path) -> CoTSource:
    """A ``cot.jsonl`` file (``compile --out`` writes them): every line one full sequence."""
    rows: list[list[str]] = []
    text = read_utf8(path, cap=MAX_JSONL_BYTES, what="cot.jsonl file")
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        if len(line) > MAX_JSONL_LINE:
            raise ResourceLimitError(f"{path}:{lineno}: a line of {len(line)} characters (cap {MAX_JSONL_LINE})",
                                     limit="size-cap", details={"cap": MAX_JSONL_LINE})
        try:
            rec = json.loads(line)
            tokens, word = rec["tokens"], rec["input"]
        except (json.JSONDecodeError, KeyError, TypeError, RecursionError) as exc:
            raise FormatError(f"{path}:{lineno}: not a cot.jsonl record ({type(exc).__name__})") from None
        if not isinstance(tokens, list) or not all(isinstance(t, str) for t in tokens):
            raise FormatError(f"{path}:{lineno}: 'tokens' must be a list of strings")
        if not isinstance(word, str) or len(word) > len(tokens):
            raise FormatError(f"{path}:{lineno}: 'input' must be a string no longer than the tokens")
        rows.append(tokens)
        if len(rows) > MAX_ENUMERATED:
            raise ResourceLimitError(f"{path}: more than {MAX_ENUMERATED} sequences", limit="size-cap")
    if not rows:
        raise FormatError(f"{path}: no records")
    n = len(word)
    if len({len(r) for r in rows}) != 1:
        raise FormatError(f"{path}: sequences differ in length (a learner needs one layout)")
    vocab = tuple(sorted({t for r in rows for t in r}))
    tid = token_ids(vocab)
    data = np.array([[tid[t] for t in r] for r in rows], dtype=np.int32)
    alphabet = tuple(sorted({t for r in rows for t in r[:n]}))
    C = data.shape[1]
    if n == C:
        raise FormatError(f"{path}: the sequences have no generated tokens")
    return CoTSource(Path(path).stem, n, vocab, alphabet, Answer("bits", (C - 1,)), rows=data,
                     meta={"route": "file"})


def named_circuit(name: str, n: int) -> Circuit:
    """A reference circuit for a named Boolean function or ``tt:`` table (gates read from
    the definition, never from a CoT): what learned predictors are verified against."""
    from theorymodel.complexity.targets import resolve

    function = named(name)
    if function is not None:
        return function.circuit(n)
    xs = [f"x{i}" for i in range(n)]
    gates: dict[str, Gate] = {}
    # a truth table: one AND of literals per true row, then OR
    table = resolve(name, n).table
    for i in range(n):
        gates[f"n{i}"] = Gate("NOT", (xs[i],))
    terms = []
    for r in np.nonzero(table)[0].tolist():
        lits = tuple(xs[i] if (r >> (n - 1 - i)) & 1 else f"n{i}" for i in range(n))
        gates[f"m{r}"] = Gate("AND", lits) if lits else Gate("CONST", value=1)
        terms.append(f"m{r}")
    gates["out"] = Gate("OR", tuple(terms)) if terms else Gate("CONST", value=0)
    return Circuit(inputs=xs, gates=gates, outputs=["out"], name=name)


def minimal_cot(name: str, n: int) -> CoTSource:
    """A named Boolean function's CoT: its exact length-complexity witness (the fewest
    linear threshold tokens), or the counting cascade for parity."""
    from proofs_check.verdict import CircuitTarget
    from theorymodel.complexity import length_complexity, resolve

    if name == "parity":
        return parity_cascade(n)
    program = length_complexity(resolve(name, n)).program()
    return CoTSource(name, n, program.vocab, program.input_alphabet, program.answer, program,
                     CircuitTarget(named_circuit(name, n)), meta={"route": "length witness"})


def resolve_source(spec: str, n: int | None, route: str | None = None, time_bound: int | None = None
                   ) -> CoTSource:
    """What ``learn`` and the experiments learn from: a ``cot.jsonl`` file; a named function
    or ``tt:`` table (its minimal CoT; the counting cascade for parity); or a machine or
    circuit compiled by ``route`` (default ``tableau``).

    A name that is both a function and a bundled machine (``parity``) is the function when
    no route is given, and the machine compiled by the route when one is: a route is never
    ignored."""
    if spec.endswith(".jsonl"):
        return from_jsonl(spec)
    function = named(spec) is not None or spec.startswith("tt:")
    if function and route is not None:
        from theorymodel.machines import load_machine

        try:
            load_machine(spec)
        except TheoryModelError:
            raise UsageError(f"{spec!r} is a Boolean function, learned from its minimal CoT; --route applies to "
                             "machines and circuits") from None
    elif function:
        if n is None:
            raise UsageError("--n is required for a Boolean target")
        return minimal_cot(spec, n)
    return compiled(spec, n, route or "tableau", time_bound)
