"""NPN classes by cofactors (theorymodel.complexity.npn_classes) against brute force and
OEIS, and the census's first layer against the count of threshold functions."""

from __future__ import annotations

import json

import numpy as np
import pytest

from theorymodel.cli import main
from theorymodel.complexity.npn import classes, transforms
from theorymodel.complexity.npn_classes import A000370, A000609, class_table, npn_table, unate


@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_classes_by_cofactors_equal_the_brute_force_and_oeis(n):
    reps, orbits = class_table(n)
    assert dict(zip(reps.tolist(), orbits.tolist(), strict=True)) == classes(n)
    assert len(reps) == A000370[n]
    assert int(orbits.sum()) == 2 ** (2**n)


def _brute_canon(codes: np.ndarray, n: int) -> np.ndarray:
    """The least code of each orbit over all 2 n! 2^n transforms (n = 5: 7,680)."""
    full = np.uint64((1 << 2**n) - 1)
    best = codes.copy()
    for idx in transforms(n):
        moved = np.zeros_like(codes)
        for r, src in enumerate(idx.tolist()):
            moved |= ((codes >> np.uint64(src)) & np.uint64(1)) << np.uint64(r)
        np.minimum(best, np.minimum(moved, moved ^ full), out=best)
    return best


def test_five_input_representatives_of_one_high_half_are_exactly_the_orbit_minima():
    high = int(np.unique(npn_table(4).canon)[40])  # one 4-input class representative
    reps, orbits = class_table(5, highs=[high])
    assert len(reps) and (reps >> np.uint64(16) == high).all()
    # every representative, and 2,000 other functions with this high half, by brute force
    rng = np.random.default_rng(0)
    low = np.union1d(reps & np.uint64(0xFFFF), rng.choice(2**16, 2000, replace=False).astype(np.uint64))
    codes = low | (np.uint64(high) << np.uint64(16))
    canon = _brute_canon(codes, 5)
    assert reps.tolist() == codes[canon == codes].tolist()
    # orbit sizes: count each representative's orbit members among a sample of its images
    for rep, size in list(zip(reps.tolist(), orbits.tolist(), strict=True))[:3]:
        images = set()
        for idx in transforms(5):
            moved = sum(((rep >> int(src)) & 1) << r for r, src in enumerate(idx.tolist()))
            images |= {moved, moved ^ ((1 << 32) - 1)}
        assert len(images) == size


def test_unate_is_monotone_or_antitone_in_every_input():
    n = 3
    codes = np.arange(256, dtype=np.uint64)
    got = unate(codes, n)
    x = [[(r >> (n - 1 - i)) & 1 for i in range(n)] for r in range(8)]
    for code in range(256):
        f = [(code >> r) & 1 for r in range(8)]
        ok = True
        for i in range(n):
            pairs = [(f[r], f[r | (1 << (n - 1 - i))]) for r in range(8) if not x[r][i]]
            ok &= all(a <= b for a, b in pairs) or all(a >= b for a, b in pairs)
        assert bool(got[code]) == ok


@pytest.mark.parametrize("n", [2, 3, 4])
def test_first_layer_counts_the_threshold_functions(tmp_path, capsys, n):
    db = tmp_path / "census.db"
    assert main(["census", "--n", str(n), "--max-k", "1", "--db", str(db), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["functions_by_length"]["1"] == A000609[n]
    assert out["classes"] == A000370[n] and out["functions"] == 2 ** (2**n)
    assert out["classes_table"] == "computed"
    assert main(["census", "--n", str(n), "--max-k", "1", "--db", str(db), "--json"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["classes_table"] == "stored, every row checked"
    assert again["functions_by_length"] == out["functions_by_length"]


def test_a_forged_class_table_is_computed_again(tmp_path, capsys):
    import sqlite3

    db = tmp_path / "census.db"
    assert main(["census", "--n", "3", "--max-k", "1", "--db", str(db), "--json"]) == 0
    capsys.readouterr()
    con = sqlite3.connect(db)
    con.execute("UPDATE npn_classes SET orbit = orbit + 1 WHERE n = 3 AND rep = 0")
    con.commit()
    con.close()
    assert main(["census", "--n", "3", "--max-k", "1", "--db", str(db), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["classes_table"] == "computed" and out["functions_by_length"]["1"] == A000609[3]


def test_six_inputs_without_the_first_layer_flag_is_a_resource_limit(tmp_path, capsys):
    assert main(["census", "--n", "6", "--db", str(tmp_path / "c.db")]) == 3  # n = 5: the layered census
    assert "--max-k 1" in capsys.readouterr().err


def test_a_forged_row_of_the_right_shape_is_caught(tmp_path, capsys):
    """A threshold class's row overwritten by a code that is not a class representative,
    with the count, the orbit sum and the order kept: the first layer checks every row by
    brute force and enumerates again; the sample checks the rows it draws."""
    import sqlite3

    from theorymodel.complexity.npn_classes import class_table, orbit_facts
    from theorymodel.complexity.sample import sample_census

    reps, orbits = class_table(4)
    least, sizes = orbit_facts(reps, 4)
    assert (least == reps).all() and (sizes == orbits).all() and int(sizes.sum()) == 2**16
    db = tmp_path / "census.db"
    assert main(["census", "--n", "4", "--max-k", "1", "--db", str(db), "--json"]) == 0
    capsys.readouterr()
    con = sqlite3.connect(db)
    # a class loses its row to the next code up, which is no class's least code; the order
    # and the orbit sum are kept
    rep = next(int(r) for r in reps.tolist() if r + 1 not in set(reps.tolist()) and r > 0)
    con.execute("UPDATE npn_classes SET rep = rep + 1 WHERE n = 4 AND rep = ?", (rep,))
    con.commit()
    con.close()
    assert main(["census", "--n", "4", "--max-k", "1", "--db", str(db), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["classes_table"] == "computed" and out["functions_by_length"]["1"] == A000609[4]
    con = sqlite3.connect(db)
    con.execute("UPDATE npn_classes SET rep = rep + 1 WHERE n = 4 AND rep = ?", (rep,))
    con.commit()
    con.close()
    whole = sample_census(4, k=222, seed=0, db=str(db), progress=False)  # draws every row, the forged one too
    assert whole["classes_by_length"] == {"1": 15, "2": 174, "3": 33}  # n = 4 in full: 222 classes
    assert whole["estimate"]["1"]["functions"] == A000609[4] == whole["estimate"]["1"]["low"]
    stored = sqlite3.connect(db).execute("SELECT rep FROM npn_classes WHERE n = 4 ORDER BY rep").fetchall()
    assert [r for (r,) in stored] == [int(r) for r in reps.tolist()]  # enumerated again and stored


@pytest.mark.parametrize("forgery", ["real", "negative", "blob", "text", "wrapped_sum"])
def test_stored_values_of_the_wrong_type_or_range_are_never_used(tmp_path, capsys, forgery):
    """SQLite keeps whatever type was written, and numpy would coerce it (2.5 -> 2, -1 ->
    a crash, a blob -> a crash): such a table is enumerated again and rewritten."""
    import sqlite3

    db = tmp_path / "census.db"
    assert main(["census", "--n", "3", "--max-k", "1", "--db", str(db), "--json"]) == 0
    capsys.readouterr()
    con = sqlite3.connect(db)
    rep = con.execute("SELECT max(rep) FROM npn_classes WHERE n = 3").fetchone()[0]
    change = {"real": "UPDATE npn_classes SET rep = rep + 0.5, orbit = orbit + 0.9 WHERE n = 3",
              "negative": f"UPDATE npn_classes SET rep = -1 WHERE n = 3 AND rep = {rep}",
              "blob": f"UPDATE npn_classes SET rep = x'0102' WHERE n = 3 AND rep = {rep}",
              "text": f"UPDATE npn_classes SET rep = 'x' WHERE n = 3 AND rep = {rep}",
              # orbits near 2^62 whose int64 sum wraps to 256
              "wrapped_sum": f"UPDATE npn_classes SET orbit = orbit + {2**62} WHERE n = 3 AND rep = {rep}"}[forgery]
    con.execute(change)
    con.commit()
    con.close()
    assert main(["census", "--n", "3", "--max-k", "1", "--db", str(db), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["classes_table"] == "computed" and out["functions_by_length"]["1"] == A000609[3]
    kinds = sqlite3.connect(db).execute("SELECT DISTINCT typeof(rep), typeof(orbit) FROM npn_classes").fetchall()
    assert kinds == [("integer", "integer")]


def test_a_foreign_npn_classes_table_is_refused(tmp_path, capsys):
    import sqlite3

    db = tmp_path / "census.db"
    sqlite3.connect(db).execute("CREATE TABLE npn_classes (n INTEGER, rep INTEGER)").connection.commit()
    assert main(["census", "--n", "3", "--max-k", "1", "--db", str(db)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1 and "npn_classes" in err
