"""proofs_check: z3 and exhaustive agree; mutated predictors and a sabotaged compiler
are caught with real (replayed) counterexamples; correct ones are proved."""

from __future__ import annotations

import json
from itertools import product

import numpy as np
import pytest
import scipy.sparse as sp
import z3
from hypothesis import given, settings
from strategies import halting_machine_cases

from proofs_check.per_length.exhaustive import exhaustive
from proofs_check.semantics.machine import BoundedRun
from proofs_check.verdict import CircuitTarget, MachineTarget, verify
from theorymodel.circuits import load_circuit
from theorymodel.compile import compile_target
from theorymodel.machines import library, simulate
from theorymodel.predictor import LinearPredictor, save_predictor

SMALL = [("binary_increment", 3), ("binary_palindrome", 3), ("parity", 4), ("zeros_then_ones", 4),
         ("unary_addition", 3), ("ternary_increment", 2), ("bb2", 0), ("bb3", 0)]


def setup(name, n, route, **kw):
    tm = library.load(name)
    res = compile_target(tm, n=n, route=route, **kw)
    pred = LinearPredictor.from_program(res.program)
    g = res.geometry
    return tm, res, pred, MachineTarget(tm, n, g.T, res.program.meta["output"]), (g.L, g.R)


@pytest.mark.parametrize("route", ["tableau", "circuit"])
@pytest.mark.parametrize("name, n", SMALL)
def test_z3_and_exhaustive_agree_and_prove(name, n, route):
    _, res, pred, target, reach = setup(name, n, route)
    v = verify(target, pred, method="both", reach=reach)
    assert v.verified and v.guarantee == "smt-proof" and v.method == "both"
    assert v.inputs == len(target.alphabet) ** n
    assert v.details["local"]["positions"] == res.program.cot_tokens


def test_bounded_run_semantics_match_simulator():
    tm = library.load("binary_palindrome")
    run = BoundedRun(tm, 4, 15)
    for word in product("01", repeat=4):
        s = z3.Solver()
        s.add(run.constraints)
        s.add(*[v == tm.tape_symbols.index(c) for v, c in zip(run.x, word, strict=True)])
        assert s.check() == z3.sat
        m = s.model()
        r = simulate(tm, word)
        assert tm.states[m.eval(run.state[15]).as_long()] == r.state
        assert z3.is_false(m.eval(run.not_halted())) and z3.is_true(m.eval(run.accepts())) == r.accepted


def mutate(pred: LinearPredictor, rng) -> LinearPredictor:
    """Change one weight: an existing entry, or a new one inside a position's fan-in."""
    W = pred.weights.tolil(copy=True)
    V = pred.V
    k = int(rng.integers(pred.n_generated))
    pos, tok, d, _ = pred.blocks()[k]
    if len(pos) and rng.random() < 0.6:
        j = int(rng.integers(len(pos)))
        row, col = k * V + int(d[j]), int(pos[j]) * V + int(tok[j])
    else:
        p = int(rng.choice(np.unique(pos))) if len(pos) else 0
        row, col = k * V + int(rng.integers(V)), p * V + int(rng.integers(V))
    W[row, col] = W[row, col] + int(rng.choice([-10, -5, -3, -1, 1, 3, 5, 10]))
    return LinearPredictor(pred.vocab, pred.n_inputs, sp.csr_matrix(W.tocsr(), dtype=np.int64), pred.bias,
                           pred.answer, pred.input_alphabet, dict(pred.meta), pred.labels)


def truly_wrong(target, pred) -> bool:
    return not exhaustive(target, pred).verified


# Seeds whose first mutants exercise both directions (most single-weight mutants are
# harmless, and each verdict is a z3 proof of a few seconds); any seed tests the same claim.
@pytest.mark.parametrize("name, n, route, seed", [("binary_increment", 3, "tableau", 2), ("parity", 3, "circuit", 6),
                                                  ("ternary_increment", 2, "tableau", 6),
                                                  ("zeros_then_ones", 2, "circuit", 58)])
def test_mutations_are_judged_right_both_ways(name, n, route, seed):
    _, _, pred, target, reach = setup(name, n, route)
    rng = np.random.default_rng(seed)
    caught = proved = tries = 0
    while (caught < 2 or proved < 2) and tries < 80:
        tries += 1
        bad = mutate(pred, rng)
        wrong = truly_wrong(target, bad)
        v = verify(target, bad, method="z3", simulation=False, reach=reach)
        assert v.verified == (not wrong)
        if wrong:
            cex = v.counterexample
            word = tuple(cex.input)
            # replayed: the reference simulator and the predictor disagree on this input
            got = bad.decode(bad.rollout(bad.encode_inputs([word])).sequences[0])
            assert got != target.answer(word, reference=True) or cex.replay["ties"]
            assert cex.position is not None and cex.position >= n
            caught += 1
        else:
            proved += 1
    assert caught >= 2 and proved >= 2  # both directions exercised, every verdict right


def test_sabotaged_compiler_is_caught():
    """Break the tableau compiler's step table: program and predictor agree with each
    other, but not with the machine. The proof, written from the transition table,
    must find the bug."""
    tm = library.load("binary_increment")
    res = compile_target(tm, n=3, route="tableau")
    head = res.program.token_id["[carry]1"]
    after = res.program.tables["after"].copy()
    after[head] = res.program.token_id["1"]  # carry forgets to write 0
    program = res.program.replace(tables={"after": after})
    pred = LinearPredictor.from_program(program)
    g = res.geometry
    target = MachineTarget(tm, 3, g.T, "tape")
    v = verify(target, pred, method="z3", simulation=False, reach=(g.L, g.R))
    assert not v.verified
    assert v.details["local"]["failed_positions"]
    cex = v.counterexample
    got = pred.decode(pred.rollout(pred.encode_inputs([tuple(cex.input)])).sequences[0])
    assert simulate(tm, cex.input).output != got
    assert cex.input == "001"  # shrunk: the smallest input whose increment carries


def test_light_cone_time_bound_proved_and_refuted():
    from theorymodel.compile import Geometry
    from theorymodel.compile.routes import ROUTES

    tm = library.load("binary_increment")
    for T, ok in [(10, True), (9, False)]:  # n = 4: 1111 needs 10 steps
        program = ROUTES["tableau"].build(tm, Geometry.light_cone(4, T), "tape")
        pred = LinearPredictor.from_program(program)
        v = verify(MachineTarget(tm, 4, T, "tape"), pred, method="z3", simulation=False, reach=(T, T))
        assert v.verified == ok
        if not ok:
            assert v.counterexample.input == "1111" and "halts within" in v.counterexample.expected


def test_circuit_target_mutation_and_proof():
    c = load_circuit("examples/circuits/c17.bench")
    res = compile_target(c, n=None, route="circuit")
    pred = LinearPredictor.from_program(res.program)
    target = CircuitTarget(c)
    assert verify(target, pred, method="both").verified
    rng = np.random.default_rng(3)
    for _ in range(25):
        bad = mutate(pred, rng)
        assert verify(target, bad, method="z3", simulation=False).verified == (not truly_wrong(target, bad))


def test_cli_verify_and_counterexample(cli_json, tmp_path, monkeypatch):
    code, obj, _ = cli_json("verify", "parity", "--n", "5", "--route", "tableau", "--out", str(tmp_path),
                            "--method", "z3")
    assert code == 0 and obj["verified"] and obj["guarantee"] == "smt-proof" and obj["inputs"] == 32
    # auto enumerates 32 inputs: the cheapest method, and it says so
    code, obj, _ = cli_json("verify", "parity", "--n", "5", "--route", "tableau")
    assert code == 0 and obj["method"] == "exhaustive" and obj["guarantee"] == "exhaustive"
    for key in ("verified", "method", "guarantee", "inputs", "cot_tokens", "counterexample", "seconds"):
        assert key in obj
    cert = json.loads((tmp_path / "verdict.json").read_text())
    assert cert["solver"].startswith("z3") and cert["verdict"]["verified"]
    # a corrupted predictor file: found, replayed, exit 1
    tm, _, pred, target, _ = setup("parity", 4, "tableau")
    rng = np.random.default_rng(11)
    for _ in range(50):
        bad = mutate(pred, rng)
        if truly_wrong(target, bad):
            break
    path = save_predictor(bad, tmp_path / "bad.npz")
    code, obj, err = cli_json("counterexample", str(path), "parity", "--n", "4")
    assert code == 1 and obj["found"] and err.startswith("error:")
    r = bad.rollout(bad.encode_inputs([tuple(obj["input"])]), margins=True)
    wrong_answer = simulate(tm, obj["input"]).accepted != (bad.decode(r.sequences[0]) == "1")
    assert wrong_answer or r.ties.any()  # a wrong answer, or no strict argmax on the way
    good = save_predictor(pred, tmp_path / "good.npz")
    code, obj, _ = cli_json("counterexample", str(good), "parity", "--n", "4", "--method", "exhaustive")
    assert code == 0 and obj == {"found": False, "method": "exhaustive", "guarantee": "exhaustive", "inputs": 16,
                                 "seconds": obj["seconds"], "arithmetic": "exact-integer"}


def test_cli_verify_timeout_is_exit_3(cli_json):
    # n = 12: its proof takes seconds, far beyond the 0.05 s allowed
    code, obj, err = cli_json("verify", "binary_increment", "--n", "12", "--time-bound", "30",
                              "--route", "tableau", "--timeout", "0.05")
    assert code == 3 and obj["limit"] == "solver-timeout" and err.startswith("error:")


@settings(max_examples=15, deadline=None)
@given(halting_machine_cases(max_n=3, max_steps=25))
def test_random_machines_are_proved(case):
    """Hidden machines: whatever the machine, its compiled predictor is proved right,
    and z3 agrees with enumeration."""
    tm, n = case
    for route in ("tableau", "circuit"):
        res = compile_target(tm, n=n, route=route)
        pred = LinearPredictor.from_program(res.program)
        g = res.geometry
        v = verify(MachineTarget(tm, n, g.T, res.program.meta["output"]), pred, method="both", reach=(g.L, g.R))
        assert v.verified and v.guarantee == "smt-proof"


def test_whole_rollout_query_settles_failed_local_lemmas(monkeypatch):
    """Beyond the enumeration fallback, a failed local lemma is settled by a random search
    and then one z3 query over the whole roll-out: verdicts still right both ways."""
    import proofs_check.per_length.z3_query as verify_module

    monkeypatch.setattr(verify_module, "EXHAUSTIVE_FALLBACK", 0)
    _, _, pred, target, reach = setup("parity", 3, "circuit")
    rng = np.random.default_rng(4)
    seen = set()
    for _ in range(6):  # seed 4: five of the six mutants fail a local lemma, two of them are wrong
        bad = mutate(pred, rng)
        v = verify(target, bad, method="z3", simulation=False, reach=reach)
        assert v.verified == (not truly_wrong(target, bad))
        if v.details.get("local", {}).get("failed_positions"):
            seen.add(v.verified)
    assert seen  # the whole-roll-out path was taken
