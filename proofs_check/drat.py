"""Re-check an UNSAT certificate from its files alone: DIMACS CNF + DRAT proof.

``length --class parity-K|b2 --certificate DIR`` writes the UNSAT query of k - 1 tokens as
DIMACS and the solver's DRAT proof. No DRAT checker is published on the Python package
index (drat-trim and cake_lpr are C and CakeML programs), so this module is a small forward
checker written from the definition, sharing no code with any solver:

- every added lemma must be RUP (unit propagation on the negated lemma over the formula
  and the lemmas so far reaches a conflict) or, failing that, RAT on its first literal;
- the proof must add the empty clause (or the formula must propagate to a conflict).

Deletions are counted but not applied. Checking against a superset of the clauses is
still sound: every clause kept is implied by the formula (RUP) or keeps it satisfiable
(RAT against more clauses is a stronger demand). As a second, independent check,
:func:`resolve_dimacs` solves the DIMACS file again with z3 (another solver, reading
only the file).

``python -m proofs_check.drat FILE.cnf FILE.drat`` prints ``s VERIFIED`` (exit 0) or
``s NOT VERIFIED`` with the reason (exit 1); ``--resolve FILE.cnf`` prints z3's answer.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class DratResult:
    verified: bool
    lemmas: int
    deletions: int
    rat_lemmas: int
    seconds: float
    reason: str = ""

    def to_json(self) -> dict[str, object]:
        return {"verified": self.verified, "lemmas": self.lemmas, "deletions": self.deletions,
                "rat_lemmas": self.rat_lemmas, "seconds": round(self.seconds, 6), "reason": self.reason}


def read_dimacs(text: str) -> tuple[int, list[list[int]]]:
    """(variables, clauses) of a DIMACS CNF text; ``ValueError`` when malformed."""
    n_vars: int | None = None
    declared: int | None = None
    clauses: list[list[int]] = []
    current: list[int] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("c"):
            continue
        if line.startswith("p"):
            parts = line.split()
            if len(parts) != 4 or parts[1] != "cnf":
                raise ValueError(f"bad problem line {line!r}")
            n_vars, declared = int(parts[2]), int(parts[3])
            continue
        for tok in line.split():
            lit = int(tok)
            if lit == 0:
                clauses.append(current)
                current = []
            else:
                current.append(lit)
    if n_vars is None or current:
        raise ValueError("no problem line, or a clause not closed by 0")
    if declared != len(clauses) or any(abs(lit) > n_vars for c in clauses for lit in c):
        raise ValueError(f"the header says {declared} clauses over {n_vars} variables; the file differs")
    return n_vars, clauses


def write_dimacs(n_vars: int, clauses: list[list[int]], comments: tuple[str, ...] | list[str] = ()) -> str:
    head = [f"c {c}" for c in comments] + [f"p cnf {n_vars} {len(clauses)}"]
    return "\n".join([*head, *(" ".join(map(str, c)) + " 0" for c in clauses)]) + "\n"


class _Checker:
    """Unit propagation with two watched literals over a growing clause database."""

    def __init__(self, n_vars: int) -> None:
        self.n = n_vars
        self.value = [0] * (n_vars + 1)  # +1 true, -1 false, 0 unassigned
        self.trail: list[int] = []
        self.clauses: list[list[int]] = []
        self.watches: dict[int, list[int]] = {}
        self.conflict = False  # the database propagates to a conflict with no assumption

    def true(self, lit: int) -> bool:
        return self.value[abs(lit)] * (1 if lit > 0 else -1) > 0

    def false(self, lit: int) -> bool:
        return self.value[abs(lit)] * (1 if lit > 0 else -1) < 0

    def assign(self, lit: int) -> None:
        self.value[abs(lit)] = 1 if lit > 0 else -1
        self.trail.append(lit)

    def grow(self, n_vars: int) -> None:
        if n_vars > self.n:
            self.value += [0] * (n_vars - self.n)
            self.n = n_vars

    def add(self, clause: list[int]) -> None:
        """Add a clause at the top level (its units propagated)."""
        self.grow(max((abs(x) for x in clause), default=0))
        lits = list(dict.fromkeys(clause))
        if any(-x in lits for x in lits) or self.conflict:
            return  # a tautology constrains nothing
        free = [x for x in lits if not self.false(x)]
        if not free:
            self.conflict = True
            return
        if len(lits) == 1 or len(free) == 1:
            if not self.true(free[0]):
                self.assign(free[0])
                if not self.propagate(len(self.trail) - 1):
                    self.conflict = True
            if len(lits) == 1:
                return
        # watch two literals that are not false if possible
        lits.sort(key=lambda x: self.false(x))
        k = len(self.clauses)
        self.clauses.append(lits)
        for x in lits[:2]:
            self.watches.setdefault(x, []).append(k)

    def propagate(self, start: int) -> bool:
        """Propagate the trail from ``start``; False on a conflict."""
        i = start
        while i < len(self.trail):
            falsified = -self.trail[i]
            i += 1
            watching = self.watches.get(falsified)
            if not watching:
                continue
            keep: list[int] = []
            for j, k in enumerate(watching):
                c = self.clauses[k]
                if c[0] == falsified:
                    c[0], c[1] = c[1], c[0]
                if self.true(c[0]):
                    keep.append(k)
                    continue
                for m in range(2, len(c)):
                    if not self.false(c[m]):
                        c[1], c[m] = c[m], c[1]
                        self.watches.setdefault(c[1], []).append(k)
                        break
                else:
                    keep.append(k)
                    if self.false(c[0]):
                        keep.extend(watching[j + 1:])
                        self.watches[falsified] = keep
                        return False
                    self.assign(c[0])
            self.watches[falsified] = keep
        return True

    def rup(self, lemma: list[int]) -> bool:
        """Does propagating the negated lemma reach a conflict? (state restored after)"""
        if self.conflict:
            return True
        self.grow(max((abs(x) for x in lemma), default=0))
        level = len(self.trail)
        ok = False
        for x in lemma:
            if self.true(x):
                ok = True
                break
            if not self.false(x):
                self.assign(-x)
        if not ok:
            ok = not self.propagate(level)
        for x in self.trail[level:]:
            self.value[abs(x)] = 0
        del self.trail[level:]
        return ok

    def rat(self, lemma: list[int]) -> bool:
        """RAT on the lemma's first literal: every resolvent on it is RUP."""
        if not lemma:
            return False
        pivot = lemma[0]
        for c in self.clauses:
            if -pivot in c:
                resolvent = list(dict.fromkeys([*lemma, *(x for x in c if x != -pivot)]))
                if any(-x in resolvent for x in resolvent):
                    continue
                if not self.rup(resolvent):
                    return False
        return True


def check_drat(n_vars: int, clauses: list[list[int]], proof_text: str, *, deadline: float | None = None
               ) -> DratResult:
    """Check a textual DRAT proof against a formula (module doc)."""
    start = time.perf_counter()
    checker = _Checker(n_vars)
    for c in clauses:
        if not c:
            checker.conflict = True
        checker.add(c)
    lemmas = deletions = rats = 0
    for raw in proof_text.splitlines():
        line = raw.strip()
        if not line or line.startswith("c"):
            continue
        if deadline is not None and time.perf_counter() > deadline:
            return DratResult(False, lemmas, deletions, rats, time.perf_counter() - start, "out of time")
        if line.startswith("d"):
            deletions += 1
            continue
        lits = [int(t) for t in line.split()]
        if not lits or lits[-1] != 0:
            return DratResult(False, lemmas, deletions, rats, time.perf_counter() - start,
                              f"proof line {line!r} is not closed by 0")
        lemma = lits[:-1]
        lemmas += 1
        if not checker.rup(lemma):
            if not checker.rat(lemma):
                return DratResult(False, lemmas, deletions, rats, time.perf_counter() - start,
                                  f"lemma {lemmas} ({' '.join(map(str, lemma))} 0) is neither RUP nor RAT")
            rats += 1
        if not lemma:
            return DratResult(True, lemmas, deletions, rats, time.perf_counter() - start)
        checker.add(lemma)
    if checker.conflict:
        return DratResult(True, lemmas, deletions, rats, time.perf_counter() - start)
    return DratResult(False, lemmas, deletions, rats, time.perf_counter() - start,
                      "the proof never derives the empty clause")


def check_files(cnf_path: str | Path, drat_path: str | Path) -> DratResult:
    n_vars, clauses = read_dimacs(Path(cnf_path).read_text(encoding="ascii"))
    return check_drat(n_vars, clauses, Path(drat_path).read_text(encoding="ascii"))


def resolve_dimacs(cnf_path: str | Path) -> str:
    """z3's answer (``sat``/``unsat``/``unknown``) on the DIMACS file: a second solver."""
    import z3

    n_vars, clauses = read_dimacs(Path(cnf_path).read_text(encoding="ascii"))
    xs = [z3.Bool(f"v{i}") for i in range(n_vars + 1)]
    s = z3.Solver()
    for c in clauses:
        s.add(z3.Or([xs[x] if x > 0 else z3.Not(xs[-x]) for x in c]) if c else z3.BoolVal(False))
    return str(s.check())


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    try:
        if len(args) == 2 and args[0] == "--resolve":
            answer = resolve_dimacs(args[1])
            print(f"s {answer.upper()}")
            return 0 if answer == "unsat" else 1
        if len(args) != 2:
            print("usage: python -m proofs_check.drat FILE.cnf FILE.drat | --resolve FILE.cnf", file=sys.stderr)
            return 2
        result = check_files(args[0], args[1])
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"c {result.lemmas} lemmas ({result.rat_lemmas} RAT), {result.deletions} deletions, {result.seconds:.3f} s")
    print("s VERIFIED" if result.verified else f"s NOT VERIFIED: {result.reason}")
    return 0 if result.verified else 1


if __name__ == "__main__":
    sys.exit(main())
