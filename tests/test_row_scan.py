"""The row invariant (proofs_check/uniform/row_scan.py): every triple that real runs show lies in
it, read either way, on random machines and on long arithmetic runs; and it is what makes
the learned arithmetic tables provable (triples no run shows are out)."""

from __future__ import annotations

import random
from itertools import product

from hypothesis import HealthCheck, assume, given, settings
from strategies import machines

from proofs_check.uniform.proof import domain
from proofs_check.uniform.row_scan import row_scan, scan_triples
from theorymodel.compile.uniform import compile_uniform
from theorymodel.learn.uniform import observed_triples
from theorymodel.machines import TuringMachine, library, reference_run


def shown(tm: TuringMachine, words: list[tuple[str, ...]], max_steps: int = 100_000) -> set[tuple[str, str, str]]:
    """Every (left, middle, right) the CoTs of ``words`` show, by spelling: each run cut
    after every step in its tightest window, and whole in a window two cells wider."""
    rule = compile_uniform(tm)
    rows = observed_triples(tm, words, dict(rule.token_id), max_steps=max_steps).rows
    return {tuple(rule.vocab[i] for i in t) for t in rows[:, :3].tolist()}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(machines(max_states=4, max_symbols=3))
def test_each_reading_holds_every_triple_runs_show(tm):
    """Random machines (stay moves, re-entered start states, written blanks, heads at either
    wall), inputs up to length 5: each reading alone holds every cell triple, and the
    left-to-right reading every triple under a ``#``."""
    words = [w for n in range(6) for w in product(tm.input_symbols, repeat=n)
             if reference_run(tm, w, max_steps=80).halted]
    assume(words)
    seen = shown(tm, words, max_steps=80)
    rule = compile_uniform(tm)
    tid = dict(rule.token_id)
    wall = tid["#"]
    for mirrored in (False, True):
        scan = row_scan(tm, tid, mirrored=mirrored)
        cells = {tuple(rule.vocab[i] for i in t) for t in scan.cell_triples(wall)}
        missing = {t for t in seen if t[1] != "#"} - cells
        assert not missing, (mirrored, sorted(missing)[:5])
        if scan.walls is not None:
            walls = {tuple(rule.vocab[i] for i in t) for t in scan.walls}
            missing = {t for t in seen if t[1] == "#"} - walls
            assert not missing, sorted(missing)[:5]
    admitted, _ = scan_triples(tm)
    assert admitted is None or seen <= admitted


def _operands(rng: random.Random, bits: int) -> str:
    return "".join(rng.choice("01") for _ in range(bits))


def test_long_arithmetic_runs_stay_in_the_domain():
    """Operands far longer than the training words (up to 12 bits, leading zeros, an empty
    operand): every triple their runs show lies in the tight domain."""
    rng = random.Random(7)
    for name, op in (("binary_addition", "+"), ("binary_multiplication", "*")):
        tm = library.load(name)
        words = [tuple(_operands(rng, rng.randint(0, 12)) + op + _operands(rng, rng.randint(0, 12)))
                 for _ in range(12)] + [tuple("0000" + op + "1111"), tuple(op + "101")]
        rule = compile_uniform(tm)
        spelled = {tuple(rule.vocab[i] for i in t) for t in domain(tm, rule)}
        missing = shown(tm, words) - spelled
        assert not missing, (name, sorted(missing)[:5])


def test_the_row_invariant_sees_order_that_windows_cannot():
    """binary_addition's head looking for ``+`` (``y0``) never has blanks on its left, and
    ``x1`` never stands on the ``+``: a 4-window admits both, the row invariant neither."""
    from proofs_check.uniform.invariant import invariant_domain

    tm = library.load("binary_addition")
    rule = compile_uniform(tm)
    tid = dict(rule.token_id)
    unreal = [("_", "_", "[y0]0"), ("0", "[x1]+", "a"), ("_", "[y0]_", "0")]
    windows = invariant_domain(tm, tid)
    assert all(tuple(tid[x] for x in t) in windows for t in unreal)
    admitted, sizes = scan_triples(tm)
    assert admitted is not None and not set(unreal) & admitted
    spelled = {tuple(rule.vocab[i] for i in t) for t in domain(tm, rule)}
    assert not set(unreal) & spelled
    assert sizes["triples"] == len(admitted)
