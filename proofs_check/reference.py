"""The target's answer, concretely: what a predictor is checked against, a machine run for
at most T steps (:class:`MachineTarget`) or a circuit (:class:`CircuitTarget`), with its
exact answer on any input and its z3 terms on a bounded run."""

from __future__ import annotations

import numpy as np
import z3

from proofs_check.semantics.answer import StringIds
from proofs_check.semantics.machine import BoundedRun
from theorymodel.circuits import Circuit
from theorymodel.errors import UsageError
from theorymodel.machines import TuringMachine, reference_run, simulate
from theorymodel.predictor import LinearPredictor


class MachineTarget:
    """A decision or tape-output machine run for at most T steps."""

    def __init__(self, tm: TuringMachine, n: int, T: int, output: str) -> None:
        self.tm, self.n, self.T, self.output = tm, n, T, output
        self.alphabet = tm.input_symbols

    def answer(self, word: tuple[str, ...], *, reference: bool = False) -> tuple[str, ...] | None:
        """The answer as a symbol tuple, or None when the machine does not halt within T."""
        run = (reference_run if reference else simulate)(self.tm, word, max_steps=self.T)
        if not run.halted:
            return None
        return (("1" if run.accepted else "0"),) if self.output == "accept" else run.tape

    def answers(self, words: list[tuple[str, ...]]) -> list[tuple[str, ...] | None]:
        return [self.answer(w) for w in words]

    def expected_cells(self, run: BoundedRun, ids: StringIds) -> tuple[list[z3.ArithRef], int | None]:
        """The answer on the bounded run as string ids, and the blank to strip (or None)."""
        if self.output == "accept":
            return [z3.If(run.accepts(), ids("1"), ids("0"))], None
        cells = [ids.of_code(run.cell(run.T, c), self.tm.tape_symbols)
                 for c in range(-run.T, max(run.T, run.n - 1) + 1)]
        return cells, ids(self.tm.blank_symbol)

    def describe(self) -> str:
        return f"machine {self.tm.name!r}, n = {self.n}, T = {self.T}, output {self.output}"


class CircuitTarget:
    def __init__(self, circuit: Circuit) -> None:
        self.circuit, self.n = circuit, len(circuit.inputs)
        self.alphabet = ("0", "1")

    def answer(self, word: tuple[str, ...], *, reference: bool = False) -> tuple[str, ...]:
        return self.answers([word])[0]

    def answers(self, words: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
        bits = np.array([[int(c) for c in w] for w in words], dtype=np.uint8).reshape(len(words), self.n)
        return [tuple(str(int(b)) for b in row) for row in self.circuit.evaluate(bits)]

    def describe(self) -> str:
        return f"circuit {self.circuit.name!r}, {self.n} inputs"


def check_alphabet(pred: LinearPredictor, target) -> None:
    if pred.n_inputs != target.n:
        raise UsageError(f"the predictor reads {pred.n_inputs} input tokens, not --n {target.n}")
    missing = [s for s in target.alphabet if s not in pred.vocab]
    if missing:
        raise UsageError(f"the predictor's dictionary lacks the input symbol {missing[0]!r}")
    unread = [s for s in target.alphabet if s not in pred.input_alphabet]
    if unread:  # every method refuses alike: the file declares it never reads this input
        raise UsageError(f"the input symbol {unread[0]!r} is not in the predictor's input alphabet "
                         f"{list(pred.input_alphabet)}")



#: ``auto`` enumerates when that is estimated to take at most this long (z3's cost is not
#: predictable from sizes; enumeration's is, and it needs no lemma about halting or reach)
