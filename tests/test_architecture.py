"""The architecture's promises, tested: no import cycles; a new route is its own module
plus one registry line (a toy route defined here compiles, verifies and bounds); the
README's Python blocks run."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from import_cycles import cycles

from proofs_check.certificates.bounds import route_bound
from proofs_check.targets import check_target
from proofs_check.verdict import verify
from theorymodel.compile import compile_target
from theorymodel.compile.geometry import Geometry, tableau_formula
from theorymodel.compile.route import Route
from theorymodel.compile.routes import ROUTES
from theorymodel.compile.tableau import compile_tableau
from theorymodel.errors import UsageError
from theorymodel.machines import TuringMachine, library
from theorymodel.predictor import LinearPredictor
from theorymodel.program import labels as lb

ROOT = Path(__file__).resolve().parent.parent


def test_no_import_cycles():
    assert cycles() == []


def compile_mirror(tm: TuringMachine, geometry: Geometry, output: str):
    """A toy route: the tableau, built for the machine with its states renamed back and
    forth (a route of its own name, compiler and record, nothing else)."""
    return compile_tableau(tm, geometry, output).replace(meta={"route": "mirror", "time_bound": geometry.T,
                                                               "reach": [geometry.L, geometry.R],
                                                               "output": output})


TOY = Route(name="mirror", build=compile_mirror, formula=tableau_formula,
            bound_constants=lambda q, g: (2, 1), label_kinds=frozenset({lb.CELL, lb.ACCEPT, lb.OUT}),
            doc="a toy route defined in a test")


@pytest.fixture
def toy_route(monkeypatch):
    monkeypatch.setitem(ROUTES, TOY.name, TOY)  # the one registry line
    return TOY


def test_a_new_route_compiles_verifies_and_bounds(toy_route, cli_json):
    tm = library.load("parity")  # any machine: parity's proofs take a second
    result = compile_target(tm, n=3, route="mirror")
    assert result.route == "mirror" and result.program.meta["route"] == "mirror"
    check = check_target(result)
    verdict = verify(check.target, LinearPredictor.from_program(result.program), method="both", reach=check.reach)
    assert verdict.verified and verdict.guarantee == "smt-proof"
    formula, bounds = route_bound("mirror", "accept", len(tm.states), len(tm.tape_symbols))
    assert formula == route_bound("tableau", "accept", len(tm.states), len(tm.tape_symbols))[0]
    assert all(holds for _, holds in bounds.values())
    code, obj, _ = cli_json("verify", "parity", "--n", "3", "--route", "mirror")
    assert code == 0 and obj["verified"] and obj["route"] == "mirror"
    code, obj, _ = cli_json("bound", "parity", "--n", "3")
    assert code == 0 and set(obj["routes"]) == {"tableau", "circuit", "uniform", "mirror"}


def test_unknown_routes_are_refused_everywhere():
    with pytest.raises(UsageError):
        route_bound("nonsense", "accept", 2, 2)
    with pytest.raises(UsageError):
        compile_target(library.load("parity"), n=2, route="nonsense")


def readme_python_blocks() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)


@pytest.mark.parametrize("index", range(len(readme_python_blocks())))
def test_readme_python_blocks_run(index, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    exec(compile(readme_python_blocks()[index], f"README.md python block {index}", "exec"), {})


def test_the_guide_lists_every_route_with_its_doc_line():
    text = (ROOT / "docs" / "guide.md").read_text(encoding="utf-8")  # the README links to it
    text = re.sub(r"\[([\w.]+\.md)\]\(\1\)", r"docs/\1", text)  # a docs link, written as the route's doc writes it
    for route in ROUTES.values():
        assert f"- `{route.name}`" in text and route.doc in text, route.name
