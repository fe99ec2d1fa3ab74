"""The layered census (docs/census.md, "n = 5: every class decided"): the n <= 4 tables by
the same code path as n = 5, the result file, and a checker that catches forged rows."""

from __future__ import annotations

import csv
import gzip
import io
import json
import sqlite3

import numpy as np
import pytest

from theorymodel.complexity.census import census
from theorymodel.complexity.census_file import HEADER, check_file
from theorymodel.complexity.classes.linear import LinearClass, find_witness
from theorymodel.complexity.npn import to_tt

#: the per-class exact census (tests/test_census.py, docs/census.md): classes and functions per length
EXACT = {1: ({"1": 2}, {"1": 4}), 2: ({"1": 3, "2": 1}, {"1": 14, "2": 2}),
         3: ({"1": 6, "2": 8}, {"1": 104, "2": 152}),
         4: ({"1": 15, "2": 174, "3": 33}, {"1": 1882, "2": 50284, "3": 13370})}


@pytest.fixture(scope="module")
def table4(tmp_path_factory):
    """The layered census of n = 4 and its exported file (the rows as lists)."""
    folder = tmp_path_factory.mktemp("census4")
    db = folder / "c.sqlite"
    for n in range(1, 5):
        out = census(n, db=db, layered=True, progress=False, workers=2)
        assert (out["classes_by_length"], out["functions_by_length"]) == EXACT[n]
    from theorymodel.complexity.census_file import export_file

    exported = export_file(db, 4, folder / "c4.csv.gz")
    text = gzip.decompress((folder / "c4.csv.gz").read_bytes()).decode()
    return db, folder, exported, list(csv.reader(io.StringIO(text)))


def test_the_layered_path_reproduces_the_exact_tables_and_reuses_checked_rows(table4):
    db, _, exported, rows = table4
    assert exported["rows"] == 222 and rows[0] == HEADER and len(rows) == 223
    assert {r[3] for r in rows[1:]} == {"first-layer", "threshold-list", "composition"}
    again = census(4, db=db, layered=True, progress=False, workers=1)
    assert again["solved_now"] == 0 and again["reused"] == 222 and again["rejected_rows"] == 0
    assert again["longest"]["length"] == 3 and len(again["longest"]["classes"]) == 33


def test_a_tampered_stored_row_is_rejected_and_decided_again(table4, tmp_path):
    db, *_ = table4
    copy = tmp_path / "c.sqlite"
    copy.write_bytes(db.read_bytes())
    con = sqlite3.connect(copy)
    tt = to_tt(0x0358, 4)
    con.execute("UPDATE length SET length = 2 WHERE n = 4 AND tt = ?", (tt,))
    con.commit()
    con.close()
    out = census(4, db=copy, layered=True, progress=False, workers=1)
    assert out["rejected_rows"] == 1 and out["solved_now"] == 1
    assert out["classes_by_length"] == EXACT[4][0]


def _write(folder, rows, name="f.csv"):
    path = folder / name
    with path.open("w", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
    return path


def test_the_exported_file_checks(table4):
    _, folder, exported, _ = table4
    report = check_file(folder / "c4.csv.gz", 4, workers=1, progress=False)
    assert report["verified"] and report["rows"] == 222 and report["sha256"] == exported["sha256"]


def _row_of(rows, rep):
    return next(i for i, r in enumerate(rows) if r[0] == rep)


def _padded(witness_text: str) -> str:
    """A valid witness one token longer: a zero token first, every later token reads it
    with weight 0."""
    tokens = json.loads(witness_text)
    n = len(tokens[0]["input_weights"])
    longer = [{"input_weights": [0] * n, "token_weights": [], "threshold": 1}]
    longer += [{**t, "token_weights": [0, *t["token_weights"]]} for t in tokens]
    return json.dumps(longer)


def forgeries(rows):
    """Each: a name and the rows with one forged row (or one row dropped)."""
    three = _row_of(rows, "0358")  # length 3, lower bound by composition
    two = next(i for i, r in enumerate(rows) if r[2] == "2")
    out = {}
    r = [list(x) for x in rows]
    r[three][2], r[three][3], r[three][4] = "4", "certificate", _padded(rows[three][4])
    out["length 3 claimed 4 with a valid 4-token witness and a certificate"] = r
    r = [list(x) for x in rows]
    r[two][2], r[two][3], r[two][4] = "3", "composition", _padded(rows[two][4])
    out["length 2 claimed 3 with a valid 3-token witness"] = r
    r = [list(x) for x in rows]
    r[three][2] = "2"
    out["length 3 claimed 2 (its witness has 3 tokens)"] = r
    r = [list(x) for x in rows]
    r[three][3] = "threshold-list"
    out["lower bound mislabelled"] = r
    r = [list(x) for x in rows]
    r[two][1] = str(int(r[two][1]) + 1)
    out["an orbit size changed"] = r
    out["a class dropped"] = [list(x) for i, x in enumerate(rows) if i != two]
    r = [list(x) for x in rows]
    w = json.loads(rows[two][4])
    w[-1]["threshold"] += 1
    r[two][4] = json.dumps(w)
    out["a witness's threshold moved"] = r
    return out


#: each forgery and what the checker must say about it
FORGERIES = {"length 3 claimed 4 with a valid 4-token witness and a certificate": "3 tokens are not refuted",
             "length 2 claimed 3 with a valid 3-token witness": "past the layer's 2",
             "length 3 claimed 2 (its witness has 3 tokens)": "the witness has 3 tokens",
             "lower bound mislabelled": "the lower bound is composition",
             "an orbit size changed": "not the class table", "a class dropped": "not the class table",
             "a witness's threshold moved": "does not compute the function"}


@pytest.mark.parametrize("name", FORGERIES)
def test_a_forged_row_is_caught(table4, tmp_path, name):
    _, _, _, rows = table4
    forged = forgeries(rows[1:])[name]
    assert set(forgeries(rows[1:])) == set(FORGERIES)
    report = check_file(_write(tmp_path, [HEADER, *forged]), 4, workers=1, progress=False)
    assert not report["verified"] and FORGERIES[name] in report["failures"][0]["reason"]


def test_the_padded_witness_is_valid_so_only_the_lower_bound_catches_it(table4):
    """The forgery above is not caught by re-simulation: the checker must re-decide."""
    _, _, _, rows = table4
    three = rows[_row_of(rows, "0358")]
    tokens = json.loads(_padded(three[4]))
    hclass = LinearClass()
    from theorymodel.circuits.model import all_assignments

    out = hclass.simulate(hclass.witness_from_json(tokens, 4), all_assignments(4))[:, -1]
    assert np.array_equal(out, [(0x0358 >> r) & 1 for r in range(16)])


def test_cli_check_and_export(cli, table4, tmp_path):
    _, folder, _, rows = table4
    code, out, _ = cli("census", "--n", "4", "--check", str(folder / "c4.csv.gz"))
    assert code == 0 and "every row checked" in out
    forged = forgeries(rows[1:])["length 3 claimed 2 (its witness has 3 tokens)"]
    code, _, err = cli("census", "--n", "4", "--check", str(_write(tmp_path, [HEADER, *forged])))
    assert code == 1 and err.strip().startswith("error:")
    for bad in ("", "a,b\n", "\x1f\x8bnot gzip"):
        path = tmp_path / "bad.csv"
        path.write_bytes(bad.encode("latin-1"))
        code, _, err = cli("census", "--n", "4", "--check", str(path))
        assert code == 2 and err.count("error:") == 1
    code, _, err = cli("census", "--n", "4", "--check", str(tmp_path / "missing.csv"))
    assert code == 2
    code, _, err = cli("census", "--n", "4", "--db", str(tmp_path / "empty.sqlite"), "--max-k", "2",
                       "--export", str(tmp_path / "x.csv"))
    assert code == 2 and not (tmp_path / "x.csv").exists()


@pytest.mark.parametrize("k", [1, 2, 3])
def test_find_witness_agrees_with_the_exact_search(k):
    """The bulk witness query and the documented one agree on sat / unsat (n = 3, all
    256 functions at k = 1, 2; every function has length <= 2 at n = 3, so k = 3 is sat)."""
    from theorymodel.complexity.classes.linear import solve_k
    from theorymodel.complexity.targets import Target

    for code in range(0, 256, 3 if k == 3 else 1):
        table = np.array([(code >> r) & 1 for r in range(8)], dtype=np.uint8)
        status, witness = find_witness(table, 3, k)
        assert status == solve_k(Target("t", 3, table), k).status
        assert (witness is not None) == (status == "sat")


HARNESS = """
import sys, time
import theorymodel.complexity.layered as layered

def busy(n, code, lower, max_k=8):  # a worker busy in one long computation, as in a z3 query
    start = time.time()
    while time.time() - start < 60:
        sum(range(10000))

layered.decide = busy
from theorymodel.cli.main import entry
sys.argv = ["theorymodel", "census", "--n", "4", "--layered", "--db", sys.argv[1], "--workers", "2"]
entry()
"""


@pytest.mark.parametrize("signum", ["SIGINT", "SIGTERM"])
def test_a_stop_signal_ends_the_worker_pool_at_once(tmp_path, signum):
    """While the workers decide classes: exit 128 + signal within the contract's second
    (docs/contract.md, "Signals"), one error line, no traceback, no worker left behind.
    The signal goes to the whole process group, as Ctrl-C in a terminal sends it: the
    workers must leave it to the parent."""
    import os
    import signal
    import subprocess
    import sys
    import time

    script = tmp_path / "harness.py"
    script.write_text(HARNESS)
    proc = subprocess.Popen([sys.executable, str(script), str(tmp_path / "c.sqlite")], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    time.sleep(5)  # past start-up and into the pool (n = 4's layer takes well under a second)
    sig = getattr(signal, signum)
    start = time.monotonic()
    os.killpg(proc.pid, sig)
    _, err = proc.communicate(timeout=30)
    seconds = time.monotonic() - start
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert proc.returncode == 128 + sig and lines[-1] == "error: interrupted"
    assert "Traceback" not in err and seconds < 2.0
    time.sleep(0.3)
    left = subprocess.run(["pgrep", "-f", str(script)], capture_output=True, text=True).stdout.split()
    assert [pid for pid in left if int(pid) != os.getpid()] == []
