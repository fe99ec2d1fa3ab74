"""The tight domain's fast construction computes exactly what the slow one did: the window
invariant (proofs_check/uniform/invariant.py: features joined instead of whole (k+2)-windows,
memoised notes, row 0 read as a graph) and the row invariant (proofs_check/uniform/row_scan.py:
pairs of states moved in bulk, round by round) against a frozen copy of the code they
replaced (tests/domain_reference.py), on random machines and on bundled ones. Equal means
equal: the same windows and rounds, the same entries, pairs of states and walls, the same
sizes in the reports, the same refusals at the caps. How fast is bench/bench_domain.py's
business; no test here times anything."""

from __future__ import annotations

import domain_reference as ref
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import machines

from proofs_check.uniform import invariant as new_invariant
from proofs_check.uniform import row_scan as new_row_scan
from theorymodel.errors import ResourceLimitError
from theorymodel.machines import TuringMachine, library
from theorymodel.program.uniform import uniform_vocab


def _tid(tm: TuringMachine) -> dict[str, int]:
    vocab, _, _ = uniform_vocab(tm.tape_symbols, tm.states)
    return {t: i for i, t in enumerate(vocab)}


def _outcome(f, *args, **kwargs):
    """What ``f`` gives, or the cap it refuses at."""
    try:
        return f(*args, **kwargs)
    except ResourceLimitError as e:
        return ("refused", e.limit)


def _windows(inv) -> object:
    return inv if isinstance(inv, tuple) else (inv.k, inv.windows, inv.rounds, inv.annotated, inv.heads)


def _scan(scan) -> object:
    return scan if isinstance(scan, tuple) else (scan.entries, scan.states, scan.mirrored, scan.walls)


def same_window_invariant(tm: TuringMachine, k: int = 4, **kwargs) -> None:
    tid = _tid(tm)
    old = _outcome(ref.invariant, tm, tid, k, **kwargs)
    new = _outcome(new_invariant.invariant, tm, tid, k, **kwargs)
    assert _windows(new) == _windows(old), (tm.name, k, kwargs)
    if not isinstance(old, tuple) and k >= 4:
        assert new_invariant.triples_of(new, tm, tid) == ref.triples_of(old, tm, tid)


def same_row_scan(tm: TuringMachine, **kwargs) -> None:
    tid = _tid(tm)
    for mirrored in (False, True):
        old = _outcome(ref.row_scan, tm, tid, mirrored=mirrored, **kwargs)
        new = _outcome(new_row_scan.row_scan, tm, tid, mirrored=mirrored, **kwargs)
        assert _scan(new) == _scan(old), (tm.name, mirrored, kwargs)


def same_domain(tm: TuringMachine) -> None:
    """What the reports show and the lemma is decided on: both invariants' triples and sizes
    (``domain_sizes``' window_invariant and row_invariant)."""
    assert new_invariant._canonical_domain.__wrapped__(tm, new_invariant.DEFAULT_K) == \
        ref.canonical_domain(tm, new_invariant.DEFAULT_K)
    assert new_row_scan.scan_triples.__wrapped__(tm) == ref.scan_triples(tm)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(machines(max_states=4, max_symbols=3))
def test_random_machines_get_the_same_domain(tm):
    """Random machines (stay moves, re-entered start states, written blanks, undefined
    moves, heads at either wall): the plain and counted window invariants, both row
    readings, and the sizes the reports give."""
    same_domain(tm)
    same_row_scan(tm)
    for k in (3, 4):
        assert new_invariant.initial_windows(tm, _tid(tm), k) == ref.initial_windows(tm, _tid(tm), k)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(machines(max_states=3, max_symbols=3), st.sampled_from([3, 5]), st.integers(0, 1))
def test_other_widths_counts_and_regions(tm, k, which):
    """Windows of 3 (joined whole: A and C miss the middle cell) and of 5, counts capped at
    1 over every symbol, and head regions (the note is a word of region letters)."""
    same_window_invariant(tm, k)
    symbol = tm.tape_symbols[which]
    if which:
        same_window_invariant(tm, 4, cap=1, max_windows=20_000)
    else:
        same_window_invariant(tm, 4, regions=ref.region_parts(tm, symbol), max_windows=20_000)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(machines(max_states=4, max_symbols=3), st.integers(1, 60), st.integers(1, 200))
def test_the_caps_refuse_alike(tm, windows, pairs):
    """Small caps: both refuse, or both give the same result."""
    same_window_invariant(tm, 4, max_windows=windows * 10)
    same_row_scan(tm, max_entries=pairs, max_states=pairs * 4)


@pytest.mark.parametrize("name", ["bb2", "bb3", "bb4", "binary_increment", "unary_addition", "chomsky_even_pairs"])
def test_bundled_machines_get_the_same_domain(name):
    same_domain(library.load(name))


@pytest.mark.parametrize("name, windows", [("binary_addition", False), ("chomsky_duplicate_string", True)])
def test_bundled_rows_and_windows_alike(name, windows):
    """Larger machines: every pair of states of both readings (binary_addition's row
    invariant is what proves its learned tables), and the plain windows (the features'
    join, ~7,700 windows)."""
    tm = library.load(name)
    same_row_scan(tm)
    if windows:
        same_window_invariant(tm)
