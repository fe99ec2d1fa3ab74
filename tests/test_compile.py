"""Both compiler routes: answers equal the simulator's, rows equal configurations,
token counts equal the closed-form formulas, random machines and circuits."""

from __future__ import annotations

import json
from itertools import product
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from strategies import circuits, halting_machine_cases

from theorymodel.circuits import load_circuit
from theorymodel.compile import Geometry, compile_target
from theorymodel.compile.circuit_route import compile_circuit_route, tm_circuit
from theorymodel.compile.geometry import circuit_formula, evaluate_formula, tableau_formula
from theorymodel.compile.routes import ROUTES
from theorymodel.compile.tableau import head_token
from theorymodel.machines import TuringMachine, library, reference_run, simulate
from theorymodel.predictor import LinearPredictor

ROOT = Path(__file__).resolve().parents[1]
ARITHMETIC = ("binary_addition", "binary_multiplication")  # many states: n <= 3 here, longer runs in test_arithmetic
MACHINE_CASES = [(name, n) for name in library.names() if not name.startswith(("bb", "chomsky_"))
                 for n in ((0, 1, 3) if name in ARITHMETIC else (0, 1, 3, 4))]
# the benchmark's machines (alphabets up to 12 symbols): short inputs only
MACHINE_CASES += [(name, 2) for name in library.names() if name.startswith("chomsky_")]
MACHINE_CASES += [("bb2", 0), ("bb3", 0), ("bb4", 0)]


def expected_answer(tm: TuringMachine, word, output: str) -> str:
    r = simulate(tm, word)
    assert r.halted
    return ("1" if r.accepted else "0") if output == "accept" else r.output


def check_program(tm: TuringMachine, n: int, route: str, output: str | None = None):
    res = compile_target(tm, n=n, route=route, output=output)
    program = res.program
    output = program.meta["output"]
    words = list(product(tm.input_symbols, repeat=n))
    records = program.records(words)
    for word, rec in zip(words, records, strict=True):
        assert rec["output"] == expected_answer(tm, word, output), (tm.name, route, word)
        assert rec["tokens"][:n] == list(word)
        assert len(rec["tokens"]) == program.context_length
    return res


@pytest.mark.parametrize("route", ["tableau", "circuit"])
@pytest.mark.parametrize("name, n", MACHINE_CASES)
def test_every_bundled_machine_both_routes(name, n, route):
    tm = library.load(name)
    res = check_program(tm, n, route)
    g = res.geometry
    expected = evaluate_formula(res.formula, g, len(tm.states), len(tm.tape_symbols))
    assert res.program.cot_tokens == expected
    # the analytic predictor regenerates the program's CoT with margin >= 1
    pred = LinearPredictor.from_program(res.program)
    x = res.program.encode_inputs(list(product(tm.input_symbols, repeat=n)))
    ref = res.program.evaluate(x)
    r = pred.rollout(x, reference=ref, margins=True)
    assert np.array_equal(r.sequences, ref)
    assert (r.margins >= 1).all() and not r.ties.any()


@pytest.mark.parametrize("name", ["binary_palindrome", "zeros_then_ones", "parity"])
def test_tape_output_on_accepting_machines(name):
    check_program(library.load(name), 3, "tableau", output="tape")
    check_program(library.load(name), 3, "circuit", output="tape")


@pytest.mark.parametrize("name, n", [("binary_increment", 3), ("binary_palindrome", 4), ("bb3", 0),
                                     ("ternary_increment", 2)])
def test_tableau_rows_are_the_configurations(name, n):
    """Row t of the tableau CoT is the machine's configuration after t steps."""
    tm = library.load(name)
    res = compile_target(tm, n=n, route="tableau")
    g, program = res.geometry, res.program
    for word in product(tm.input_symbols, repeat=n):
        trace = reference_run(tm, word, trace=True).trace
        tokens = program.records([word])[0]["tokens"]
        k = n
        for t in range(1, g.T + 1):
            config = trace[min(t, len(trace) - 1)]
            for i in g.row(t):
                j = i - config["tape_start"]
                sym = config["tape"][j] if 0 <= j < len(config["tape"]) else tm.blank_symbol
                want = head_token(config["state"], sym) if i == config["head"] else sym
                assert tokens[k] == want, (word, t, i)
                k += 1


@pytest.mark.parametrize("route", ["tableau", "circuit"])
@pytest.mark.parametrize("output", ["accept", "tape"])
def test_formulas_match_light_cone_builds(route, output):
    tm = library.load("binary_palindrome")
    formula = tableau_formula(output) if route == "tableau" else circuit_formula(output)
    for n, T in [(1, 1), (2, 4), (3, 7), (4, 12)]:
        for g in (Geometry.light_cone(n, T), Geometry(n, T, 0, min(n, T)), Geometry(n, T, 1, T)):
            program = ROUTES[route].build(tm, g, output)
            assert program.cot_tokens == evaluate_formula(formula, g, len(tm.states), len(tm.tape_symbols))
    # the light cone closed forms, by hand: tableau T^2 + 2T (+ answer), circuit below
    Q, G, T = len(tm.states), len(tm.tape_symbols), 5
    g = Geometry.light_cone(3, T)
    count = ROUTES[route].build(tm, g, "accept").cot_tokens
    circuit_count = Q * G * T * T + (Q + G) * (T * T + 2 * T) + 1
    assert count == (T * T + 2 * T + 1 if route == "tableau" else circuit_count)


def test_light_cone_program_still_correct():
    """A time bound larger than T(n), with the light cone: same answers."""
    tm = library.load("binary_increment")
    g = Geometry.light_cone(3, 12)
    for route in ("tableau", "circuit"):
        program = ROUTES[route].build(tm, g, "tape")
        for word in product("01", repeat=3):
            assert program.records([word])[0]["output"] == simulate(tm, word).output


def test_circuit_route_gates_are_thresholds_and_count():
    tm = library.load("parity")
    g = Geometry(3, 4, 0, 3)
    circuit = tm_circuit(tm, g, "accept")
    assert all(gate.op == "THRESHOLD" for gate in circuit.gates.values())
    program = compile_circuit_route(tm, g, "accept")
    assert program.cot_tokens == circuit.n_gates == program.meta["gates"]
    assert program.vocab == ("0", "1")


def test_c17_program():
    c = load_circuit(ROOT / "examples" / "circuits" / "c17.bench")
    res = compile_target(c, n=None, route="circuit")
    program = res.program
    assert program.cot_tokens == 6
    words = list(product("01", repeat=5))
    outs = [r["output"] for r in program.records(words)]
    table = c.truth_table()
    assert outs == ["".join(map(str, row)) for row in table]
    # outputs are the last two tokens
    assert program.answer.positions == (9, 10)


@settings(max_examples=120, deadline=None)
@given(circuits())
def test_random_circuits_compile(circuit):
    res = compile_target(circuit, n=None, route="circuit")
    program = res.program
    words = list(product("01", repeat=len(circuit.inputs)))
    outs = [r["output"] for r in program.records(words)]
    assert outs == ["".join(map(str, row)) for row in circuit.truth_table()]
    k = len(circuit.outputs)
    assert sorted(program.answer.positions) == list(range(program.context_length - k, program.context_length))
    pred = LinearPredictor.from_program(program)
    x = program.encode_inputs(words)
    r = pred.rollout(x, reference=program.evaluate(x), margins=True)
    assert (r.first_error < 0).all() and (r.margins >= 1).all()


@settings(max_examples=80, deadline=None)
@given(halting_machine_cases())
def test_random_machines_both_routes(case):
    tm, n = case
    for route in ("tableau", "circuit"):
        for output in ("accept", "tape"):
            res = check_program(tm, n, route, output)
            pred = LinearPredictor.from_program(res.program)
            x = res.program.encode_inputs(list(product(tm.input_symbols, repeat=n)))
            r = pred.rollout(x, reference=res.program.evaluate(x), margins=True)
            assert (r.first_error < 0).all() and (r.margins >= 1).all()


def test_tableau_is_much_shorter_than_circuit():
    tm = library.load("bb4")
    t = compile_target(tm, n=0, route="tableau").program.cot_tokens
    c = compile_target(tm, n=0, route="circuit").program.cot_tokens
    assert (t, c) == (1464, 24548)


# -- CLI -------------------------------------------------------------------------------
def test_compile_cli_json_and_files(cli_json, tmp_path):
    out = tmp_path / "run"
    code, obj, _ = cli_json("compile", "binary_increment", "--n", "3", "--route", "tableau",
                            "--out", str(out))
    assert code == 0
    for key in ("machine", "n", "route", "time_bound", "vocab", "vocab_size", "input_tokens", "cot_tokens",
                "context_length", "weights_nnz", "min_margin", "seconds"):
        assert key in obj
    assert obj["time_bound"] == 8 and obj["input_tokens"] == 3 and obj["min_margin"] == 1
    assert obj["context_length"] == 3 + obj["cot_tokens"]
    lines = (out / "cot.jsonl").read_text().splitlines()
    assert len(lines) == 8
    tm = library.load("binary_increment")
    for line in lines:
        rec = json.loads(line)
        assert rec["output"] == simulate(tm, rec["input"]).output
        assert len(rec["tokens"]) == obj["context_length"]
    assert (out / "predictor.npz").exists()


def test_compile_cli_circuit_default_route_and_accept(cli_json):
    code, obj, _ = cli_json("compile", "binary_palindrome", "--n", "3")
    assert code == 0 and obj["route"] == "circuit" and obj["output"] == "accept"
    assert set(obj["vocab"]) == {"0", "1"}


@pytest.mark.parametrize("argv, code, needle", [
    (["compile", "parity"], 2, "--n"),
    (["compile", "examples/circuits/c17.bench", "--route", "tableau"], 2, "circuit route"),
    (["compile", "examples/circuits/c17.bench", "--n", "4"], 2, "5 inputs"),
    (["compile", "parity", "--n", "30"], 3, "--time-bound"),  # 2^30 inputs to simulate: a size cap
    (["compile", "parity", "--n", "3", "--time-bound", "2"], 2, "does not halt"),
    (["compile", "parity", "--n", "3", "--export-linearlm", "x.npz", "--max-bytes", "100"], 3, "bytes"),
    (["compile", "parity", "--n", "3", "--route", "diagonal"], 2, "invalid choice"),
    (["compile", "1RB1RZ_1LC0RB_1LC1LA", "--n", "0"], 3, "halt"),
])
def test_compile_cli_errors(cli, argv, code, needle, tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    got, _, err = cli(*argv)
    assert got == code, err
    assert err.startswith("error:") and err.count("\n") == 1 and needle in err
    assert not Path("x.npz").exists()
