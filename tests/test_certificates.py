"""Certificates others can check: DIMACS + DRAT for the SAT classes, SMT-LIB2 for the
linear class, each re-checked in a fresh process that reads only the files; and the
DRAT checker itself, which must reject broken proofs and broken formulas."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from proofs_check.certificates.drat import check_drat, read_dimacs, write_dimacs
from theorymodel.cli import main

PHP_3_2 = [  # pigeonhole: 3 pigeons, 2 holes (variables p*2 + h + 1)
    [1, 2], [3, 4], [5, 6], [-1, -3], [-1, -5], [-3, -5], [-2, -4], [-2, -6], [-4, -6],
]


def run(args: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.parametrize(("target", "n", "cls", "k"), [("parity", 5, "parity-2", 3), ("majority", 3, "b2", 3),
                                                       ("parity", 4, "b2", 2)])
def test_sat_class_certificates_are_checked_outside_the_process(tmp_path, capsys, target, n, cls, k):
    assert main(["length", target, "--n", str(n), "--class", cls, "--certificate", str(tmp_path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    cert = out["certificate"]
    assert cert["verified"] and cert["k"] == k and cert["drat_check"]["verified"] and cert["second_solver"]["unsat"]
    cnf, drat = tmp_path / f"k{k}.cnf", tmp_path / f"k{k}.drat"
    assert json.loads((tmp_path / "certificate.json").read_text())["files"] == {"cnf": cnf.name, "drat": drat.name}
    # an independent re-check in a fresh process, from the files alone
    proc = run(["-m", "proofs_check.certificates.drat", str(cnf), str(drat)])
    assert proc.returncode == 0 and "s VERIFIED" in proc.stdout
    assert run(["-m", "proofs_check.certificates.drat", "--resolve", str(cnf)]).returncode == 0
    # the same proof does not prove a weaker formula: drop the clauses that fix the answer
    n_vars, clauses = read_dimacs(cnf.read_text())
    weaker = tmp_path / "weaker.cnf"
    weaker.write_text(write_dimacs(n_vars, [c for c in clauses if len(c) > 1]))
    assert run(["-m", "proofs_check.certificates.drat", str(weaker), str(drat)]).returncode == 1
    assert run(["-m", "proofs_check.certificates.drat", "--resolve", str(weaker)]).returncode == 1  # satisfiable


def test_linear_certificate_is_smt2_rechecked_by_a_fresh_z3(tmp_path, capsys):
    assert main(["length", "parity", "--n", "5", "--smt2", str(tmp_path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["certificate"]["smt_check"]["unsat"] and out["lower_bound"]["k"] == 3
    script = "import sys, z3; s = z3.Solver(); s.from_file(sys.argv[1]); print(s.check())"
    proc = run(["-c", script, str(tmp_path / "k2.smt2")])
    assert proc.stdout.strip() == "unsat"


def test_the_drat_checker_accepts_a_real_proof_and_rejects_broken_ones():
    from pysat.solvers import Solver

    with Solver(name="cadical195", bootstrap_with=PHP_3_2, with_proof=True) as s:
        assert not s.solve()
        proof = "\n".join(s.get_proof())
    assert check_drat(6, PHP_3_2, proof).verified
    assert not check_drat(6, PHP_3_2, "").verified  # no empty clause derived
    bogus = check_drat(4, [[1, 2], [1, -2], [3, 4]], "-1 0\n0\n")  # -1 contradicts the formula
    assert not bogus.verified and "neither RUP nor RAT" in bogus.reason
    assert not check_drat(6, PHP_3_2[:-1], proof).verified  # a satisfiable formula has no proof
    assert check_drat(2, [[1], [-1]], "0\n").verified  # conflict by propagation alone


def test_rat_lemmas_are_accepted_on_their_first_literal():
    # x3 is fresh: the lemma (3) is RAT on 3 (no clause holds -3), then -3 ... as in extended resolution
    assert check_drat(2, [[1, 2], [-1, 2], [1, -2], [-1, -2]], "3 0\n2 0\n0\n").verified


def test_length_flags_that_need_one_n_are_refused(capsys):
    assert main(["length", "parity", "--n", "3..5", "--certificate", "x"]) == 2
    assert main(["length", "parity", "--n", "5", "--class", "b2", "--smt2", "x"]) == 2
    err = capsys.readouterr().err
    assert "single --n" in err and "DIMACS and DRAT" in err


def test_a_malformed_dimacs_file_is_exit_2(tmp_path):
    bad = tmp_path / "bad.cnf"
    bad.write_text("p cnf 2 3\n1 2 0\n")
    assert run(["-m", "proofs_check.certificates.drat", str(bad), str(bad)]).returncode == 2
    assert Path(bad).exists()


HOSTILE_NAME = "x\n(assert false)\n|)%\n1 -1 0\nc"


@pytest.mark.parametrize(("cls", "files"), [("linear", ("k1.smt2",)), ("b2", ("k1.cnf", "k1.drat"))])
def test_no_name_enters_a_certified_file(tmp_path, capsys, cls, files):
    import hashlib

    bench = tmp_path / f"{HOSTILE_NAME}.bench"
    bench.write_text("INPUT(a)\nINPUT(b)\nINPUT(c)\nOUTPUT(g)\nh = XOR(a, b)\ng = XOR(h, c)\n")
    out = tmp_path / "cert"
    assert main(["length", str(bench), "--n", "3", "--class", cls, "--certificate", str(out), "--json"]) == 0
    cert = json.loads((out / "certificate.json").read_text())
    assert cert["verified"] and cert["read_back"]["equals_solved_query"]
    assert "assert false" in cert["target"]  # the name is kept, escaped, in the JSON only
    for name in files:
        data = (out / name).read_bytes()
        assert cert["sha256"][name] == hashlib.sha256(data).hexdigest()
        assert b"assert false" not in data and b"|)%" not in data
        assert all(line.isascii() and line.isprintable() for line in data.decode().splitlines())


def test_the_read_back_catches_a_file_that_differs_from_the_query(tmp_path):
    import z3

    from theorymodel.complexity.certificate import _read_back_cnf, _read_back_smt2
    from theorymodel.complexity.classes.cnf import CNF

    cnf = CNF()
    a, b = cnf.var(), cnf.var()
    cnf.add([a, b])
    cnf.add([-a])
    cnf.add([-b])
    path = tmp_path / "q.cnf"
    path.write_text(write_dimacs(2, [[1, 2], [-1], [-2]]))
    assert _read_back_cnf(path, cnf)
    path.write_text(write_dimacs(2, [[1, 2], [-1], [-2], [1, -1]]))  # a tautology more
    assert not _read_back_cnf(path, cnf)
    s = z3.Solver()
    x = z3.Real("x")
    s.add(x > 1, x < 0)
    smt = tmp_path / "q.smt2"
    smt.write_text(s.to_smt2())
    assert _read_back_smt2(smt, s)
    smt.write_text(s.to_smt2().replace("(check-sat)", "(assert false)\n(check-sat)"))
    assert not _read_back_smt2(smt, s)


def test_an_interrupted_certificate_write_leaves_no_certificate_of_the_old_set(tmp_path, capsys, monkeypatch):
    """A run killed between the renames of a certificate's files must not leave the old
    certificate.json beside new k*.cnf files (its hashes would name other bytes): the set's
    last file is removed first and renamed in last."""
    import os

    assert main(["length", "parity", "--n", "4", "--class", "parity-2", "--certificate", str(tmp_path)]) == 0
    capsys.readouterr()
    renames = []
    real_replace = os.replace

    def stop_after_one(src, dst):
        if renames:
            raise KeyboardInterrupt  # the signal arrives between two renames
        renames.append(dst)
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", stop_after_one)
    code = main(["length", "parity", "--n", "7", "--class", "parity-3", "--certificate", str(tmp_path)])
    monkeypatch.undo()
    assert code == 130 and capsys.readouterr().err.strip() == "error: interrupted"
    assert not (tmp_path / "certificate.json").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]  # no temp file left


def test_a_certificate_leaves_other_files_alone_and_writes_through_a_link(tmp_path, capsys):
    real = tmp_path / "real"
    real.mkdir()
    (real / "verdict.json").write_text("{}")  # another command's file, written meanwhile
    link = tmp_path / "link"
    link.symlink_to(real)
    assert main(["length", "parity", "--n", "4", "--class", "parity-2", "--certificate", str(link)]) == 0
    assert link.is_symlink() and (real / "certificate.json").exists() and (real / "verdict.json").read_text() == "{}"
    # a length of 1 has no file to write, but its certificate.json replaces an earlier one
    assert main(["length", "and", "--n", "1", "--certificate", str(link), "--json"]) == 0
    assert json.loads((real / "certificate.json").read_text())["files"] == {}


def test_a_second_certificate_in_the_same_folder_describes_only_its_own_files(tmp_path, capsys):
    """Two commands that certify into one folder: the second's certificate.json replaces
    the first's whole, and names and hashes only the files the second wrote (the first's
    k3.cnf and k3.drat stay as other files, described by no certificate.json)."""
    import hashlib

    assert main(["length", "majority", "--n", "3", "--class", "b2", "--certificate", str(tmp_path)]) == 0
    first = json.loads((tmp_path / "certificate.json").read_text())
    assert first["files"] == {"cnf": "k3.cnf", "drat": "k3.drat"}
    assert main(["length", "parity", "--n", "5", "--certificate", str(tmp_path)]) == 0
    capsys.readouterr()
    second = json.loads((tmp_path / "certificate.json").read_text())
    assert second["files"] == {"smt2": "k2.smt2"} and set(second["sha256"]) == {"k2.smt2"}
    for name, digest in second["sha256"].items():
        assert hashlib.sha256((tmp_path / name).read_bytes()).hexdigest() == digest
    assert sorted(p.name for p in tmp_path.iterdir()) == ["certificate.json", "k2.smt2", "k3.cnf", "k3.drat"]
