"""Certificate files others can check: the lower bound of a length-complexity answer
("k - 1 tokens cannot do it") in the formats of the field.

- SAT classes (``parity-K``, ``b2``): the refuted query as DIMACS (``k<K>.cnf``) and a DRAT
  proof of its unsatisfiability from the solver (``k<K>.drat``, CaDiCaL 1.9.5 through
  python-sat). The proof is checked by :mod:`proofs_check.certificates.drat`, a forward RUP/RAT checker
  that shares no code with any solver, and the CNF is solved again by a second solver
  (z3), reading only the file.
- ``linear``: the refuted z3 query over the certificate inputs as SMT-LIB2 (``k<K>.smt2``),
  checked by a fresh z3 process that reads only the file.

Every file is written atomically; ``certificate.json`` in the same folder says what each
file claims and how it was checked. A certified file holds the query and nothing else: no
name, path or free text enters it (its only comment is a fixed line), ``certificate.json``
records the SHA-256 of its exact bytes, and before anything is reported the file is read
back and its clauses (or assertions), in canonical form, are compared with the query that
was solved.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from theorymodel.complexity.classes.child import run_in_child
from theorymodel.complexity.classes.cnf import CNF
from theorymodel.complexity.search import LengthResult
from theorymodel.errors import UsageError
from theorymodel.io import atomic_write_files

PROOF_SOLVER = ("cadical195", "CaDiCaL 1.9.5")
CHECK_TIMEOUT = 600.0


def drat_proof(cnf: CNF) -> list[str]:
    """A DRAT proof of the CNF's unsatisfiability, from CaDiCaL through python-sat.

    Raises
    ------
    UsageError
        Without python-sat (``pip install 'theorymodel[sat]'``) or when the CNF is satisfiable.
    """
    try:
        from pysat.solvers import Solver
    except ImportError:
        raise UsageError("DRAT proofs need python-sat: pip install 'theorymodel[sat]'") from None
    def call() -> bytes:  # in a forked child: CaDiCaL holds the GIL (classes/child.py)
        with Solver(name=PROOF_SOLVER[0], bootstrap_with=cnf.clauses, with_proof=True) as s:
            if s.solve():
                return b"sat"
            return "\n".join(["unsat", *(s.get_proof() or [])]).encode()

    lines = run_in_child(call).decode().split("\n")
    if lines[0] != "unsat":
        raise UsageError("the refuted query is satisfiable: no proof to write")
    return lines[1:]


def _arg(path: Path) -> str:
    """An absolute path: a folder named "-x" must not read as an option to the checker."""
    return str(path.resolve())


def _run_checker(args: list[str]) -> tuple[int, str]:
    """Run a checker in a fresh Python process (it sees only the files)."""
    # our own interpreter and module, file paths we wrote: no untrusted input reaches the command
    try:
        proc = subprocess.run([sys.executable, *args], capture_output=True, text=True,  # noqa: S603
                              timeout=CHECK_TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        return 124, f"the checker ran past {CHECK_TIMEOUT:.0f} s (not checked)"
    return proc.returncode, (proc.stdout + proc.stderr).strip()


def _canonical_clauses(clauses: list[list[int]]) -> list[tuple[int, ...]]:
    """A CNF up to the order of literals within clauses (the clause order is kept)."""
    return [tuple(sorted(set(c))) for c in clauses]


def _read_back_cnf(path: Path, cnf: CNF) -> bool:
    """Does the DIMACS file on disk hold exactly the solved CNF?"""
    from proofs_check.certificates.drat import read_dimacs

    try:
        n_vars, clauses = read_dimacs(path.read_bytes())
    except (OSError, ValueError):
        return False
    return n_vars == cnf.top and _canonical_clauses(clauses) == _canonical_clauses(cnf.clauses)


def _read_back_smt2(path: Path, solver: Any) -> bool:
    """Does the SMT-LIB2 file on disk assert exactly what the solver was asked?"""
    import z3

    try:
        parsed = z3.parse_smt2_string(path.read_text(encoding="ascii"), ctx=solver.ctx)
    except (OSError, UnicodeDecodeError, z3.Z3Exception):
        return False
    asserted = list(solver.assertions())
    return len(parsed) == len(asserted) and all(a.eq(b) for a, b in zip(parsed, asserted, strict=True))


def _stage(files: dict[str, bytes], scratch: str) -> Path:
    """``files`` written into the private folder ``scratch``, for the checkers to read."""
    for name, data in files.items():
        (Path(scratch) / name).write_bytes(data)
    return Path(scratch)


def write_certificate(result: LengthResult, directory: str | Path) -> dict[str, Any]:
    """Write the lower bound's files into ``directory`` and check them outside this process.

    Returns what ``certificate.json`` holds: the claim, the files, and each check's verdict.
    """
    refuted = result.refuted
    folder = Path(directory)
    if refuted is None or refuted.query is None:  # k = 1: the answer is itself a generated token
        trivial: dict[str, Any] = {
            "claim": f"the length complexity is at least 1 (the answer is a generated token); it is "
                     f"{result.length_complexity}", "class": result.cls, "files": {}, "verified": True}
        # written all the same, so that no earlier certificate stays in the folder as if it were this one's
        atomic_write_files(folder, {"certificate.json": (json.dumps(trivial, indent=2) + "\n").encode()})
        return {**trivial, "written": [str(folder / "certificate.json")]}
    k = refuted.k
    claim = (f"no {k} tokens of class {result.cls} compute {result.target.name} on all 2^{result.target.n} "
             f"inputs; so the length complexity is {result.length_complexity}")
    files: dict[str, bytes] = {}
    report: dict[str, Any] = {"claim": claim, "class": result.cls, "k": k, "target": result.target.name,
                              "n": result.target.n, "encoding": refuted.certificate}
    with tempfile.TemporaryDirectory() as scratch:  # the checkers read the bytes that will be written
        if isinstance(refuted.query, CNF):
            from proofs_check.certificates.drat import write_dimacs

            cnf = refuted.query
            cnf_name, drat_name = f"k{k}.cnf", f"k{k}.drat"
            files[cnf_name] = write_dimacs(cnf.top, cnf.clauses, ["expected: UNSAT"]).encode("ascii")
            proof = drat_proof(cnf)
            files[drat_name] = ("\n".join(proof) + "\n").encode("ascii")
            report["files"] = {"cnf": cnf_name, "drat": drat_name}
            report["proof_solver"] = f"python-sat ({PROOF_SOLVER[1]}), {len(proof)} proof lines"
            staged = _stage(files, scratch)
            report["read_back"] = {"file": cnf_name, "equals_solved_query": _read_back_cnf(staged / cnf_name, cnf)}
            code, out = _run_checker(["-m", "proofs_check.certificates.drat", _arg(staged / cnf_name),
                                      _arg(staged / drat_name)])
            report["drat_check"] = {"checker": "proofs_check.certificates.drat (forward RUP/RAT, a fresh process)",
                                    "verified": code == 0, "output": out}
            code2, out2 = _run_checker(["-m", "proofs_check.certificates.drat", "--resolve", _arg(staged / cnf_name)])
            report["second_solver"] = {"solver": "z3 (a fresh process reading the DIMACS file)", "unsat": code2 == 0,
                                       "output": out2}
            report["verified"] = code == 0 and code2 == 0 and report["read_back"]["equals_solved_query"]
        else:
            smt_name = f"k{k}.smt2"
            files[smt_name] = f"; expected: unsat\n{refuted.query.to_smt2()}".encode("ascii")
            report["files"] = {"smt2": smt_name}
            staged = _stage(files, scratch)
            report["read_back"] = {"file": smt_name,
                                   "equals_solved_query": _read_back_smt2(staged / smt_name, refuted.query)}
            code, out = _run_checker(["-c", "import sys, z3; s = z3.Solver(); s.from_file(sys.argv[1]); "
                                            "r = s.check(); print(r); sys.exit(0 if r == z3.unsat else 1)",
                                      _arg(staged / smt_name)])
            report["smt_check"] = {"checker": "z3 (a fresh process reading the SMT-LIB2 file)", "unsat": code == 0,
                                   "output": out}
            report["verified"] = code == 0 and report["read_back"]["equals_solved_query"]
    report["sha256"] = {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}
    # the checked bytes and their certificate as one set, certificate.json last
    atomic_write_files(folder, {**files, "certificate.json": (json.dumps(report, indent=2) + "\n").encode()})
    report["written"] = [str(folder / name) for name in (*files, "certificate.json")]
    return report
