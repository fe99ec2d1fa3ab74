"""Exact match of a uniform table on the arithmetic machines' operands (docs/uniform.md,
"Arithmetic of any length").

For ``binary_addition`` and ``binary_multiplication`` an input is a pair of b-bit operands
(top bit set) written ``x+y`` or ``x*y``. A table's answer is read from the last row of its
roll-out, as a user reads it: the machine must be in its final state and the tape, blanks
stripped, must spell ``x+y`` (``x*y``) in binary. Ties anywhere on the way count as wrong.
The expected answer comes from Python's integers, not from the machine, so a machine bug
shows up here too.

The roll-out keeps one row at a time (:func:`theorymodel.program.uniform.final_rows`), and
each group of inputs that share a tight window is rolled out together, so 100 pairs of
64-bit operands cost seconds, not the minutes a token-by-token loop takes
(bench/bench_rows.py).
"""

from __future__ import annotations

import operator
import random
import time
from collections.abc import Callable
from typing import Any

from theorymodel.errors import ResourceLimitError
from theorymodel.machines import TuringMachine, reference_run
from theorymodel.program.uniform import UniformLayout, UniformRule, decode_row, final_rows

#: the arithmetic machines of the library: name -> (sign between the operands, the operation)
OPERATIONS: dict[str, tuple[str, Callable[[int, int], int]]] = {
    "binary_addition": ("+", operator.add),
    "binary_multiplication": ("*", operator.mul),
}
EVAL_PAIRS = 100  # operand pairs per size
MAX_BITS = 256  # operand bits of --eval-bits
MAX_CELL_STEPS = 1 << 32  # cells x rows of one machine's answer roll-outs, checked before any is run


def operand_pairs(bits: int, count: int = EVAL_PAIRS, seed: int = 0) -> list[tuple[int, int]]:
    """``count`` random pairs of ``bits``-bit operands, each with its top bit set; all of
    them where there are no more than ``count``."""
    top = 1 << (bits - 1)
    if top * top <= count:
        return [(a, b) for a in range(top, 2 * top) for b in range(top, 2 * top)]
    rng = random.Random(f"{seed}:{bits}")
    return [(rng.getrandbits(bits) | top, rng.getrandbits(bits) | top) for _ in range(count)]


def operand_word(tm: TuringMachine, a: int, b: int) -> tuple[str, ...]:
    sign, _ = OPERATIONS[tm.name]
    return tuple(format(a, "b") + sign + format(b, "b"))


def answer_groups(tm: TuringMachine, pairs: list[tuple[int, int]]
                  ) -> dict[UniformLayout, tuple[list[tuple[int, int]], list[int]]]:
    """The pairs grouped by the tight window of their run (its reach), each with its run's
    step count: its answer is read from that row, as the machine halts there."""
    groups: dict[UniformLayout, tuple[list[tuple[int, int]], list[int]]] = {}
    for a, b in pairs:
        word = operand_word(tm, a, b)
        run = reference_run(tm, word)
        layout = UniformLayout.holding(len(word), run.leftmost_head, run.rightmost_head)
        members, steps = groups.setdefault(layout, ([], []))
        members.append((a, b))
        steps.append(run.steps)
    return groups


def estimate_answer_cost(tm: TuringMachine, bits: int, count: int = EVAL_PAIRS) -> int:
    """Cells times rows of ``count`` roll-outs, estimated from one pair of ``bits``-bit
    operands with every bit set (about the longest run of a size, on both machines; one
    run of the C simulator), before the pairs are drawn and run (exit 3 past
    :data:`MAX_CELL_STEPS`). :func:`answer_match` checks the exact cost again."""
    top = (1 << bits) - 1
    run = reference_run(tm, operand_word(tm, top, top))
    cost = count * run.steps * (run.rightmost_head - min(run.leftmost_head, 0) + 2)
    return _check(tm, cost)


def _check(tm: TuringMachine, cost: int) -> int:
    if cost > MAX_CELL_STEPS:
        raise ResourceLimitError(f"{tm.name}: the answer roll-outs take {cost:,} cell steps, more than the cap of "
                                 f"{MAX_CELL_STEPS:,}", limit="size-cap",
                                 details={"value": cost, "cap": MAX_CELL_STEPS})
    return cost


def check_answer_cost(tm: TuringMachine, groups: dict[UniformLayout, tuple[list[tuple[int, int]], list[int]]]) -> int:
    """Cells times rows of the roll-outs (exit 3 past :data:`MAX_CELL_STEPS`)."""
    return _check(tm, sum(len(members) * max(steps) * (layout.width + 1)
                          for layout, (members, steps) in groups.items()))


def answer_is_right(tm: TuringMachine, rule: UniformRule, row: Any, want: int) -> bool:
    """The decoded row is a whole configuration (its closing ``#`` included) in the
    machine's final state with ``want`` in binary on the tape."""
    if int(row[-1]) != rule.separator:
        return False
    state, _, cells = decode_row(rule, row)
    text = "".join(cells).strip(tm.blank_symbol)
    return state in tm.final_states and text == format(want, "b")


def answer_match(tm: TuringMachine, rule: UniformRule, bits: int, *, count: int = EVAL_PAIRS,
                 seed: int = 0) -> dict[str, Any]:
    """Fraction of ``count`` random ``bits``-bit operand pairs whose roll-out under ``rule``
    ends with the right answer (module doc), with the work it took."""
    _, op = OPERATIONS[tm.name]
    pairs = operand_pairs(bits, count, seed)
    groups = answer_groups(tm, pairs)
    cost = check_answer_cost(tm, groups)
    start = time.perf_counter()
    right = 0
    for layout, (members, steps) in groups.items():
        last, tied = final_rows(rule, layout, [operand_word(tm, a, b) for a, b in members], steps)
        right += sum(not tie and answer_is_right(tm, rule, row, op(a, b))
                     for row, tie, (a, b) in zip(last, tied.tolist(), members, strict=True))
    seconds = time.perf_counter() - start
    return {"bits": bits, "pairs": len(pairs), "exact_match": right / len(pairs), "tokens": cost,
            "steps": max(max(s) for _, s in groups.values()), "seconds": round(seconds, 3),
            "tokens_per_second": round(cost / seconds) if seconds else None}
