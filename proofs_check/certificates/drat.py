"""Re-check an UNSAT certificate from its files alone: DIMACS CNF + DRAT proof.

``length --class parity-K|b2 --certificate DIR`` writes the UNSAT query of k - 1 tokens as
DIMACS and the solver's DRAT proof. No DRAT checker is published on the Python package
index (drat-trim and cake_lpr are C and CakeML programs), so this module is a forward
checker written from the definition (Wetzler, Heule and Hunt, "DRAT-trim", SAT 2014),
sharing no code with any solver, and self-contained: a third party needs this file and
Python, nothing else.

The rules, exactly
------------------
The checker keeps a clause database ``D``, starting as the formula, and the top-level
assignment that unit propagation derives from ``D``.

- **Clauses** are sets: a duplicate literal counts once. A tautology (``x`` and ``-x``) is
  satisfied by every assignment; it is accepted as a lemma and never stored.
- **Unit clauses** are stored like every other clause (they take part in RAT checks) and
  assign their literal at the top level.
- A lemma ``C`` is **RUP** when propagating the negation of every literal of ``C`` over
  ``D`` (on top of the top-level assignment) reaches a conflict.
- Otherwise ``C`` must be **RAT on its first literal** ``p``: for every clause ``E`` of ``D``
  holding ``-p``, the resolvent ``C | (E - {-p})`` is a tautology or RUP. The empty clause
  has no first literal and is never RAT.
- **Deletions** ``d ...`` remove one stored copy of the clause (matched as a set). As
  drat-trim does by default, a deletion is *ignored* when the clause is a unit clause or
  the reason of a top-level assignment ("ignoring deletion of unit clauses"), and when the
  clause is not in ``D``. Ignoring a deletion is always sound: every step of the
  argument below holds for any superset of the clauses.
- The proof is **verified** when it adds the empty clause and that clause is RUP, or when
  ``D`` propagates to a conflict at the top level (the formula, or a lemma, contains the
  complementary units).

Why a yes means UNSAT: each RUP lemma is implied by ``D``; each RAT lemma keeps ``D``
satisfiable if it was; deleting clauses keeps ``D`` satisfiable. So if the formula were
satisfiable, ``D`` would stay satisfiable, and could neither propagate to a conflict nor
imply the empty clause.

Limits and format
-----------------
Both files are read as ASCII text (binary DRAT is refused), at most
:data:`MAX_FILE_BYTES` each, from regular files only (a FIFO or device is refused at
once). Numbers are plain decimal integers (no ``+``, ``_`` or leading zeros); the DIMACS
file has exactly one ``p cnf V C`` line before its clauses, at most :data:`MAX_VARS`
variables, and exactly ``C`` clauses; a clause has at most :data:`MAX_CLAUSE_LITERALS`
literals; every proof line is one clause ended by ``0``. All limits are checked before
the work; parsing and tautology checks take linear time.

``python -m proofs_check.certificates.drat FILE.cnf FILE.drat`` prints ``s VERIFIED`` (exit 0) or
``s NOT VERIFIED`` with the reason (exit 1); a malformed file is one ``error:`` line and
exit 2, a file past a limit exit 3. ``--resolve FILE.cnf`` prints z3's answer on the
formula: a second solver, reading only the file.
"""

from __future__ import annotations

import os
import re
import stat
import sys
import time
from dataclasses import dataclass
from pathlib import Path

MAX_VARS = 10_000_000
MAX_CLAUSE_LITERALS = 1_000_000
MAX_FILE_BYTES = 256 * 1024 * 1024
_INT = re.compile(r"-?[1-9][0-9]{0,18}|0")  # 19 digits at most: the value is bounded before the cap is checked
_COUNT = re.compile(r"0|[1-9][0-9]{0,19}")
_SPACE = re.compile(r"[ \t]+")  # the only separators: str.split() would also split on \x1c..\x1f
MAX_RAT_CHECKS = 2_000_000  # resolvents checked over the whole proof: RAT checking is quadratic at worst


class DratFormatError(ValueError):
    """A malformed DIMACS or DRAT file (exit 2)."""


class DratLimitError(ValueError):
    """A file past one of this module's limits, found before the work (exit 3)."""


@dataclass(frozen=True)
class DratResult:
    verified: bool
    lemmas: int
    deletions: int
    rat_lemmas: int
    seconds: float
    reason: str = ""
    ignored_deletions: int = 0

    def to_json(self) -> dict[str, object]:
        return {"verified": self.verified, "lemmas": self.lemmas, "deletions": self.deletions,
                "ignored_deletions": self.ignored_deletions, "rat_lemmas": self.rat_lemmas,
                "seconds": round(self.seconds, 6), "reason": self.reason}


def _tokens(line: str) -> list[str]:
    return [t for t in _SPACE.split(line) if t]


def _literals(line: str, where: str, max_var: int) -> list[int]:
    """The integers of one line, strictly decimal, each within ``max_var``."""
    tokens = _tokens(line)
    if len(tokens) > MAX_CLAUSE_LITERALS + 1:
        raise DratLimitError(f"{where}: {len(tokens)} numbers on one line; the cap is {MAX_CLAUSE_LITERALS} literals")
    out = []
    for tok in tokens:
        if not _INT.fullmatch(tok):
            raise DratFormatError(f"{where}: {tok[:20]!r} is not a decimal literal")
        lit = int(tok)
        if abs(lit) > MAX_VARS:
            raise DratLimitError(f"{where}: variable {abs(lit)} is past the cap of {MAX_VARS}")
        if abs(lit) > max_var:
            raise DratFormatError(f"{where}: variable {abs(lit)} is past the header's {max_var}")
        out.append(lit)
    return out


def _ascii(data: str | bytes, what: str) -> str:
    if isinstance(data, str):
        if not data.isascii():
            raise DratFormatError(f"the {what} is not ASCII text (binary DRAT is not read)")
        return data
    try:
        return data.decode("ascii")
    except UnicodeDecodeError:
        raise DratFormatError(f"the {what} is not ASCII text (binary DRAT is not read)") from None


def read_dimacs(text: str | bytes) -> tuple[int, list[list[int]]]:
    """(variables, clauses) of a DIMACS CNF text, one clause per ``0``-ended run of literals.

    Raises
    ------
    DratFormatError
        No ``p cnf`` line, two of them, a clause before it, a malformed number, a literal past
        the declared variables, a clause left open, or a clause count that differs.
    DratLimitError
        More than :data:`MAX_VARS` variables or a clause past :data:`MAX_CLAUSE_LITERALS`.
    """
    text = _ascii(text, "DIMACS file")
    n_vars: int | None = None
    declared = 0
    clauses: list[list[int]] = []
    current: list[int] = []
    for number, raw in enumerate(text.split("\n"), 1):
        line = raw.strip(" \t\r")
        if not line or line[0] == "c":
            continue
        where = f"line {number}"
        if line[0] == "p":
            parts = _tokens(line)
            if n_vars is not None:
                raise DratFormatError(f"{where}: a second problem line")
            if clauses or current:
                raise DratFormatError(f"{where}: the problem line comes after a clause")
            if len(parts) != 4 or parts[:2] != ["p", "cnf"] or not all(_COUNT.fullmatch(x)
                                                                       for x in parts[2:]):
                raise DratFormatError(f"{where}: bad problem line {line[:60]!r}")
            n_vars, declared = int(parts[2]), int(parts[3])
            if n_vars > MAX_VARS:
                raise DratLimitError(f"{where}: {n_vars} variables; the cap is {MAX_VARS}")
            if declared > len(text) // 2 + 1:  # every clause takes at least "0\n"
                raise DratFormatError(f"{where}: {declared} clauses cannot fit in {len(text)} bytes")
            continue
        if n_vars is None:
            raise DratFormatError(f"{where}: a clause before the problem line")
        for lit in _literals(line, where, n_vars):
            if lit == 0:
                clauses.append(current)
                current = []
            else:
                current.append(lit)
                if len(current) > MAX_CLAUSE_LITERALS:
                    raise DratLimitError(f"{where}: a clause of more than {MAX_CLAUSE_LITERALS} literals")
    if n_vars is None:
        raise DratFormatError("no problem line 'p cnf VARIABLES CLAUSES'")
    if current:
        raise DratFormatError("the last clause is not closed by 0")
    if declared != len(clauses):
        raise DratFormatError(f"the header says {declared} clauses; the file has {len(clauses)}")
    return n_vars, clauses


def read_drat(text: str | bytes) -> list[tuple[bool, list[int]]]:
    """The steps of a textual DRAT proof: (is a deletion, literals without the closing 0).

    Raises
    ------
    DratFormatError
        A malformed number, a line not ended by exactly one ``0``, or binary data.
    DratLimitError
        A variable past :data:`MAX_VARS` or a clause past :data:`MAX_CLAUSE_LITERALS`.
    """
    text = _ascii(text, "DRAT proof")
    steps: list[tuple[bool, list[int]]] = []
    for number, raw in enumerate(text.split("\n"), 1):
        line = raw.strip(" \t\r")
        if not line or line[0] == "c":
            continue
        deletion = line[0] == "d"
        if deletion:
            if len(line) > 1 and line[1] not in " \t":
                raise DratFormatError(f"proof line {number}: a deletion is 'd' and a space, then the clause")
            line = line[1:]
        lits = _literals(line, f"proof line {number}", MAX_VARS)
        if not lits or lits[-1] != 0 or 0 in lits[:-1]:
            raise DratFormatError(f"proof line {number}: one clause per line, ended by a single 0")
        steps.append((deletion, lits[:-1]))
    return steps


def write_dimacs(n_vars: int, clauses: list[list[int]], comments: tuple[str, ...] | list[str] = ()) -> str:
    """DIMACS text. A comment must be one printable ASCII line: nothing else can enter the file."""
    for c in comments:
        if not (c.isascii() and c.isprintable()):
            raise ValueError(f"a DIMACS comment must be one printable ASCII line: {c[:40]!r}")
    head = [f"c {c}" for c in comments] + [f"p cnf {n_vars} {len(clauses)}"]
    return "\n".join([*head, *(" ".join(map(str, c)) + " 0" for c in clauses)]) + "\n"


class _Database:
    """The clause database with two watched literals and a top-level assignment.

    Literals index ``value`` directly: ``value[x]`` for ``x`` in ``1..n`` and ``value[-x]``
    (Python's negative index) hold +1 for true, -1 for false, 0 for unassigned.
    """

    def __init__(self, n_vars: int) -> None:
        self.value = [0] * (2 * n_vars + 1)
        self.trail: list[int] = []
        self.reason: dict[int, int] = {}  # variable -> clause id, top level only
        self.clauses: list[list[int]] = []
        self.active: list[bool] = []
        self.index: dict[tuple[int, ...], list[int]] = {}
        self.occurs: dict[int, set[int]] = {}
        self.rat_checks = 0
        self.watches: dict[int, list[int]] = {}
        self.conflict = False  # D propagates to a conflict at the top level

    def assign(self, lit: int, reason: int | None) -> None:
        self.value[lit], self.value[-lit] = 1, -1
        self.trail.append(lit)
        if reason is not None:
            self.reason[abs(lit)] = reason

    def add(self, lits: list[int]) -> None:
        """Store a clause (a set of literals, not a tautology) and propagate at the top level."""
        k = len(self.clauses)
        self.clauses.append(lits)
        self.active.append(True)
        self.index.setdefault(tuple(sorted(lits)), []).append(k)
        for x in lits:
            self.occurs.setdefault(x, set()).add(k)
        if self.conflict:
            return
        value = self.value
        lits.sort(key=lambda x: -value[x])  # true literals first, then unassigned, then false
        if not lits or value[lits[0]] < 0:
            self.conflict = True
            return
        if len(lits) >= 2:
            self.watches.setdefault(lits[0], []).append(k)
            self.watches.setdefault(lits[1], []).append(k)
        if value[lits[0]] == 0 and (len(lits) == 1 or value[lits[1]] < 0):
            level = len(self.trail)
            self.assign(lits[0], k)
            if not self.propagate(level, top=True):
                self.conflict = True

    def delete(self, lits: list[int]) -> bool:
        """Remove one copy of the clause; False when the deletion is ignored (module doc)."""
        ids = self.index.get(tuple(sorted(lits)))
        if not ids or not lits:
            return False  # not stored, or the empty clause (its conflict stays)
        k = ids[-1]
        if len(lits) == 1 or self.reason.get(abs(self.clauses[k][0])) == k:
            return False  # a unit or reason clause: ignored, as drat-trim does
        ids.pop()
        self.active[k] = False
        for x in self.clauses[k]:
            self.occurs[x].discard(k)
        return True

    def propagate(self, start: int, *, top: bool = False) -> bool:
        """Propagate the trail from ``start``; False on a conflict."""
        value, clauses, active, watches = self.value, self.clauses, self.active, self.watches
        i = start
        while i < len(self.trail):
            falsified = -self.trail[i]
            i += 1
            watching = watches.get(falsified)
            if not watching:
                continue
            keep: list[int] = []
            for j, k in enumerate(watching):
                if not active[k]:
                    continue  # deleted: dropped from this watch list lazily
                c = clauses[k]
                if c[0] == falsified:
                    c[0], c[1] = c[1], c[0]
                if value[c[0]] > 0:
                    keep.append(k)
                    continue
                for m in range(2, len(c)):
                    if value[c[m]] >= 0:
                        c[1], c[m] = c[m], c[1]
                        watches.setdefault(c[1], []).append(k)
                        break
                else:
                    keep.append(k)
                    if value[c[0]] < 0:
                        keep.extend(watching[j + 1:])
                        watches[falsified] = keep
                        return False
                    self.assign(c[0], k if top else None)
            watches[falsified] = keep
        return True

    def rup(self, lemma: list[int]) -> bool:
        """Does propagating the negated lemma reach a conflict? (the state is restored after)"""
        if self.conflict:
            return True
        value = self.value
        level = len(self.trail)
        ok = False
        for x in lemma:
            if value[x] > 0:
                ok = True  # true at the top level or a tautology: implied
                break
            if value[x] == 0:
                self.assign(-x, None)
        if not ok:
            ok = not self.propagate(level)
        for x in self.trail[level:]:
            value[x] = value[-x] = 0
        del self.trail[level:]
        return ok

    def rat(self, lemma: list[int]) -> bool:
        """RAT on the lemma's first literal: every resolvent on it is a tautology or RUP."""
        if not lemma:
            return False
        pivot = lemma[0]
        candidates = sorted(self.occurs.get(-pivot, ()))
        self.rat_checks += len(candidates)
        if self.rat_checks > MAX_RAT_CHECKS:
            raise DratLimitError(f"the RAT checks passed {MAX_RAT_CHECKS} resolvents (a proof this size needs "
                                 "drat-trim)")
        for k in candidates:
            resolvent = set(lemma)
            resolvent.update(x for x in self.clauses[k] if x != -pivot)
            if any(-x in resolvent for x in resolvent):
                continue
            if not self.rup(list(resolvent)):
                return False
        return True


def _is_tautology(lits: list[int]) -> bool:
    seen = set(lits)
    return any(-x in seen for x in seen)


def check_drat(n_vars: int, clauses: list[list[int]], proof: str | bytes | list[tuple[bool, list[int]]], *,
               deadline: float | None = None) -> DratResult:
    """Check a DRAT proof (text, or the steps of :func:`read_drat`) against a formula (module doc).

    Raises
    ------
    DratFormatError, DratLimitError
        A malformed proof text, or one past a limit.
    """
    start = time.perf_counter()
    steps = read_drat(proof) if isinstance(proof, str | bytes) else proof
    if type(n_vars) is not int or not 0 <= n_vars <= MAX_VARS:
        raise DratLimitError(f"{n_vars!r} variables: the cap is {MAX_VARS}")
    for c in clauses:
        if any(type(x) is not int or x == 0 or abs(x) > n_vars for x in c):
            raise DratFormatError(f"a clause holds a literal that is not a non-zero integer within {n_vars} variables")
    for _, lemma in steps:
        if any(type(x) is not int or x == 0 or abs(x) > MAX_VARS for x in lemma):
            raise DratFormatError(f"a proof step holds a literal that is not a non-zero integer within {MAX_VARS}")
    top = max([n_vars, *(abs(x) for _, lemma in steps for x in lemma)])
    if top > MAX_VARS:
        raise DratLimitError(f"variable {top} is past the cap of {MAX_VARS}")
    db = _Database(top)
    for c in clauses:
        lits = list(dict.fromkeys(c))
        if not _is_tautology(lits):
            db.add(lits)
    lemmas = deletions = ignored = rats = 0

    def result(verified: bool, reason: str = "") -> DratResult:
        return DratResult(verified, lemmas, deletions, rats, time.perf_counter() - start, reason, ignored)

    for deletion, clause in steps:
        if deadline is not None and time.perf_counter() > deadline:
            return result(False, "out of time")
        lits = list(dict.fromkeys(clause))
        if deletion:
            deletions += 1
            if _is_tautology(lits) or not db.delete(lits):
                ignored += 1
            continue
        lemmas += 1
        if not db.rup(lits):
            if not db.rat(lits):
                shown = " ".join(map(str, clause[:12])) + (" ..." if len(clause) > 12 else "")
                return result(False, f"lemma {lemmas} ({shown} 0) is neither RUP nor RAT")
            rats += 1
        if not lits:
            return result(True)
        if not _is_tautology(lits):
            db.add(lits)
    if db.conflict:
        return result(True)
    return result(False, "the proof never derives the empty clause")


def _read_regular(path: str | Path) -> bytes:
    """The bytes of a regular file of at most :data:`MAX_FILE_BYTES` (a FIFO is never waited on)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise DratFormatError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise DratFormatError(f"{path} is not a regular file")
        if info.st_size > MAX_FILE_BYTES:
            raise DratLimitError(f"{path} is {info.st_size} bytes; the cap is {MAX_FILE_BYTES}")
        chunks, total = [], 0
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
            total += len(chunk)
            if total > MAX_FILE_BYTES:
                raise DratLimitError(f"{path} grew past {MAX_FILE_BYTES} bytes while being read")
        return b"".join(chunks)
    finally:
        os.close(fd)


def check_files(cnf_path: str | Path, drat_path: str | Path) -> DratResult:
    n_vars, clauses = read_dimacs(_read_regular(cnf_path))
    return check_drat(n_vars, clauses, _read_regular(drat_path))


def resolve_dimacs(cnf_path: str | Path) -> str:
    """z3's answer (``sat``/``unsat``/``unknown``) on the DIMACS file: a second solver."""
    import z3

    n_vars, clauses = read_dimacs(_read_regular(cnf_path))
    xs = [z3.Bool(f"v{i}") for i in range(n_vars + 1)]
    s = z3.Solver()
    for c in clauses:
        s.add(z3.Or([xs[x] if x > 0 else z3.Not(xs[-x]) for x in c]) if c else z3.BoolVal(False))
    return str(s.check())


USAGE = "usage: python -m proofs_check.certificates.drat FILE.cnf FILE.drat | --resolve FILE.cnf"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    try:
        if len(args) == 2 and args[0] == "--resolve":
            answer = resolve_dimacs(args[1])
            print(f"s {answer.upper()}")
            return 0 if answer == "unsat" else 1
        if len(args) != 2 or any(a.startswith("-") for a in args):
            print(f"error: expected two files. {USAGE}", file=sys.stderr)
            return 2
        result = check_files(args[0], args[1])
    except DratLimitError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # a bug here must not read as "not verified" (exit 1)
        print(f"error: internal error ({type(exc).__name__}: {exc})", file=sys.stderr)
        return 70
    print(f"c {result.lemmas} lemmas ({result.rat_lemmas} RAT), {result.deletions} deletions "
          f"({result.ignored_deletions} ignored), {result.seconds:.3f} s")
    print("s VERIFIED" if result.verified else f"s NOT VERIFIED: {result.reason}")
    return 0 if result.verified else 1


if __name__ == "__main__":
    sys.exit(main())
