"""One verdict per file, whatever the method: z3, enumeration and replay agree on edited
answer layouts, mutated weights, float weights with near-ties and multi-character
symbols; the proof reaches the decoded answer, not only the tokens (docs/contract.md,
"Conventions": a verdict covers what the user reads)."""

from __future__ import annotations

import dataclasses
import json
from itertools import product
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from proofs_check.per_length.exhaustive import exhaustive
from proofs_check.verdict import MachineTarget, verify
from theorymodel.compile import compile_target
from theorymodel.errors import FormatError, MachineError
from theorymodel.machines import TuringMachine, library
from theorymodel.predictor import LinearPredictor, save_predictor
from theorymodel.program import Answer

CASES = [("parity", 3, "tableau"), ("parity", 3, "circuit"), ("binary_palindrome", 2, "tableau"),
         ("binary_palindrome", 2, "circuit"), ("binary_increment", 2, "tableau"),
         ("binary_increment", 2, "circuit")]


def build(tm: TuringMachine, n: int, route: str) -> tuple[LinearPredictor, MachineTarget, tuple[int, int]]:
    res = compile_target(tm, n=n, route=route)
    g = res.geometry
    return (LinearPredictor.from_program(res.program), MachineTarget(tm, n, g.T, res.program.meta["output"]),
            (g.L, g.R))


def with_answer(pred: LinearPredictor, answer: Answer) -> LinearPredictor:
    return LinearPredictor(pred.vocab, pred.n_inputs, pred.weights, pred.bias, answer, pred.input_alphabet,
                           dict(pred.meta), pred.labels)


def layout_mutants(pred: LinearPredictor) -> dict[str, Answer]:
    a, first = pred.answer, pred.n_inputs
    out = {
        "first generated token": dataclasses.replace(a, positions=(first, *a.positions[1:])),
        "reversed": dataclasses.replace(a, positions=tuple(reversed(a.positions))),
        "kind accept": Answer("accept", a.positions[:1]),
        "kind tape": Answer("tape", a.positions, a.symbols, a.blank or "0"),
        "kind bits": Answer("bits", a.positions),
        "blank changed": dataclasses.replace(a, blank="1" if a.blank != "1" else "0"),
    }
    if len(a.positions) > 1:
        out["first dropped"] = dataclasses.replace(a, positions=a.positions[1:])
        out["shifted left"] = dataclasses.replace(a, positions=tuple(p - 1 for p in a.positions))
    return out


@pytest.mark.parametrize(("name", "n", "route"), CASES)
def test_edited_layouts_get_one_verdict(name, n, route):
    pred, target, reach = build(library.load(name), n, route)
    assert verify(target, pred, method="both", reach=reach).verified
    for what, answer in layout_mutants(pred).items():
        try:
            mutant = with_answer(pred, answer)
        except FormatError:
            continue  # refused at load time (exit 2): never verified
        # method "both" runs the z3 proof (what method "z3" runs) and the enumeration, and
        # reports each verdict: one z3 proof per mutant instead of two (each costs seconds)
        proof = verify(target, mutant, method="both", reach=reach, simulation=False)
        check = exhaustive(target, mutant)
        assert proof.details["methods"] == {"z3": check.verified, "exhaustive": check.verified}, (
            what, proof.to_json(), check.to_json())
        if not proof.verified:  # the z3 proof's counterexample, replayed
            assert proof.counterexample.replay["reference_answer"] != proof.counterexample.replay[
                "predictor_answer"] or proof.counterexample.replay["ties"], what
        assert proof.verified == check.verified


def test_answer_moved_to_the_first_token_is_caught(tmp_path, cli_json):
    """The campaign's case: valid weights, answer position edited in the file."""
    out = tmp_path / "o"
    code, obj, _ = cli_json("compile", "parity", "--n", "4", "--route", "tableau", "--out", str(out))
    assert code == 0
    path = out / "predictor.npz"
    with np.load(path, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    arrays["answer_positions"] = np.array([4])
    np.savez(tmp_path / "edited.npz", **arrays)
    for method in ("z3", "exhaustive", "both"):
        code, obj, err = cli_json("counterexample", str(tmp_path / "edited.npz"), "parity", "--n", "4",
                                  "--method", method)
        assert code == 1 and obj["found"] is True, (method, obj, err)


def weight_mutant(pred: LinearPredictor, rng, deltas=(-3, -1, 1, 2)) -> LinearPredictor:
    W = pred.weights.tolil(copy=True)
    k = int(rng.choice([k for k, block in enumerate(pred.blocks()) if len(block[0])]))
    pos, tok, d, _ = pred.blocks()[k]
    j = int(rng.integers(len(pos)))
    W[k * pred.V + int(d[j]), int(pos[j]) * pred.V + int(tok[j])] += int(rng.choice(deltas))
    return LinearPredictor(pred.vocab, pred.n_inputs, sp.csr_matrix(W.tocsr(), dtype=np.int64), pred.bias,
                           pred.answer, pred.input_alphabet, dict(pred.meta), pred.labels)


@pytest.mark.parametrize(("name", "n", "route"), CASES[:4])
def test_weight_mutants_get_one_verdict(name, n, route):
    pred, target, reach = build(library.load(name), n, route)
    rng = np.random.default_rng(107)  # four mutants each, right and wrong ones in every case
    for _ in range(4):
        mutant = weight_mutant(pred, rng)
        proof = verify(target, mutant, method="z3", simulation=False, reach=reach)
        assert proof.verified == exhaustive(target, mutant).verified


def test_float_rounding_cannot_make_or_break_a_tie():
    """1 + 2^-60 beats 1 exactly; float64 sums round it to a tie. Every method computes
    exactly, so every method proves the predictor (and a true tie is wrong for all)."""
    pred, target, reach = build(library.load("parity"), 2, "tableau")
    W = pred.weights.astype(np.float64).tolil()
    b = pred.bias.astype(np.float64).toarray()
    k = pred.n_generated - 1  # the accept answer: ONE if the head is accepting, else ZERO (bias 1)
    one = pred.vocab.index("1")
    zero = pred.vocab.index("0")
    b[k, zero] = 1.0
    b[k, one] = 2.0**-60  # now ONE scores 2 + 2^-60 or 2^-60 < 1: same argmax, exactly
    tiny = LinearPredictor(pred.vocab, pred.n_inputs, W.tocsr(), sp.csr_matrix(b), pred.answer,
                           pred.input_alphabet, dict(pred.meta), pred.labels)
    assert tiny.arithmetic == "exact-rational" and tiny.scale_exponent == 60
    assert verify(target, tiny, method="both", reach=reach).verified
    b[k, one] = 0.0
    b[k, zero] = 2.0 + 2.0**-60 - 2.0**-60  # == 2.0 in floats: a true tie with ONE's 2 on accepting inputs
    tied = LinearPredictor(pred.vocab, pred.n_inputs, W.tocsr(), sp.csr_matrix(b), pred.answer,
                           pred.input_alphabet, dict(pred.meta), pred.labels)
    proof, check = verify(target, tied, method="z3", reach=reach, simulation=False), exhaustive(target, tied)
    assert not proof.verified and not check.verified
    assert "(tie)" in check.counterexample.got


def test_huge_exact_integers_use_python_ints():
    pred, target, reach = build(library.load("parity"), 2, "tableau")
    W = pred.weights.astype(np.float64) * 2.0**80
    b = pred.bias.astype(np.float64) * 2.0**80
    big = LinearPredictor(pred.vocab, pred.n_inputs, sp.csr_matrix(W), sp.csr_matrix(b), pred.answer,
                          pred.input_alphabet, dict(pred.meta), pred.labels)
    assert big._wx.dtype == object
    assert verify(target, big, method="both", reach=reach).verified


# -- issue 17: multi-character symbols, hostile names ---------------------------------------
MULTI = TuringMachine(
    name="multi", blank_symbol="_", initial_state="go", final_states=["yes"],
    input_symbols=["ab", "c", "dd"],
    transitions={"go": {"ab": ["go", "c", "R"], "c": ["go", "dd", "R"], "dd": ["go", "ab", "R"],
                        "_": ["back", "_", "L"]},
                 "back": {"c": ["yes", "c", "N"], "dd": ["no", "dd", "N"], "ab": ["no", "ab", "N"]}},
)


@pytest.mark.parametrize("route", ["tableau", "circuit"])
@pytest.mark.parametrize("output", ["accept", "tape"])
def test_multichar_mutants_all_give_replayed_counterexamples(route, output, tmp_path, cli_json):
    res = compile_target(MULTI, n=2, route=route, output=output)
    pred = LinearPredictor.from_program(res.program)
    g = res.geometry
    target = MachineTarget(MULTI, 2, g.T, output)
    assert verify(target, pred, method="both", reach=(g.L, g.R)).verified
    machine = tmp_path / "multi.json"
    machine.write_text(json.dumps({"blank_symbol": "_", "initial_state": "go", "final_states": ["yes"],
                                   "input_symbols": ["ab", "c", "dd"],
                                   "transitions": {q: dict(r) for q, r in MULTI.transitions.items()}}))
    rng = np.random.default_rng(3)
    wrong = 0
    late = [k for k, block in enumerate(pred.blocks()) if len(block[0]) and k >= pred.n_generated * 3 // 4]
    for i in range(12):
        if i % 2:
            mutant = weight_mutant(pred, rng, deltas=(-9, -5, 5, 9))
        else:  # a change near the answer, where it matters
            b = pred.bias.toarray()
            b[int(rng.choice(late)), int(rng.integers(pred.V))] += int(rng.choice([-3, 3]))
            mutant = LinearPredictor(pred.vocab, pred.n_inputs, pred.weights, sp.csr_matrix(b), pred.answer,
                                     pred.input_alphabet, dict(pred.meta), pred.labels)
        if exhaustive(target, mutant).verified:
            continue
        wrong += 1
        path = save_predictor(mutant, tmp_path / f"m{i}.npz")
        for method in ("z3", "exhaustive"):
            code, obj, err = cli_json("counterexample", str(path), str(machine), "--n", "2", "--method", method)
            assert code == 1 and obj["found"], (method, err)
            assert all(s in ("ab", "c", "dd") for s in obj["input"].split(" ")), obj["input"]
    assert wrong >= 2


hostile = st.text(alphabet="[]#,; ab0:*!{}'\"\\", min_size=1, max_size=4)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(names=st.lists(hostile, min_size=5, max_size=5, unique=True), route=st.sampled_from(["tableau", "circuit"]))
def test_hostile_names_compile_right_or_are_refused(names, route):
    q0, q1, s1, s2, blank = names
    try:
        tm = TuringMachine(name="hostile", initial_state=q0, blank_symbol=blank, final_states=[q1],
                           input_symbols=[s1, s2], transitions={q0: {s1: [q0, s2, "R"], s2: [q1, s1, "N"]}})
    except MachineError:
        return  # spaces and commas in symbols are refused by the model
    try:
        res = compile_target(tm, n=2, route=route)
    except MachineError:
        return  # an ambiguous token spelling: refused, exit 2
    pred = LinearPredictor.from_program(res.program)
    r = pred.rollout(res.program.encode_inputs([(a, b) for a in (s1, s2) for b in (s1, s2)]), margins=True)
    assert r.margins.min() >= 1
    g = res.geometry
    assert exhaustive(MachineTarget(tm, 2, g.T, res.program.meta["output"]), pred).verified


def test_token_collision_is_refused(cli, tmp_path):
    """Issue 17's machine: a symbol spelled like the head token of state b on 0."""
    doc = {"blank_symbol": "_", "initial_state": "b", "input_symbols": ["0", "[b]0"],
           "transitions": {"b": {"0": ["c", "[b]0", "R"], "[b]0": ["c", "0", "R"]}}}
    path = Path(tmp_path / "collide.json")
    path.write_text(json.dumps(doc))
    code, _, err = cli("compile", str(path), "--n", "2", "--route", "tableau")
    assert code == 2 and "also the token" in err
    assert cli("compile", str(path), "--n", "2", "--route", "circuit")[0] == 0


def test_zero_margin_is_never_a_success(cli_json, monkeypatch):
    """A compiled predictor without a strict argmax somewhere exits 1 with the tied tokens."""
    from theorymodel.predictor import linear

    original = linear.LinearPredictor.from_program.__func__

    def tied(cls, program):
        pred = original(cls, program)
        b = pred.bias.toarray()
        b[0] += 1  # raise every token of the first position alike: ties where the rule has margin 1
        b[0, 0] += 1
        return cls(pred.vocab, pred.n_inputs, pred.weights, sp.csr_matrix(b.astype(np.int64)), pred.answer,
                   pred.input_alphabet, dict(pred.meta), pred.labels)

    monkeypatch.setattr(linear.LinearPredictor, "from_program", classmethod(tied))
    code, obj, err = cli_json("compile", "parity", "--n", "2", "--route", "tableau")
    assert code == 1 and obj["weakest"]["position"] == 2 and len(obj["weakest"]["tied_tokens"]) == 2
    assert err.startswith("error: the compiled predictor has margin")


@pytest.mark.parametrize("spread", [1.0, 1e30])
def test_linearmodel_collapse_is_exact(tmp_path, spread):
    """Random float32 LinearModel arrays with non-identity embeddings: the collapsed
    predictor's scores equal the exact rational scores (int64 path, and the Python-int
    path when the dynamic range is huge)."""
    from fractions import Fraction

    from theorymodel.predictor import load

    rng = np.random.default_rng(1)
    V, d, C, n = 3, 2, 4, 2
    arrays = {
        "in_embedding.weight": rng.normal(size=(V, d)).astype(np.float32),
        "linear1.weight": (rng.normal(size=(C * d, C * d)) * np.where(rng.random((C * d, C * d)) < 0.5, spread, 1)
                           ).astype(np.float32),
        "linear1.bias": rng.normal(size=C * d).astype(np.float32) / np.float32(spread),
        "out_embedding.weight": rng.normal(size=(V, d)).astype(np.float32),
        "out_embedding.bias": rng.normal(size=V).astype(np.float32),
        "vocab": np.array(["0", "1", "2"]), "context_length": np.array(C), "input_tokens": np.array(n),
    }
    np.savez(tmp_path / "lm.npz", **arrays)
    pred = load(tmp_path / "lm.npz")
    F = {k: np.vectorize(Fraction, otypes=[object])(v.astype(np.float64)) for k, v in arrays.items()
         if k.endswith("weight") or k.endswith("bias")}
    for seq in product(range(V), repeat=C):
        for k in range(C - n):
            t = n + k - 1
            x = np.zeros(C * d, dtype=object)
            for pos in range(t + 1):
                x[pos * d:(pos + 1) * d] = F["in_embedding.weight"][seq[pos]]
            block = F["linear1.weight"][t * d:(t + 1) * d, :]
            h = block.dot(x) + F["linear1.bias"][t * d:(t + 1) * d]
            exact = F["out_embedding.weight"].dot(h) + F["out_embedding.bias"]
            got = pred.scores(np.array(seq), k)
            scale = Fraction(2) ** int(pred.meta["scale"].split("^-")[1])
            assert [Fraction(int(g)) for g in got] == [e * scale for e in exact]
    if spread > 1:
        assert pred._wx.dtype == object  # beyond int64: Python integers, still exact


# -- auto: the portfolio ---------------------------------------------------------------
def test_auto_records_each_methods_estimate_and_enumerates_the_cheap_case():
    pred, target, reach = build(library.load("binary_palindrome"), 4, "circuit")
    verdict = verify(target, pred, reach=reach, simulation=False)
    portfolio = verdict.details["portfolio"]
    assert verdict.verified and verdict.method == "exhaustive"
    assert set(portfolio["estimates"]) == {"z3", "exhaustive"} and portfolio["order"] == ["exhaustive"]
    assert 0 < portfolio["estimates"]["exhaustive"] < portfolio["estimates"]["z3"]


@pytest.mark.parametrize("wrong", [False, True])
def test_auto_gives_an_expensive_proof_the_enumerations_estimate_then_enumerates(monkeypatch, wrong):
    """A proof estimated cheaper runs first; when it outlasts the enumeration's estimate,
    enumeration decides under the same deadline (and still refutes a wrong file)."""
    import proofs_check.per_length.exhaustive as enumeration
    import proofs_check.per_length.z3_query as z3_query
    import proofs_check.verdict as verdict_module
    from proofs_check.outcome import solver_timeout

    pred, target, reach = build(library.load("parity"), 3, "circuit")
    if wrong:
        pred = with_answer(pred, dataclasses.replace(pred.answer, positions=(pred.n_inputs,)))
    budgets = []

    def slow_proof(target, pred, *, reach, timeout):
        budgets.append(timeout)
        raise solver_timeout("a lemma", timeout)

    monkeypatch.setattr(verdict_module, "AUTO_EXHAUSTIVE_SECONDS", 0.0)
    monkeypatch.setattr(enumeration, "ROLLOUT_RATE", 1e3)  # enumeration "estimated" dearer than z3
    monkeypatch.setattr(z3_query, "estimate_seconds", lambda target, pred: 0.001)
    monkeypatch.setattr(z3_query, "run", slow_proof)
    verdict = verify(target, pred, reach=reach, simulation=False)
    portfolio = verdict.details["portfolio"]
    assert portfolio["order"] == ["z3", "exhaustive"] and verdict.method == "exhaustive"
    assert budgets == [pytest.approx(portfolio["estimates"]["exhaustive"], abs=1e-3)]
    assert verdict.verified is not wrong
    assert (verdict.counterexample is None) is not wrong


def test_auto_keeps_the_users_deadline_when_the_proof_spends_it(monkeypatch):
    """A solver timeout at the user's own deadline is exit 3, not a silent switch."""
    import proofs_check.per_length.exhaustive as enumeration
    import proofs_check.per_length.z3_query as z3_query
    import proofs_check.verdict as verdict_module
    from proofs_check.outcome import solver_timeout
    from theorymodel.errors import ResourceLimitError

    def spends_it(target, pred, *, reach, timeout):
        import time

        time.sleep(timeout)
        raise solver_timeout("a lemma", timeout)

    pred, target, reach = build(library.load("parity"), 3, "circuit")
    monkeypatch.setattr(verdict_module, "AUTO_EXHAUSTIVE_SECONDS", 0.0)
    monkeypatch.setattr(enumeration, "ROLLOUT_RATE", 1.0)
    monkeypatch.setattr(z3_query, "estimate_seconds", lambda target, pred: 0.001)
    monkeypatch.setattr(z3_query, "run", spends_it)
    with pytest.raises(ResourceLimitError, match="ran out of time"):
        verify(target, pred, reach=reach, timeout=0.2, simulation=False)


TRAP = """
name: trap
input_symbols: ["0", "1"]
blank_symbol: "_"
initial_state: A
transitions:
  A: {"1": [A, "1", R], "0": [B, "0", R], "_": [A1, "0", R]}
  B: {"1": [B, "1", R], "0": [B, "0", R], "_": [B1, "1", R]}
  A1: {"_": [A2, "1", L]}
  B1: {"_": [B2, "1", L]}
  A2: {"0": [A3, "1", R]}
  B2: {"1": [B3, "1", R]}
  A3: {"1": [done, "0", N]}
  B3: {"1": [done, "1", N]}
  done: {}
"""


@pytest.mark.parametrize("method", ["z3", "exhaustive", "both"])
def test_answer_labels_of_another_time_do_not_fool_the_lemmas(tmp_path, method):
    """Red team: a file whose answer slots of cells n and n + 1 are swapped, with the two
    positions' OUTBIT labels edited to times n + 2 and n + 1. The tape's cells n, n + 1 at
    those times decode to the right answer, the real tokens are wrong on the all-ones
    input; the local lemmas read answer cells at T, so the answer lemma must too (a false
    "verified" from z3 before the fix)."""
    from theorymodel.machines import load_machine

    path = tmp_path / "trap.yaml"
    path.write_text(TRAP)
    tm = load_machine(str(path))
    n = 6
    pred, target, reach = build(tm, n, "circuit")
    positions, labels = np.array(pred.answer.positions), np.array(pred.labels).copy()
    cell_of = {int(p): int(labels[p - n][2]) for p in positions}
    here = [i for i, p in enumerate(positions) if cell_of[int(p)] == n]
    there = [i for i, p in enumerate(positions) if cell_of[int(p)] == n + 1]
    assert len(here) == len(there) == 3
    for i in there:
        labels[positions[i] - n, 1] = n + 2
    for i in here:
        labels[positions[i] - n, 1] = n + 1
    positions[here], positions[there] = positions[there].copy(), positions[here].copy()
    evil = LinearPredictor(pred.vocab, pred.n_inputs, pred.weights, pred.bias,
                           dataclasses.replace(pred.answer, positions=tuple(int(p) for p in positions)),
                           pred.input_alphabet, dict(pred.meta), labels)
    assert exhaustive(target, evil).counterexample is not None, "the mutant must be wrong (on all ones)"
    verdict = verify(target, evil, method=method, reach=reach, simulation=False)
    assert not verdict.verified and verdict.counterexample is not None
    assert verdict.counterexample.input == "1" * n


def test_an_astronomical_time_bound_gives_a_finite_estimate():
    """Red team: T = 10^400 overflowed the float in z3's estimate (exit 70), and 10^300
    wrote Infinity into the JSON certificate."""
    import json
    import math

    import proofs_check.per_length.z3_query as z3_query

    pred, target, _ = build(library.load("parity"), 3, "circuit")
    for T in (10**300, 10**400):
        huge = MachineTarget(target.tm, target.n, T, target.output)
        seconds = z3_query.estimate_seconds(huge, pred)
        assert math.isfinite(seconds) and seconds > 1e6
        json.loads(json.dumps({"z3": round(seconds, 3)}, allow_nan=False))


def test_a_time_limit_past_the_watchers_range_is_refused(cli):
    """Red team: --timeout 1e10 overflowed the stop watcher's select() (a traceback, and
    signals then took 4 s); limits above 1e9 s are usage errors."""
    code, _, err = cli("verify", "parity", "--n", "3", "--timeout", "1e10")
    assert code == 2 and err.count("error:") == 1 and "Traceback" not in err
    code, _, _ = cli("verify", "parity", "--n", "3", "--timeout", "1e9")
    assert code == 0
