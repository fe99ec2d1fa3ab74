"""Length generalisation: the tied (uniform) model trained by SGD on short CoTs is proved for
every length from its float32 weights, read exactly; the untied LinearModel is not one
shared table, and has no weights beyond its training context."""

from __future__ import annotations

import json

import pytest

from theorymodel.cli import main
from theorymodel.experiments.lengthgen import lengthgen
from theorymodel.learn.uniform import learn_uniform_report
from theorymodel.machines import library


def test_lp_table_from_inputs_up_to_4_is_proved_for_every_length():
    report = learn_uniform_report(library.load("binary_increment"), lengths=(0, 4))
    assert report["verified"] and report["guarantee"] == "smt-proof-uniform"


def test_sgd_tied_model_is_proved_and_runs_at_every_length(tmp_path):
    (row,) = lengthgen(["binary_increment"], train_n=4, eval_n=(4, 16, 48), steps=2000, untied_steps=20,
                       workdir=tmp_path)
    tied = row["tied"]
    assert tied["proved"] and tied["proof"] == "smt-proof-uniform" and tied["arithmetic"] == "exact-rational"
    assert tied["exact_match"] == {"4": 1.0, "16": 1.0, "48": 1.0}
    assert tied["counterexample"] is None and tied["proved_at_step"] is not None
    untied = row["untied"]
    assert untied["exact_match"]["16"] is None and untied["exact_match"]["48"] is None
    assert 0.0 <= untied["exact_match"]["4"] <= 1.0
    assert untied["uniform"] is False and untied["first_difference"]["position"] >= 0
    # the tied file is an ordinary uniform LinearModel file: the CLI proves it too
    code = main(["verify", "--uniform", str(tmp_path / "binary_increment-tied.npz"), "binary_increment", "--json"])
    assert code == 0


def test_an_undertrained_tied_model_is_not_proved_and_says_why(tmp_path):
    (row,) = lengthgen(["binary_increment"], train_n=2, eval_n=(2, 8), steps=1, untied_steps=1, workdir=tmp_path,
                       max_n=4)
    tied = row["tied"]
    assert not tied["proved"] and tied["failed_triples"] > 0
    cex = tied["counterexample"]
    assert cex is not None and len(cex["input"]) <= 4  # a replayed run that the table gets wrong


def test_lengthgen_cli_json(tmp_path, capsys):
    code = main(["experiment", "lengthgen", "--machines", "binary_increment", "--train-n", "3", "--eval-n", "3,9",
                 "--steps", "1500", "--untied-steps", "5", "--out", str(tmp_path / "m"), "--no-plot", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["experiment"] == "lengthgen"
    (row,) = out["rows"]
    assert row["tied"]["proved"] and set(row["tied"]["exact_match"]) == {"3", "9"}
    assert str(tmp_path / "m" / "binary_increment-tied.npz") in out["written"]


@pytest.mark.parametrize("args", [["--machines", "nope"], ["--eval-n", "0"], ["--steps", "0"]])
def test_lengthgen_bad_flags(args, capsys):
    assert main(["experiment", "lengthgen", *args, "--no-plot"]) == 2
    assert capsys.readouterr().err.startswith("error:")


def test_arithmetic_machine_reports_answers_by_operand_size(tmp_path, capsys):
    """An arithmetic machine gets the decoded answer on operand pairs: the untied model at
    the size its training words hold and nowhere beyond; the tied one at every size. One
    Adam step learns nothing, so every answer is wrong."""
    plot = tmp_path / "lg.png"
    code = main(["experiment", "lengthgen", "--machines", "binary_addition", "--train-n", "3", "--eval-n", "3",
                 "--eval-bits", "8", "--steps", "1", "--untied-steps", "1", "--max-n", "3", "--plot", str(plot),
                 "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and plot.stat().st_size > 0
    ops = out["rows"][0]["operands"]
    assert ops["trained_bits"] == 1 and ops["pairs"] == 1  # 1+1, the only pair of 1-bit operands
    assert ops["tied"] == {"1": 0.0, "8": 0.0} and ops["untied"] == {"1": 0.0, "8": None}
    assert not out["rows"][0]["tied"]["proved"] and out["rows"][0]["tied"]["proof"] == "not proved"


def test_eval_bits_are_checked_before_training(capsys):
    assert main(["experiment", "lengthgen", "--machines", "binary_multiplication", "--eval-bits", "100000",
                 "--no-plot"]) == 3
    assert capsys.readouterr().err.startswith("error:")
