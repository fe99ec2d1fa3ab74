"""Arithmetic of any length (issue 22): binary_addition and binary_multiplication, proved
for every input length, checked against x+y and x*y by an independent simulator and by the
row-by-row roll-out of the proved table at 8 to 64-bit operands."""

from __future__ import annotations

import random
from itertools import product

import pytest

from proofs_check.uniform import lemma_exhaustive, search_counterexample
from theorymodel.compile.uniform import compile_uniform
from theorymodel.machines import library
from theorymodel.program.uniform import UniformLayout, decode_row, rollout

CASES = [("binary_addition", "+", lambda a, b: a + b), ("binary_multiplication", "*", lambda a, b: a * b)]


def run(tm, word: str, limit: int = 1_000_000) -> tuple[str, str, int, int, int]:
    """An independent simulator: (state, tape without blanks at the ends, steps, leftmost, rightmost head)."""
    tape = dict(enumerate(word))
    state, head, lo, hi = tm.initial_state, 0, 0, 0
    for steps in range(limit):
        step = tm.transition(state, tape.get(head, tm.blank_symbol))
        if step is None:
            cells = "".join(tape.get(i, tm.blank_symbol) for i in range(min(tape, default=0), max(tape, default=0) + 1))
            return state, cells.strip(tm.blank_symbol), steps, lo, hi
        tape[head] = step.write
        state, head = step.next_state, head + {"L": -1, "R": 1, "N": 0}[step.move]
        lo, hi = min(lo, head), max(hi, head)
    raise AssertionError(f"{word!r} does not halt")


@pytest.mark.parametrize(("name", "sign", "op"), CASES)
def test_the_machine_computes_its_operation(name, sign, op):
    tm = library.load(name)
    rng = random.Random(0)
    for _ in range(300):
        a, b = rng.getrandbits(rng.randint(0, 12)), rng.getrandbits(rng.randint(0, 12))
        x = ("0" * rng.randint(0, 2) + format(a, "b")) if a or rng.random() < 0.5 else ""
        y = ("0" * rng.randint(0, 2) + format(b, "b")) if b or rng.random() < 0.5 else ""
        state, out, *_ = run(tm, x + sign + y)
        assert state == "done" and out == format(op(a, b), "b"), (x, y)
    for n in range(6):  # every word halts, malformed ones included (they halt in reject)
        for word in product(tm.input_symbols, repeat=n):
            state, *_ = run(tm, "".join(word))
            assert state in ("done", "reject")


@pytest.mark.parametrize(("name", "sign", "op"), CASES)
def test_the_compiled_table_is_proved_and_runs_at_64_bits(name, sign, op):
    tm = library.load(name)
    rule = compile_uniform(tm)
    verdict = lemma_exhaustive(tm, rule)
    assert verdict.verified and verdict.triples > 1000
    rng = random.Random(1)
    for bits in (8, 16, 64):
        a, b = rng.getrandbits(bits) | 1 << (bits - 1), rng.getrandbits(bits) | 1 << (bits - 1)
        word = format(a, "b") + sign + format(b, "b")
        _, out, steps, lo, hi = run(tm, word)
        layout = UniformLayout.holding(len(word), lo, hi)
        last = rollout(rule, layout, [tuple(word)], steps).rows[0, -1]
        state, _, cells = decode_row(rule, last)
        assert state == "done" and "".join(cells).strip(tm.blank_symbol) == format(op(a, b), "b") == out


def test_a_broken_addition_table_is_caught():
    tm = library.load("binary_addition")
    rule = compile_uniform(tm)
    tid = rule.token_id
    broken = rule.with_entry("middle", tid["[x1]b"], tid["[x1]1"], 5)  # adding 1 onto a 1 no longer carries
    assert not lemma_exhaustive(tm, broken).verified
    cex = search_counterexample(tm, broken, max_n=4)
    assert cex is not None
