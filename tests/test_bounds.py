"""sympy closed forms: equal to the built programs, proved against c*T*S and c*T^2."""

from __future__ import annotations

import pytest
import sympy

from proofs_check.certificates.bounds import prove_upper_bound, route_bound
from theorymodel.compile import compile_target
from theorymodel.compile.geometry import L_, R_, T_, evaluate_formula, n_, tableau_formula
from theorymodel.machines import library


@pytest.mark.parametrize("name", ["binary_increment", "binary_palindrome", "parity", "ternary_increment"])
@pytest.mark.parametrize("route", ["tableau", "circuit"])
def test_formula_matches_build_for_several_n(name, route):
    tm = library.load(name)
    proved = {}  # route_bound depends on the route, the output and the machine's sizes only, not on n
    for n in (1, 2, 4, 6):
        res = compile_target(tm, n=n, route=route)
        output = res.program.meta["output"]
        if output not in proved:
            proved[output] = route_bound(route, output, len(tm.states), len(tm.tape_symbols))
        formula, bounds = proved[output]
        assert evaluate_formula(formula, res.geometry, len(tm.states), len(tm.tape_symbols)) == \
            res.program.cot_tokens
        assert bounds["T*S"][1] and bounds["T^2"][1]


def test_bound_constants_are_the_stated_ones():
    _, b = route_bound("tableau", "tape", 3, 3)
    S = sympy.Symbol("S", integer=True, positive=True)
    assert b["T*S"][0] == 2 * T_ * S + n_ and b["T^2"][0] == 6 * T_**2 + n_
    _, b = route_bound("circuit", "accept", 4, 2)
    assert b["T*S"][0] == (4 * 2 + 4 + 2 * 2) * T_ * S + 2 * n_


def test_prover_rejects_false_bounds():
    f = tableau_formula("accept")
    S = L_ + R_ + 1
    assert prove_upper_bound(f, T_ * S + 1)  # tight: each row has at most S cells
    assert not prove_upper_bound(f, T_ * S)  # one token short at L = R = T = 1... and beyond
    assert not prove_upper_bound(f, T_**2)
    assert prove_upper_bound(f, 3 * T_**2 + 1)


def test_cli_bound(cli_json):
    code, obj, _ = cli_json("bound", "binary_palindrome", "--n", "5")
    assert code == 0 and obj["time_bound"] == 21
    for route in ("tableau", "circuit"):
        r = obj["routes"][route]
        assert r["holds"] and r["matches_build"] and r["formula_value"] == r["cot_tokens"]
        assert {"cot_tokens", "formula", "bound", "holds"} <= set(r)
    code, obj, _ = cli_json("bound", "examples/circuits/c17.bench")
    assert code == 0 and obj["routes"]["circuit"]["cot_tokens"] == 6
