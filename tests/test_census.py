"""The census: NPN classes, known counts (OEIS A000609, A000370; Knuth's circuit sizes),
resumable SQLite storage, a Dask cluster, and the invariances the grouping relies on."""

from __future__ import annotations

import sqlite3
from itertools import permutations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from theorymodel.complexity import census as census_mod
from theorymodel.complexity import length_complexity, resolve
from theorymodel.complexity.census import census
from theorymodel.complexity.npn import canonical_all, classes, from_tt, to_tt
from theorymodel.complexity.targets import index_map

THRESHOLD_FUNCTIONS = [2, 4, 14, 104, 1882]  # OEIS A000609, n = 0..4
NPN_CLASSES = [1, 2, 4, 14, 222]  # OEIS A000370


@pytest.mark.parametrize("n", range(5))
def test_npn_class_counts(n):
    c = classes(n)
    assert len(c) == NPN_CLASSES[n] and sum(c.values()) == 2 ** 2**n


def test_linear_census_finds_exactly_the_threshold_functions(tmp_path):
    db = tmp_path / "c.sqlite"
    for n in range(5):
        out = census(n, "linear", db=db, progress=False)
        assert out["functions_by_length"]["1"] == THRESHOLD_FUNCTIONS[n]
        assert sum(out["functions_by_length"].values()) == 2 ** 2**n
    assert out["functions_by_length"] == {"1": 1882, "2": 50284, "3": 13370}
    assert out["classes_by_length"] == {"1": 15, "2": 174, "3": 33}
    again = census(4, "linear", db=db, progress=False)
    assert again["solved_now"] == 0 and again["reused"] == 222
    assert again["functions_by_length"] == out["functions_by_length"]


def test_b2_census_matches_knuth_for_three_inputs(tmp_path):
    out = census(3, "b2", db=tmp_path / "b.sqlite", progress=False)
    # Knuth, TAOCP 7.1.2: cost 0 (8 constants and literals) and 1 (30) are both one token here
    assert out["functions_by_length"] == {"1": 38, "2": 114, "3": 80, "4": 24}


def test_a_killed_census_resumes_without_recomputing(tmp_path, monkeypatch):
    db = tmp_path / "c.sqlite"
    real = census_mod.solve_one
    calls = []

    def dies_after_five(n, cls, tt):
        if len(calls) == 5:
            raise KeyboardInterrupt
        calls.append(tt)
        return real(n, cls, tt)

    monkeypatch.setattr(census_mod, "solve_one", dies_after_five)
    with pytest.raises(KeyboardInterrupt):
        census(3, "linear", db=db, progress=False)
    stored = sqlite3.connect(db).execute("SELECT tt FROM length WHERE n = 3").fetchall()
    assert sorted(t for (t,) in stored) == sorted(calls)
    monkeypatch.setattr(census_mod, "solve_one", real)
    out = census(3, "linear", db=db, progress=False)
    assert out["reused"] == 5 and out["solved_now"] == 9 and out["functions_by_length"]["1"] == 104


def test_census_on_a_dask_local_cluster(tmp_path):
    import distributed  # a dev dependency: the test runs in CI

    # a worker process with one thread, as docs/census.md prescribes: z3's default context is
    # not thread-safe, and an in-process worker beside the test's own z3 objects once crashed
    # mid-query under load
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        out = census(3, "linear", db=tmp_path / "d.sqlite", scheduler=cluster.scheduler_address, progress=False)
    local = census(3, "linear", db=tmp_path / "l.sqlite", progress=False)
    assert out["functions_by_length"] == local["functions_by_length"] and out["solved_now"] == 14


def _npn_images(code: int, n: int):
    table = np.array([(code >> r) & 1 for r in range(2**n)], dtype=np.uint8)
    for perm in permutations(range(n)):
        for flip in range(2**n):
            moved = table[index_map(n, list(perm), flip)]
            yield perm, flip, moved
            yield perm, flip, 1 - moved


@pytest.mark.parametrize("cls", ["linear", "b2"])
def test_length_is_npn_invariant_on_every_3_input_function(cls, tmp_path):
    """Every one of the 256 functions gets its class representative's value, solved directly."""
    per_class = {}
    canon = canonical_all(3)
    for code in range(256):
        value = length_complexity(resolve(f"tt:{to_tt(code, 3)}", 3), cls=cls).length_complexity
        per_class.setdefault(int(canon[code]), set()).add(value)
    assert all(len(values) == 1 for values in per_class.values())
    assert len(per_class) == 14


def test_parity_k_is_invariant_under_permutation_only():
    x0_xor_x1 = from_tt("01100110")  # x0 XOR x1 over 3 inputs
    values = set()
    for _perm, flip, moved in _npn_images(x0_xor_x1, 3):
        if flip == 0 and not moved[0]:
            r = length_complexity(resolve("tt:" + "".join(map(str, moved)), 3), cls="parity-2")
            values.add(r.length_complexity)
    assert values == {1}
    negated = resolve("tt:10011001", 3)  # NOT x0 XOR x1
    assert length_complexity(negated, cls="parity-2").length_complexity is None


def test_census_cli(cli_json, cli, tmp_path):
    code, obj, _ = cli_json("census", "--n", "2", "--db", str(tmp_path / "c.sqlite"))
    assert code == 0 and obj["classes"] == 4 and obj["functions_by_length"] == {"1": 14, "2": 2}
    for key in ("n", "classes", "functions_by_length", "seconds"):
        assert key in obj
    code, _, err = cli("census", "--n", "6", "--db", str(tmp_path / "c.sqlite"))  # n = 5 is the layered census
    assert code == 3 and err.startswith("error:")
    code, _, err = cli("census", "--n", "2", "--class", "parity-2", "--db", str(tmp_path / "c.sqlite"))
    assert code == 2 and "NPN" in err
    code, _, err = cli("census", "--n", "2", "--db", str(tmp_path / "d.sqlite"), "--scheduler", "nonsense://x")
    assert code == 2 and err.startswith("error: cannot reach the Dask scheduler")


@settings(max_examples=25, deadline=None)
@given(code=st.integers(0, 2**16 - 1), perm=st.permutations(range(4)), flip=st.integers(0, 15),
       negate=st.booleans())
def test_linear_length_is_npn_invariant_on_random_4_input_functions(code, perm, flip, negate):
    table = np.array([(code >> r) & 1 for r in range(16)], dtype=np.uint8)
    moved = table[index_map(4, list(perm), flip)] ^ int(negate)
    a = length_complexity(resolve("tt:" + "".join(map(str, table)), 4))
    b = length_complexity(resolve("tt:" + "".join(map(str, moved)), 4))
    assert a.length_complexity == b.length_complexity
    # and both agree with the census value of their NPN class
    canon = canonical_all(4)
    assert canon[code] == canon[from_tt("".join(map(str, moved)))]


@pytest.mark.parametrize("cls", ["linear", "b2"])
def test_an_edited_store_is_never_counted(tmp_path, cls):
    """Every stored row is re-checked on read: edits to the length, the witness or the lower
    bound record (the oracle: a fresh census in another file) are solved again, never counted."""
    import json as _json
    import random

    from theorymodel.complexity.census import census

    n = 2
    truth = census(n, cls, db=tmp_path / "fresh.sqlite", progress=False)
    db = tmp_path / "edited.sqlite"
    census(n, cls, db=db, progress=False)
    rows = sqlite3.connect(db).execute("SELECT tt, length, witness, lower_bound FROM length").fetchall()
    rng = random.Random(0)
    edits = [
        ("length to 7", "UPDATE length SET length = 7 WHERE tt = ?", ()),
        ("length 1.5", "UPDATE length SET length = 1.5 WHERE tt = ?", ()),
        ("length text", "UPDATE length SET length = 'two' WHERE tt = ?", ()),
        ("length null", "UPDATE length SET length = NULL WHERE tt = ?", ()),
        ("witness emptied", "UPDATE length SET witness = '[]' WHERE tt = ?", ()),
        ("witness not json", "UPDATE length SET witness = '[{' WHERE tt = ?", ()),
        ("lower bound lowered", "UPDATE length SET lower_bound = ? WHERE tt = ?",
         (_json.dumps({"k": 0, "status": "unsat"}),)),
        ("lower bound removed", "UPDATE length SET lower_bound = '{}' WHERE tt = ?", ()),
    ]
    ones = [r for r in rows if r[1] == 1]
    tt1, _, w1, _ = ones[0]
    (first,) = _json.loads(w1)
    second = {**first, "token_weights": [0]} if cls == "linear" else dict(first)
    padded = _json.dumps([first, second])  # computes the function with one token more than needed
    edits += [
        ("padded witness, forged record", "UPDATE length SET length = 2, witness = ?, lower_bound = ? WHERE tt = ?",
         (padded, _json.dumps({"k": 2, "status": "unsat", "solver": "forged"}))),
        ("forged inexpressible", "UPDATE length SET length = NULL, witness = '[]', lower_bound = ? WHERE tt = ?",
         (_json.dumps({"k": None, "status": "inexpressible"}),)),
    ]
    for name, sql, extra in edits:
        tt = tt1 if "padded" in name else rng.choice([r[0] for r in rows if r[1] is not None])
        con = sqlite3.connect(db)
        con.execute(sql, (*extra, tt))
        con.commit()
        con.close()
        out = census(n, cls, db=db, progress=False)
        assert out["functions_by_length"] == truth["functions_by_length"], name
        assert out["rejected_rows"] == 1 and out["rejected"][0]["tt"] == tt, name
        assert census(n, cls, db=db, progress=False)["rejected_rows"] == 0  # solved again and stored


def test_census_on_a_closed_port_fails_fast(tmp_path, cli):
    import socket
    import time

    with socket.socket() as s:  # a port nobody listens at
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    start = time.perf_counter()
    code, _, err = cli("census", "--n", "2", "--db", str(tmp_path / "c.sqlite"), "--scheduler",
                       f"tcp://127.0.0.1:{port}")
    assert code == 2 and "cannot reach the Dask scheduler" in err and time.perf_counter() - start < 10
