"""census --sample: K random NPN classes, the distribution over functions estimated with
95% intervals, resumable, the same on a 2-process Dask cluster as in-process."""

from __future__ import annotations

import pytest

from theorymodel.complexity import sample as sample_mod
from theorymodel.complexity.census import census
from theorymodel.complexity.sample import estimate, sample_census


@pytest.fixture(scope="module")
def exact_n3(tmp_path_factory):
    return census(3, "linear", db=tmp_path_factory.mktemp("c") / "full.sqlite", progress=False)


def test_a_sample_of_every_class_is_the_census_itself(tmp_path, exact_n3):
    out = sample_census(3, k=14, db=str(tmp_path / "s.sqlite"), progress=False)
    for length, count in exact_n3["functions_by_length"].items():
        e = out["estimate"][length]
        assert e["functions"] == e["low"] == e["high"] == count  # K = N: no sampling error
    assert out["run"]["solved_now"] == 14 and out["class_seconds"]["max"] > 0
    assert out["projection"]["wall_hours"]["2"] == pytest.approx(out["projection"]["cpu_hours"] / 2, abs=1e-4)


def test_the_intervals_cover_the_exact_counts_for_most_seeds(tmp_path, exact_n3):
    covered = total = 0
    for seed in range(6):
        out = sample_census(3, k=7, seed=seed, db=str(tmp_path / "s.sqlite"), progress=False)
        for length, count in exact_n3["functions_by_length"].items():
            e = out["estimate"].get(length, {"low": 0, "high": 0})
            covered += e["low"] <= count <= e["high"]
            total += 1
    assert covered >= 0.7 * total


def test_estimate_weights_classes_by_orbit_size():
    est = estimate({0: 1, 1: 2, 2: 2}, {0: 10, 1: 30, 2: 50}, set(), N=6)
    assert est["1"]["functions"] == round(6 * 10 / 3) and est["2"]["functions"] == round(6 * 80 / 3)
    assert est["1"]["sampled_classes"] == 1 and est["2"]["sampled_classes"] == 2


def test_a_killed_run_resumes_and_equals_a_clean_run(tmp_path, monkeypatch):
    clean = sample_census(4, k=24, seed=3, db=str(tmp_path / "clean.sqlite"), progress=False)
    real = sample_mod.solve_batch
    calls = {"n": 0}

    def dying(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] > 2:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(sample_mod, "solve_batch", dying)
    with pytest.raises(KeyboardInterrupt):
        sample_census(4, k=24, seed=3, db=str(tmp_path / "resume.sqlite"), progress=False)
    monkeypatch.setattr(sample_mod, "solve_batch", real)
    again = sample_census(4, k=24, seed=3, db=str(tmp_path / "resume.sqlite"), progress=False)
    assert again["run"]["reused"] == 2 * sample_mod.BATCH and again["run"]["rejected_rows"] == 0
    assert again["estimate"] == clean["estimate"] and again["classes_by_length"] == clean["classes_by_length"]


def test_a_class_time_limit_gives_an_interval_that_is_reported_apart(tmp_path):
    out = sample_census(4, k=6, seed=0, db=str(tmp_path / "t.sqlite"), class_timeout=1e-6, progress=False)
    # a class whose bounds meet before the solver's first deadline check is solved even so
    # (how many do depends on the machine's speed and load); every other one is an interval, counted apart
    unresolved = len(out["unresolved"])
    assert unresolved >= 1 and out["estimate"]["unresolved"]["sampled_classes"] == unresolved
    assert sum(out["classes_by_length"].values()) + unresolved == 6
    assert all(u["best_lower_bound"] >= 1 for u in out["unresolved"])
    again = sample_census(4, k=6, seed=0, db=str(tmp_path / "t.sqlite"), class_timeout=1e-6, progress=False)
    assert again["run"]["solved_now"] == 0 and again["unresolved"] == out["unresolved"]  # stored, not dropped


def test_two_worker_processes_give_the_in_process_result(tmp_path):
    """Every one of the 222 classes of n = 4 on a 2-process LocalCluster, against the same
    classes in-process (n = 5 classes take 0.13 s each: a few hundred would cost a minute)."""
    import distributed  # a dev dependency: the test runs in CI

    local = sample_census(4, k=222, seed=5, db=str(tmp_path / "l.sqlite"), progress=False)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        remote = sample_census(4, k=222, seed=5, db=str(tmp_path / "r.sqlite"), scheduler=cluster.scheduler_address,
                               progress=False)
    assert remote["run"]["workers"] == 2 and remote["run"]["solved_now"] == 222
    assert remote["estimate"] == local["estimate"] and remote["classes_by_length"] == local["classes_by_length"]
