"""Learning from CoT samples (docs/paper.md Thm 3.3), and verifying what was learned."""

from __future__ import annotations

import json
from itertools import product

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from linearlm_numpy import greedy_decode
from strategies import circuits, halting_machine_cases

from proofs_check.verdict import verify
from theorymodel.learn import compiled, learn, parity_cascade
from theorymodel.learn.experiments import noise, tradeoff, xor_tree


def test_parity_cascade_is_the_binary_count():
    src = parity_cascade(6)
    seqs = src.sequences(np.arange(64))
    ones = seqs[:, :6].sum(axis=1)
    assert seqs.shape == (64, 9)
    assert (seqs[:, 6] * 4 + seqs[:, 7] * 2 + seqs[:, 8] == ones).all()


def test_parity_8_with_cot_is_learned_exactly_and_proved():
    src = parity_cascade(8)
    r = learn(src, 400, learner="lp", seed=4)
    # the cascade's first token ([count >= 8]) is 1 on 11111111 only: a learner must see it
    # and enough inputs with seven ones to pin it down (400 i.i.d. draws, 210 distinct inputs:
    # seed 4 does; seed 3 at 200 draws misses 11111111, see the next test)
    assert 255 in r.train_index and r.distinct_training_inputs == 210
    assert r.train_error == 0 and r.test_error == 0 and r.test_inputs == 256 - 210
    assert r.error == 0 and r.error_guarantee == "exact"
    v = verify(src.target, r.predictor, method="z3")
    assert v.verified and v.guarantee == "smt-proof"
    assert r.predictor.is_exact


def test_an_unseen_rare_token_is_the_only_error():
    r = learn(parity_cascade(8), 200, learner="lp", seed=3)
    assert 255 not in r.train_index and r.distinct_training_inputs == 140
    assert r.test_error == 1 / 116 and r.first_wrong == {"input": "11111111", "position": 8, "expected": "1",
                                                          "got": "0", "tie": False}
    assert r.error == 1 / 256 and r.error_interval == (1 / 256, 1 / 256)  # exact: every input measured


def test_parity_8_without_cot_is_not():
    src = parity_cascade(8).without_cot()
    assert src.cot_tokens == 1
    r = learn(src, 150, learner="lp", seed=0)
    assert r.test_error >= 0.25
    v = verify(parity_cascade(8).target, r.predictor, method="z3")
    assert not v.verified and v.counterexample is not None


def test_a_learned_machine_predictor_is_exact_and_verified():
    src = compiled("binary_palindrome", 6, "tableau")
    r = learn(src, 100, learner="lp", seed=0)
    assert r.test_error == 0 and r.test_guarantee == "exhaustive" and r.test_inputs == 15
    v = verify(src.target, r.predictor, method="exhaustive")
    assert v.verified and v.inputs == 64


@pytest.mark.parametrize("learner", ["lp", "perceptron", "sgd"])
def test_learners_are_deterministic_and_integer(learner):
    src = parity_cascade(6)
    a = learn(src, 48, learner=learner, seed=3)
    b = learn(src, 48, learner=learner, seed=3)
    assert (a.predictor.weights != b.predictor.weights).nnz == 0
    assert (a.predictor.bias != b.predictor.bias).nnz == 0
    assert a.predictor.is_exact and a.train_error == 0
    c = learn(src, 48, learner=learner, seed=4)
    assert not np.array_equal(a.train_index, c.train_index)


def test_first_wrong_position_is_reported():
    r = learn(parity_cascade(8), 10, learner="lp", seed=0)
    assert r.test_error > 0
    fw = r.first_wrong
    assert 8 <= fw["position"] < 12 and fw["expected"] != fw["got"] and len(fw["input"]) == 8


def test_learn_cli_contract_and_export(cli_json, tmp_path):
    code, obj, _ = cli_json("learn", "parity", "--n", "12", "--samples", "1500", "--learner", "lp",
                            "--export-linearlm", str(tmp_path / "p.npz"))
    assert code == 0
    for key in ("learner", "samples", "cot", "train_error", "test_error", "verified", "cot_tokens"):
        assert key in obj
    assert obj["test_error"] == 0 and obj["verified"] is True and obj["cot_tokens"] == 4
    assert obj["guarantee"] == "smt-proof" and obj["test_inputs"] == 4096 - obj["distinct_training_inputs"] == 2858
    assert obj["error"] == 0 and obj["error_guarantee"] == "exact" and obj["heldout_error"] == 0
    state = dict(np.load(tmp_path / "p.npz"))
    for bits in [(0,) * 12, (1,) * 12, (1, 0) * 6, (0, 1, 1) * 4]:
        seq, strict = greedy_decode(state, list(bits))
        assert strict and seq[-1] == sum(bits) % 2
    code, obj, err = cli_json("learn", "parity", "--n", "12", "--samples", "1500", "--no-cot")
    assert code == 1 and obj["cot"] is False and obj["verified"] is False and obj["test_error"] >= 0.25
    assert err.startswith("error:")


def test_learn_from_a_cot_jsonl(cli, cli_json, tmp_path):
    code, _, _ = cli("compile", "binary_palindrome", "--n", "5", "--route", "tableau", "--out", str(tmp_path))
    assert code == 0
    code, obj, _ = cli_json("learn", str(tmp_path / "cot.jsonl"), "--samples", "24")
    assert code == 0 and obj["verified"] is None and obj["test_inputs"] == 32 - obj["distinct_training_inputs"] == 16
    assert obj["train_error"] == 0


def test_learn_bad_input(cli, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"input": "01", "tokens": ["0", "1", "1"]}\n{"oops": 1}\n')
    for args in (["parity", "--n", "4", "--samples", "0"],
                 ["parity", "--n", "4", "--samples", "5", "--learner", "svm"], [str(bad), "--samples", "1"],
                 [str(tmp_path / "missing.jsonl"), "--samples", "1"], ["parity", "--samples", "3"]):
        code, _, err = cli("learn", *args)
        assert code == 2 and err.startswith("error:") and len(err.strip().splitlines()) == 1, args


def test_tradeoff_matches_the_closed_form():
    assert xor_tree(8, [0, 1, 2, 3, 4], 3) == [[0, 1, 2], [3, 4, 8]]
    rows = tradeoff(12, 6, [2, 3, 6], seed=1)
    assert [r["cot_tokens"] for r in rows] == [r["closed_form"] for r in rows] == [5, 3, 1]
    assert all(r["samples_needed"] is not None for r in rows)
    assert rows[0]["subsets_searched"] < rows[-1]["subsets_searched"]  # shorter CoT, costlier steps


def test_noise_roll_out_error_is_bounded_by_summed_step_errors():
    rows = noise([compiled("binary_palindrome", 6, "tableau")], [0.0, 0.05], 32, seed=0)
    assert all(r["bound_holds"] for r in rows)
    assert rows[1]["sum_per_step_error"] >= rows[0]["sum_per_step_error"]


def test_experiment_cli(cli_json, tmp_path):
    png = tmp_path / "s.png"
    code, obj, _ = cli_json("experiment", "samples", "parity", "--n", "6", "--samples", "10,40", "--plot", str(png))
    assert code == 0 and len(obj["rows"]) == 4 and png.exists()
    with_cot = [r for r in obj["rows"] if r["cot"]]
    assert [r["samples"] for r in with_cot] == [10, 40]
    code, obj, _ = cli_json("experiment", "tradeoff", "--n", "10", "--s", "4", "--k", "2,4",
                            "--plot", str(tmp_path / "t.png"))
    assert code == 0 and [r["cot_tokens"] for r in obj["rows"]] == [3, 1]
    code, obj, _ = cli_json("experiment", "noise", "--n", "4", "--rates", "0,0.1", "--plot", str(tmp_path / "n.png"))
    assert code == 0 and len(obj["rows"]) == 2
    json.dumps(obj)


def test_the_samples_picture_shows_the_balanced_error_beside_the_test_error(cli_json, tmp_path, monkeypatch):
    """A low test error without CoT can be the majority guess: the picture has a panel for
    each error, drawn from the same rows as the table."""
    from theorymodel import plotting

    drawn = []
    real = plotting.plot_panels

    def spy(rows, x, panels, group, path, **kw):
        drawn.append((x, [column for column, _ in panels], group))
        return real(rows, x, panels, group, path, **kw)

    monkeypatch.setattr(plotting, "plot_panels", spy)
    svg = tmp_path / "s.svg"
    code, obj, _ = cli_json("experiment", "samples", "zeros_then_ones", "--n", "6", "--samples", "10,20",
                            "--plot", str(svg))
    assert code == 0 and svg.read_text().lstrip().startswith("<?xml")
    assert drawn == [("samples", ["test_error", "balanced_error"], ["target", "cot"])]
    assert all(r["balanced_error"] is not None for r in obj["rows"])


def test_experiment_bad_flags(cli):
    for args in (["samples", "--samples", "0"], ["noise", "--rates", "2"], ["tradeoff", "--k", "1"],
                 ["tradeoff", "--s", "30", "--n", "4"], ["nonsense"]):
        code, _, err = cli("experiment", *args)
        assert code == 2 and err.startswith("error:"), args


def test_all_inputs_of_product_alphabet_are_enumerated():
    src = compiled("ternary_increment", 3, "tableau")
    words = src.words(src.inputs(np.arange(27)))
    assert words == list(product(("0", "1", "2"), repeat=3))


# -- realisability: the compiled CoT is linearly separable position by position (the
# analytic predictor separates it), so the LP learner must fit every training sequence.
@settings(max_examples=15, deadline=None)
@given(circuit=circuits(max_inputs=4, max_gates=8), seed=st.integers(0, 3))
def test_lp_fits_every_compiled_circuit_cot(circuit, seed):
    src = compiled(circuit, None, "circuit")
    total = src.input_count
    assume(total >= 2)
    r = learn(src, total - 1, learner="lp", seed=seed, jobs=1)
    assert r.train_error == 0 and r.predictor.is_exact
    out = r.predictor.rollout(src.sequences(r.train_index)[:, : src.n_inputs], margins=True)
    assert np.array_equal(out.sequences, src.sequences(r.train_index)) and not out.ties.any()


# random machines are drawn and filtered to the halting ones: on a loaded machine that can
# trip hypothesis's speed and filter health checks, which are not this test's claim
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(case=halting_machine_cases(max_n=3, max_steps=30))
def test_lp_fits_every_compiled_machine_tableau(case):
    tm, n = case
    src = compiled(tm, n, "tableau")
    assume(src.input_count >= 2)
    r = learn(src, src.input_count - 1, learner="lp", seed=0, jobs=1)
    assert r.train_error == 0 and r.predictor.is_exact


def test_samples_are_iid_with_replacement_and_may_exceed_the_inputs(cli_json):
    code, obj, _ = cli_json("learn", "parity", "--n", "8", "--samples", "300")
    assert obj["samples"] == 300 and obj["distinct_training_inputs"] < 256
    assert obj["error_guarantee"] == "exact" and obj["error_interval"] == [obj["error"], obj["error"]]
    wrong_heldout = round(obj["heldout_error"] * obj["test_inputs"])
    assert round(obj["error"] * 256) == wrong_heldout  # training inputs are all right (train_error 0)
    assert obj["train_error"] == 0 and code == (0 if obj["verified"] else 1)


def test_error_on_many_inputs_is_estimated_with_an_interval():
    r = learn(parity_cascade(20), 50, learner="lp", seed=0)
    lo, hi = r.error_interval
    assert r.error_guarantee == "estimated" and lo <= r.error <= hi and 0 < hi - lo < 0.02
    assert r.test_guarantee == "sampled" and r.test_error is not None
