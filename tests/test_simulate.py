"""Simulators: the contract's (docs/contract.md) semantics, Busy Beaver records, engines agreeing."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from strategies import machine_and_input

from theorymodel.errors import ResourceLimitError
from theorymodel.machines import library, load_machine, reference_run, run_batch, simulate
from theorymodel.machines.simulate import available_engines

BB = [
    ("1RB1LB_1LA1RZ", 6, 4),
    ("1RB1RZ_1LB0RC_1LC1LA", 21, 5),
    ("1RB1LB_1LA0LC_1RZ1LD_1RD0RA", 107, 13),
]


@pytest.mark.parametrize("spec, steps, ones", BB)
@pytest.mark.parametrize("engine", ["c", "python", "reference"])
def test_busy_beavers(spec, steps, ones, engine):
    r = simulate(load_machine(spec), engine=engine)
    assert (r.halted, r.steps, r.nonblank, r.state) == (True, steps, ones, "Z")


def test_compiled_engine_is_built():
    # The compiled loop must exist in CI; a silent fallback would hide a 50x slowdown.
    assert "c" in available_engines()


def test_bb5_runs_to_completion():
    r = simulate(library.load("bb5"))
    assert r.halted and r.steps == 47_176_870 and r.nonblank == 4098
    assert set(r.output) == {"0", "1"} and r.output.count("1") == 4098


def test_step_limit_exact():
    tm = load_machine("1RB1LB_1LA1RZ")
    assert simulate(tm, max_steps=6).halted  # halts exactly at the limit
    r = simulate(tm, max_steps=5)
    assert not r.halted and r.steps == 5
    assert simulate(tm, max_steps=0).steps == 0


def test_binary_increment_outputs():
    tm = library.load("binary_increment")
    cases = {"": ("1", 2), "0": ("1", 3), "1": ("10", 4), "1011": ("1100", 8), "111": ("1000", 8)}
    for word, (out, steps) in cases.items():
        r = simulate(tm, word)
        assert (r.output, r.steps) == (out, steps), word


def test_output_is_leftmost_to_rightmost_nonblank():
    tm = library.load("unary_addition")
    r = simulate(tm, "11+1")
    assert r.output == "111" and r.nonblank == 3 and r.tape_start == 0
    r = simulate(tm, "+")
    assert r.output == "" and r.nonblank == 0


def test_accepting_machines():
    pal = library.load("binary_palindrome")
    for word in ["", "0", "0110", "10101", "1001001"]:
        assert simulate(pal, word).accepted, word
    for word in ["01", "0010", "110"]:
        r = simulate(pal, word)
        assert r.halted and not r.accepted, word
    z = library.load("zeros_then_ones")
    assert [simulate(z, w).accepted for w in ["", "01", "0011", "0101", "001", "10"]] == [
        True, True, True, False, False, False]
    par = library.load("parity")
    assert [simulate(par, w).accepted for w in ["1", "11", "0111", ""]] == [True, False, True, False]


def test_trace_has_one_configuration_per_step():
    r = simulate(library.load("parity"), "01", trace=True)
    assert len(r.trace) == r.steps + 1 == 4
    assert r.trace[0] == {"step": 0, "state": "even", "head": 0, "tape_start": 0, "tape": "01"}
    assert r.trace[-1]["state"] == "accept"  # one 1: odd


def test_trace_is_capped():
    with pytest.raises(ResourceLimitError) as info:
        simulate(library.load("bb5"), trace=True)
    assert info.value.limit == "trace-steps"


def test_batch_time_bound_and_histogram():
    b = run_batch(library.load("binary_increment"), 4)
    assert b.inputs == 16 and b.all_halted and b.time_bound == 10
    assert sum(b.histogram.values()) == 16
    # T(n) = n + 2 + (trailing ones) for MSB-first increment: 1111 -> 10 steps
    assert b.histogram[10] == 1
    pal = run_batch(library.load("binary_palindrome"), 6)
    assert pal.time_bound == 28 and pal.histogram == {7: 32, 18: 16, 25: 8, 28: 8}


def test_batch_size_cap():
    with pytest.raises(ResourceLimitError):
        run_batch(library.load("ternary_increment"), 30)


@settings(max_examples=300, deadline=None)
@given(machine_and_input())
def test_engines_agree_on_random_machines(case):
    tm, word = case
    ref = reference_run(tm, word, max_steps=200)
    for engine in available_engines():
        assert simulate(tm, word, max_steps=200, engine=engine) == ref
