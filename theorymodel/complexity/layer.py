"""The first layer of the census: which NPN classes have length complexity 1.

In the linear class (docs/paper.md, the paper's linear AR model on bits) one generated
token is one linear threshold of the inputs, so length complexity 1 is exactly the
threshold functions (OEIS A000609: 94,572 of the 2^32 five-input functions). Deciding
it for all 616,126 classes of n = 5 takes two exact steps:

1. a threshold function is unate (monotone or antitone in each input): a class that is
   not is refused at once, by cofactors (:func:`~theorymodel.complexity.npn_classes.unate`),
   vectorised over every class;
2. each unate class goes to the class's own exact solver for one token
   (:func:`theorymodel.complexity.classes.linear.solve_k` with k = 1): a witness that is
   re-simulated on all 2^n inputs, or an unsat query.

The class table itself (:func:`~theorymodel.complexity.npn_classes.class_table`) is stored
once in the census SQLite file and checked on read (:func:`stored_classes`): its shape
always, and every row it is used for; a table that fails is computed again.
"""

from __future__ import annotations

import math
import sqlite3
import time
from typing import Any

import numpy as np

from theorymodel.complexity.npn import to_tt
from theorymodel.complexity.npn_classes import A000370, class_table, high_halves, rows_are_classes, unate
from theorymodel.errors import UsageError
from theorymodel.progress import ProgressBar

CLASSES_SCHEMA = """CREATE TABLE IF NOT EXISTS npn_classes (
    n INTEGER NOT NULL, rep INTEGER NOT NULL, orbit INTEGER NOT NULL, PRIMARY KEY (n, rep))"""


def stored_classes(db: sqlite3.Connection, n: int, *, progress: bool = True, whole: bool = True
                   ) -> tuple[np.ndarray, np.ndarray, str]:
    """(representatives, orbit sizes, how the table was had): read back and checked, or
    enumerated and stored.

    A stored table must have A000370's count, orbit sizes summing to 2^(2^n) and strictly
    ascending representatives. With ``whole`` (the first layer, which uses every row) its
    rows are checked too: by brute force over every NPN transform for n <= 4
    (:func:`~theorymodel.complexity.npn_classes.rows_are_classes`), and at n = 5 by
    enumerating the table again (about 30 s, against 200 s for 616,126 brute-force rows)
    and comparing. Without it, the caller checks the rows it uses (the sample's draw). A
    table that fails any check is replaced by a fresh enumeration. Count, strict order
    and correct rows together make the table exactly the set of classes: a real class
    written over another row would repeat a representative."""
    db.execute(CLASSES_SCHEMA)
    columns = [r[1] for r in db.execute("PRAGMA table_info(npn_classes)")]
    if columns[:3] != ["n", "rep", "orbit"]:
        raise UsageError("the census file holds a table 'npn_classes' that is not an NPN class table")
    rows = db.execute("SELECT rep, orbit FROM npn_classes WHERE n = ? ORDER BY rep", (n,)).fetchall()
    stored = None
    if rows and _plain_ints(rows, n):
        reps = np.array([r for r, _ in rows], dtype=np.uint64)
        orbits = np.array([o for _, o in rows], dtype=np.int64)
        if _table_ok(n, reps, orbits):
            stored = reps, orbits
            if not whole:
                return reps, orbits, "stored"
            if n <= 4 and rows_are_classes(reps, orbits, n):
                return reps, orbits, "stored, every row checked"
    with ProgressBar(f"NPN classes of n={n}, by high half", high_halves(n), enabled=progress) as bar:
        reps, orbits = class_table(n, progress=lambda done, total: bar.update(done))
    if not _table_ok(n, reps, orbits):  # pragma: no cover - the enumerator is tested against brute force
        raise AssertionError(f"the NPN class table of n = {n} fails its own checks")
    if stored is not None and n > 4 and np.array_equal(stored[0], reps) and np.array_equal(stored[1], orbits):
        return reps, orbits, "stored, equal to a fresh enumeration"
    store_classes(db, n, reps, orbits)
    return reps, orbits, "computed"


def store_classes(db: sqlite3.Connection, n: int, reps: np.ndarray, orbits: np.ndarray) -> None:
    try:
        db.execute("BEGIN")
        db.execute("DELETE FROM npn_classes WHERE n = ?", (n,))
        db.executemany("INSERT INTO npn_classes VALUES (?, ?, ?)",
                       zip([n] * len(reps), (int(r) for r in reps.tolist()), orbits.tolist(), strict=True))
        db.execute("COMMIT")
    except sqlite3.Error as exc:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise UsageError(f"the census file's table 'npn_classes' cannot be rewritten ({exc})") from None


def _plain_ints(rows: list[tuple[Any, Any]], n: int) -> bool:
    """Every value an integer (SQLite keeps whatever type was written: a real, text or a
    blob would be coerced by numpy) and in range: a code below 2^(2^n), an orbit between 1
    and the group's size."""
    group = 2 * math.factorial(n) * 2**n
    return all(type(r) is int and type(o) is int and 0 <= r < 2 ** (2**n) and 1 <= o <= group for r, o in rows)


def _table_ok(n: int, reps: np.ndarray, orbits: np.ndarray) -> bool:
    return (len(reps) == A000370.get(n, len(reps)) and int(orbits.sum()) == 2 ** (2**n)
            and bool((np.diff(reps.astype(np.int64)) > 0).all()) and bool((orbits > 0).all())
            and int(reps.max(initial=0)) < 2 ** (2**n))


def first_layer(db: sqlite3.Connection, n: int, *, progress: bool = True) -> dict[str, Any]:
    """Length complexity 1, decided exactly for every NPN class of n inputs (module doc)."""
    from theorymodel.circuits.model import all_assignments
    from theorymodel.complexity.classes.linear import simulate, solve_k
    from theorymodel.complexity.targets import resolve

    start = time.perf_counter()
    reps, orbits, source = stored_classes(db, n, progress=progress)
    candidates = np.flatnonzero(unate(reps, n))
    one: list[int] = []
    x = all_assignments(n)
    with ProgressBar(f"length 1 of the {len(candidates)} unate classes of n={n}", len(candidates),
                     enabled=progress) as bar:
        for i in candidates.tolist():
            tt = to_tt(int(reps[i]), n)
            target = resolve(f"tt:{tt}", n)
            result = solve_k(target, 1)
            if result.status == "sat":
                assert result.witness is not None
                if not np.array_equal(simulate(result.witness, x)[:, -1], target.table):  # pragma: no cover
                    raise AssertionError(f"the one-token witness of {tt} does not compute it")
                one.append(i)
            elif result.status != "unsat":  # pragma: no cover - no deadline is set
                raise UsageError(f"the solver could not decide one token for {tt}")
            bar.advance()
    functions_one = int(orbits[one].sum())
    return {
        "n": n, "class": "linear", "max_k": 1, "classes": len(reps), "functions": int(orbits.sum()),
        "classes_table": source,
        "unate_classes": len(candidates),
        "functions_by_length": {"1": functions_one, ">=2": int(orbits.sum()) - functions_one},
        "classes_by_length": {"1": len(one), ">=2": len(reps) - len(one)},
        "seconds": round(time.perf_counter() - start, 6),
    }


def second_layer(db: sqlite3.Connection, n: int, *, progress: bool = True) -> dict[str, Any]:
    """Length 1, 2 and >= 3, decided exactly for every NPN class of n <= 5 inputs by
    composition (:mod:`theorymodel.complexity.composition`): no per-class search."""
    from theorymodel.complexity.composition import length_two_layer

    start = time.perf_counter()
    reps, orbits, source = stored_classes(db, n, progress=progress)
    with ProgressBar(f"length <= 2 of n={n}: threshold functions listed, first tokens composed", None,
                     unit="steps", enabled=progress) as bar:
        layer = length_two_layer(n, classes=(reps, orbits), progress=lambda done, total: bar.update(done))
    c = layer.counts()
    return {
        "n": n, "class": "linear", "max_k": 2, "classes": len(reps), "functions": int(orbits.sum()),
        "classes_table": source, "method": "composition: f = h(x, g(x)), g over one threshold function per "
                                           "NPN orbit, h over every threshold function of n + 1 inputs",
        "first_tokens": layer.first_tokens, "second_tokens": layer.second_tokens,
        "functions_by_length": {"1": c["length_1_functions"], "2": c["length_2_functions"],
                                ">=3": c["length_3_or_more_functions"]},
        "classes_by_length": {"1": c["length_1_classes"], "2": c["length_2_classes"],
                              ">=3": c["length_3_or_more_classes"]},
        "seconds": round(time.perf_counter() - start, 6),
    }
