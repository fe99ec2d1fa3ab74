"""The DRAT checker against its adversary (issue 21, item 1): thousands of random small CNFs,
each with random, truncated and mutated proofs and CaDiCaL's real proofs, judged against
brute force. "accepted => brute force finds the formula UNSAT", and "CaDiCaL's untouched
proof of an UNSAT formula is accepted".

``python bench/drat_property.py`` reruns :func:`campaign` and prints the counts.
"""

from __future__ import annotations

import collections
import os
import random

import pytest

from proofs_check.certificates.drat import (
    DratFormatError,
    DratLimitError,
    check_drat,
    check_files,
    main,
    read_dimacs,
    read_drat,
    write_dimacs,
)


def brute_force_sat(n_vars: int, clauses: list[list[int]]) -> bool:
    """Satisfiable? Truth tables as bit masks over all 2^n assignments (the oracle)."""
    full = (1 << (1 << n_vars)) - 1
    masks = {}
    for v in range(1, n_vars + 1):  # bit a of variable v's mask: its value in assignment a
        masks[v] = sum(1 << a for a in range(1 << n_vars) if a >> (v - 1) & 1)
        masks[-v] = full ^ masks[v]
    alive = full
    for c in clauses:
        clause = 0
        for x in c:
            clause |= masks[x]
        alive &= clause
    return alive != 0


def random_cnf(rng: random.Random) -> tuple[int, list[list[int]]]:
    n = rng.randint(1, 8)
    m = rng.randint(1, 6 * n)
    clauses = []
    for _ in range(m):
        width = rng.choice((1, 2, 2, 3, 3, 3, 4))
        c = [rng.choice((1, -1)) * rng.randint(1, n) for _ in range(width)]
        if rng.random() < 0.05:
            c.append(c[0])  # a duplicate literal
        if rng.random() < 0.03:
            c.append(-c[0])  # a tautology
        clauses.append(c)
    return n, clauses


def cadical_proof(clauses: list[list[int]]) -> list[str] | None:
    """CaDiCaL's DRAT proof lines, or None when it finds the formula satisfiable."""
    from pysat.solvers import Solver

    with Solver(name="cadical195", bootstrap_with=clauses, with_proof=True) as s:
        if s.solve():
            return None
        return list(s.get_proof() or [])


def random_lemma(rng: random.Random, n: int) -> str:
    width = rng.choice((0, 1, 1, 2, 2, 3))
    lits = [rng.choice((1, -1)) * rng.randint(1, n + 1) for _ in range(width)]
    return ("d " if rng.random() < 0.1 else "") + " ".join(map(str, [*lits, 0]))


def mutants(rng: random.Random, n: int, clauses: list[list[int]], proof: list[str]) -> list[tuple[str, str]]:
    """Hostile proofs: random ones, and CaDiCaL's truncated, with lemmas dropped or altered."""
    out = [("random", "\n".join(random_lemma(rng, n) for _ in range(rng.randint(0, 8))))]
    out.append(("random+empty", "\n".join([*(random_lemma(rng, n) for _ in range(rng.randint(0, 4))), "0"])))
    out.append(("units both ways", f"{(v := rng.randint(1, n))} 0\n-{v} 0\n0"))
    if proof:
        cut = rng.randrange(len(proof))
        out.append(("truncated", "\n".join(proof[:cut])))
        out.append(("truncated+empty", "\n".join([*proof[:cut], "0"])))
        dropped = list(proof)
        del dropped[rng.randrange(len(dropped))]
        out.append(("lemma dropped", "\n".join(dropped)))
        altered = list(proof)
        i = rng.randrange(len(altered))
        tokens = altered[i].split()
        lits = [t for t in tokens if t not in ("d", "0")]
        if lits:
            j = rng.randrange(len(lits))
            lits[j] = str(-int(lits[j])) if rng.random() < 0.5 else str(rng.choice((1, -1)) * rng.randint(1, n))
        else:
            lits = [str(rng.choice((1, -1)) * rng.randint(1, n))]
        altered[i] = " ".join([*(["d"] if tokens[0] == "d" else []), *lits, "0"])
        out.append(("lemma altered", "\n".join(altered)))
        deleting = [f"d {' '.join(map(str, c))} 0" for c in rng.sample(clauses, min(2, len(clauses)))]
        out.append(("formula clauses deleted", "\n".join([*deleting, *proof])))
    return out


def campaign(formulas: int, seed: int = 0) -> dict[str, int]:
    """Run the property test; AssertionError on the first unsound verdict."""
    rng = random.Random(seed)
    counts: collections.Counter[str] = collections.Counter()
    for _ in range(formulas):
        n, clauses = random_cnf(rng)
        sat = brute_force_sat(n, clauses)
        counts["formulas"] += 1
        counts["unsat formulas" if not sat else "sat formulas"] += 1
        proof = cadical_proof(clauses)
        assert (proof is None) == sat, (n, clauses)
        if proof is not None:
            counts["cadical proofs"] += 1
            verdict = check_drat(n, clauses, "\n".join(proof))
            assert verdict.verified, (n, clauses, proof, verdict.reason)
            counts["cadical proofs accepted"] += 1
        else:
            # a satisfiable formula: a refutation of the formula with one clause more, replayed on it
            proof = cadical_proof([*clauses, [1], [-1]]) or []
        for _kind, text in mutants(rng, n, clauses, proof):
            counts["hostile proofs"] += 1
            try:
                verdict = check_drat(n, clauses, text)
            except (DratFormatError, DratLimitError):
                counts["hostile proofs refused as malformed"] += 1
                continue
            if verdict.verified:
                counts["hostile proofs accepted"] += 1
                assert not sat, ("accepted a proof of a satisfiable formula", n, clauses, text)
                counts["accepted and brute force agrees (UNSAT)"] += 1
    return dict(counts)


def test_ten_thousand_random_formulas_every_accepted_proof_is_of_an_unsat_formula():
    counts = campaign(10_000)
    assert counts["formulas"] == 10_000
    assert counts["cadical proofs"] == counts["cadical proofs accepted"] > 1000
    assert counts["sat formulas"] > 1000  # both kinds are exercised
    assert counts["hostile proofs accepted"] == counts["accepted and brute force agrees (UNSAT)"]


@pytest.mark.parametrize(("formula", "proof"), [
    ([], "1 0\n-1 0\n"),  # p cnf 1 0: satisfiable; units must be stored for the RAT check
    ([[-1]], "1 0\n"),
    ([[1, 2], [-1, 3], [2, 3]], "1 0\n-1 0\n0\n"),
    ([[1, 2]], "-1 0\n-2 0\n0\n"),
    ([[1, 2], [-1, 2]], "d 1 2 0\n-2 0\n0\n"),
    ([[1]], "d 1 0\n-1 0\n0\n"),  # a unit deletion is ignored, so -1 stays refuted
])
def test_the_reported_false_proofs_are_refused(formula, proof):
    assert brute_force_sat(3, formula)
    assert not check_drat(3, formula, proof).verified


def test_the_rules_at_the_edges():
    assert check_drat(1, [[1], [-1]], "").verified  # the formula propagates to a conflict
    assert check_drat(1, [[]], "").verified  # the formula holds the empty clause
    assert check_drat(2, [[1, 1], [-1, -1]], "0\n").verified  # duplicate literals count once
    assert not check_drat(2, [[1, -1]], "0\n").verified  # a tautology constrains nothing
    assert check_drat(2, [[1, 2], [1, -2], [-1, 2], [-1, -2]], "2 -2 0\n1 0\n0\n").verified  # tautology lemma
    # RAT on a fresh variable (extended resolution), then RUP
    assert check_drat(2, [[1, 2], [-1, 2], [1, -2], [-1, -2]], "3 0\n2 0\n0\n").verified
    # RAT must look at unit clauses too: (-3) blocks the RAT lemma (3)
    assert not check_drat(3, [[-3]], "3 0\n0\n").verified
    # a deleted clause cannot be used afterwards
    assert check_drat(3, [[1, 2], [1, -2], [-1, 3]], "1 0\n").reason == "the proof never derives the empty clause"
    assert check_drat(3, [[1, 2], [1, -2], [-1, 3]], "d 1 2 0\n1 0\n").reason.endswith("neither RUP nor RAT")


@pytest.mark.parametrize(("text", "error"), [
    ("p cnf 2 1\n1_0 0\n", DratFormatError),  # Python's int() reads 1_0 as 10
    ("p cnf 2 1\n+1 0\n", DratFormatError),
    ("p cnf 2 1\n01 0\n", DratFormatError),
    ("p cnf 2 1\np cnf 2 1\n1 0\n", DratFormatError),
    ("1 0\np cnf 2 1\n", DratFormatError),
    ("p cnf 2 2\n1 0\n", DratFormatError),
    ("p cnf 2 1\n3 0\n", DratFormatError),
    ("p cnf 2 1\n1 2\n", DratFormatError),
    ("p cnf 1000000000000 0\n", DratLimitError),
    ("p cnf 2 1000000000\n1 0\n", DratFormatError),
    ("p cnf 2 1\n1 \xe9 0\n", DratFormatError),
])
def test_malformed_dimacs_is_refused(text, error):
    with pytest.raises(error):
        read_dimacs(text)


@pytest.mark.parametrize(("text", "error"), [
    ("1 2\n", DratFormatError), ("1 0 2 0\n", DratFormatError), ("1_0 0\n", DratFormatError),
    ("99999999999 0\n", DratLimitError), (b"a\x01\xff", DratFormatError),
])
def test_malformed_proofs_are_refused(text, error):
    with pytest.raises(error):
        read_drat(text)


def test_a_long_lemma_is_checked_in_linear_time():
    lemma = " ".join(str(i) for i in range(1, 300_001)) + " 0\n"
    result = check_drat(300_000, [[1]], lemma)  # RUP at once (literal 1 is true), tautology check linear
    assert not result.verified and result.lemmas == 1
    with pytest.raises(DratLimitError):
        read_drat(" ".join(["1"] * 1_000_001) + " 0")


def test_the_command_line(tmp_path):
    cnf, drat = tmp_path / "f.cnf", tmp_path / "f.drat"
    cnf.write_text(write_dimacs(1, [[1], [-1]], ["expected: UNSAT"]))
    drat.write_text("0\n")
    assert main([str(cnf), str(drat)]) == 0
    drat.write_text("1 x 0\n")
    assert main([str(cnf), str(drat)]) == 2
    big = tmp_path / "big.cnf"
    big.write_text("p cnf 1000000000000 0\n")
    assert main([str(big), str(drat)]) == 3
    assert main([str(cnf)]) == 2
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(DratFormatError, match="not a regular file"):
        check_files(cnf, fifo)
    assert main([str(cnf), str(fifo)]) == 2
    with pytest.raises(ValueError, match="printable"):
        write_dimacs(1, [[1]], ["name\n1 0"])


def test_the_second_round_of_hostile_inputs():
    assert check_drat(1, [[]], "d 0\n").verified  # deleting the empty clause is ignored, not a crash
    with pytest.raises(DratFormatError):
        check_drat(2, [[3], [2]], "0\n")  # a literal past the variables never aliases another
    with pytest.raises(DratFormatError):
        read_drat("1\x1c-1\x1f0\n")  # only spaces and tabs separate numbers
    with pytest.raises(DratFormatError):
        read_dimacs("p cnf 002 02\n1 0\n2 0\n")
    with pytest.raises(DratFormatError):
        read_drat("d1 2 0\n")
    n = 2000  # deletions in reverse order: linear, not quadratic
    cnf = [[1, i] for i in range(2, n + 2)]
    assert check_drat(n + 1, cnf, "".join(f"d 1 {i} 0\n" for i in range(n + 1, 1, -1))).deletions == n
