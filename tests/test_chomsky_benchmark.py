"""``theorymodel benchmark chomsky``: learned tables proved (or refuted with a replayed
counterexample), scored by the benchmark's masked per-token accuracy, files re-proved by
``verify --uniform``. The full 15-task run is ``python bench/bench_chomsky.py``."""

from __future__ import annotations

import json

import pytest

from theorymodel.benchmarks.chomsky import ORDER, TASKS, answer_matches, target_mask, token_accuracy


def test_the_fifteen_tasks_in_the_papers_order_each_with_its_machine():
    from theorymodel.machines import library

    assert len(ORDER) == 15
    assert set(TASKS) <= set(ORDER)
    for name, task in TASKS.items():
        assert task.machine == f"chomsky_{name}" and task.machine in library.names()


def test_the_accuracy_mask_ends_at_the_termination_token():
    # binary_addition's docstring example 001 + 01101 = 010112000 (4 + 22 = 26)
    task = TASKS.get("binary_addition") or TASKS["stack_manipulation"]
    target = [0, 1, 0, 1, 1, 2, 0, 0, 0]
    assert target_mask(task, target) == 6
    assert token_accuracy(task, [0, 1, 0, 1, 1, 2], target) == (6, 6)
    assert token_accuracy(task, [0, 1, 1, 1, 1], target) == (4, 6)  # one wrong, the termination token missing
    assert answer_matches(task, [0, 1, 0, 1, 1, 2, 0], target)  # zero padding after it is optional
    assert not answer_matches(task, [0, 1, 0, 1, 1, 2, 1], target)
    single = TASKS["parity_check"]
    assert target_mask(single, [1]) == 1 and token_accuracy(single, [0], [1]) == (0, 1)


def test_benchmark_learns_proves_scores_and_writes_files_that_verify_re_proves(cli, cli_json, tmp_path):
    out = tmp_path / "bench"
    code, obj, _ = cli_json("benchmark", "chomsky", "--tasks", "parity_check,even_pairs", "--train-n", "0..4",
                            "--eval-lengths", "41,100", "--eval-samples", "3", "--out", str(out), "--quiet")
    assert code == 0 and obj["proved"] == obj["total"] == 2
    for row in obj["tasks"]:
        assert row["proved"] and row["guarantee"] == "smt-proof-uniform"
        assert row["score"] == 100.0 and row["constructed_score"] == 100.0
        assert [s["length"] for s in row["scores"]] == [41, 100] and all(s["samples"] == 3 for s in row["scores"])
        assert (out / f"{row['task']}.npz").exists()
        code, again = cli_json("verify", "--uniform", str(out / f"{row['task']}.npz"), row["machine"])[:2]
        assert code == 0 and again["verified"]
    saved = json.loads((out / "results.json").read_text())
    assert [r["task"] for r in saved["tasks"]] == ["even_pairs", "parity_check"]  # the paper's order
    table = (out / "results.md").read_text()
    assert "(cited)" in table and "| parity_check | regular |" in table
    assert (out / "scores.svg").exists()


@pytest.mark.skipif("duplicate_string" not in TASKS, reason="task not registered")
def test_a_table_learned_from_too_short_words_is_refuted_with_a_replayed_run(cli_json, tmp_path):
    code, obj, err = cli_json("benchmark", "chomsky", "--tasks", "duplicate_string", "--train-n", "0..1",
                              "--eval-lengths", "41", "--eval-samples", "2", "--quiet")
    assert code == 1 and "duplicate_string" in err
    row = obj["tasks"][0]
    assert not row["proved"] and row["guarantee"] == "" and row["failed_triples"]
    cex = row["counterexample"]
    assert cex is not None and cex["expected"] != cex["got"]
    assert row["score"] < 100.0  # the wrong table is wrong on long inputs too
