"""``theorymodel census``: length complexity of every Boolean function of n inputs.

One exact search per NPN class representative (:mod:`theorymodel.complexity.npn`);
class sizes turn per-class values into per-function counts. Results live in SQLite, one
row per (n, class, representative), committed as each arrives: a killed run loses only
the searches in flight, and a rerun solves only what is missing. The searches are
independent, so they go to a Dask distributed cluster unchanged (``scheduler``); the
SQLite file stays with the process that runs the census.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from theorymodel.complexity.npn import classes, to_tt
from theorymodel.complexity.workers import SOLVER_LOCK, no_foreign_gc, on_dask
from theorymodel.errors import ResourceLimitError, UsageError
from theorymodel.progress import ProgressBar

SCHEMA = """CREATE TABLE IF NOT EXISTS length (
    n INTEGER NOT NULL, class TEXT NOT NULL, tt TEXT NOT NULL,
    length INTEGER, witness TEXT NOT NULL, lower_bound TEXT NOT NULL, seconds REAL NOT NULL,
    PRIMARY KEY (n, class, tt))"""


def default_db() -> Path:
    """``$XDG_CACHE_HOME/theorymodel/census.sqlite`` (``~/.cache`` when unset)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "theorymodel" / "census.sqlite"


def solve_one(n: int, cls: str, tt: str, timeout: float | None = None) -> dict[str, Any]:
    """One class representative; a plain function of plain data so that it ships to workers.
    Raises ResourceLimitError (with the best bounds) at ``timeout`` seconds."""
    from theorymodel.complexity import length_complexity, resolve

    with SOLVER_LOCK, no_foreign_gc(collect=False):  # a full collection per class costs more than a solve
        r = length_complexity(resolve(f"tt:{tt}", n), cls=cls, max_k=2**n + 2, timeout=timeout)
    return {"tt": tt, "length": r.length_complexity, "witness": r.witness_json,
            "lower_bound": r.lower_bound, "seconds": r.seconds}


BUSY_SECONDS = 30.0  # how long a writer waits for another one's lock


class Store:
    """The SQLite results of earlier runs (opened in autocommit mode: a row is stored or not)."""

    def __init__(self, path: str | Path) -> None:
        p = Path(path)
        if p.exists() and not p.is_file():
            raise UsageError(f"--db {p} is not a regular file")
        try:
            p.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(str(p), isolation_level=None, timeout=BUSY_SECONDS)
            self.db.execute(f"PRAGMA busy_timeout = {int(BUSY_SECONDS * 1000)}")
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute(SCHEMA)
            columns = [r[1] for r in self.db.execute("PRAGMA table_info(length)")]
        except (sqlite3.Error, OSError) as exc:
            raise self._error(p, exc) from None
        if columns[:3] != ["n", "class", "tt"]:
            raise UsageError(f"--db {p} holds a table 'length' that is not a census table")
        self.path = p

    @staticmethod
    def _error(p: Path, exc: Exception) -> Exception:
        text = str(exc)
        if "locked" in text or "busy" in text:
            return ResourceLimitError(f"--db {p} stayed locked by another process for {BUSY_SECONDS:.0f} s",
                                      limit="db-locked", details={"seconds": BUSY_SECONDS})
        return UsageError(f"--db {p} cannot be used as a SQLite results file ({text})")

    def done(self, n: int, cls: str) -> dict[str, tuple[Any, str, str]]:
        """tt -> (length, witness JSON, lower bound JSON) as stored: unchecked (see :func:`check_row`)."""
        try:
            rows = self.db.execute("SELECT tt, length, witness, lower_bound FROM length WHERE n = ? AND class = ?",
                                   (n, cls))
            return {tt: (length, witness, lower) for tt, length, witness, lower in rows.fetchall()}
        except sqlite3.Error as exc:
            raise self._error(self.path, exc) from None

    def put(self, n: int, cls: str, row: dict[str, Any]) -> None:
        try:
            self.db.execute("INSERT OR REPLACE INTO length VALUES (?, ?, ?, ?, ?, ?, ?)",
                            (n, cls, row["tt"], row["length"], json.dumps(row["witness"]),
                             json.dumps(row["lower_bound"]), row["seconds"]))
        except sqlite3.Error as exc:
            raise self._error(self.path, exc) from None

    def put_many(self, n: int, cls: str, rows: list[dict[str, Any]]) -> None:
        """Rows in one transaction: all stored or none."""
        try:
            self.db.execute("BEGIN")
            self.db.executemany("INSERT OR REPLACE INTO length VALUES (?, ?, ?, ?, ?, ?, ?)",
                                [(n, cls, r["tt"], r["length"], json.dumps(r["witness"]),
                                  json.dumps(r["lower_bound"]), r["seconds"]) for r in rows])
            self.db.execute("COMMIT")
        except sqlite3.Error as exc:
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")
            raise self._error(self.path, exc) from None

    def close(self) -> None:
        self.db.close()


def check_row(hclass: Any, n: int, tt: Any, stored: tuple[Any, Any, Any]) -> tuple[int | None, str]:
    """A stored row's length if its own record backs it, else ``(None, why)``.

    Backed means: the witness, read back strictly, has exactly ``length`` tokens and its
    last token is the function on all 2^n inputs (re-simulated here); and the lower bound
    is decided again here: ``length - 1`` tokens are refuted by the class's solver (for
    length 1 there is nothing to refute: the answer is a generated token). A function
    stored as inexpressible must be found so again. The stored record is compared, but
    never believed: a forged record with a consistent shape is caught by the re-decision.
    """
    import numpy as np

    from theorymodel.circuits.model import all_assignments
    from theorymodel.complexity.targets import resolve

    length, witness_text, lower_text = stored
    try:
        if not isinstance(tt, str) or len(tt) != 1 << n or set(tt) - {"0", "1"}:
            raise ValueError("the truth table is not 2^n bits")
        witness_data, lower = json.loads(witness_text), json.loads(lower_text)
        if not isinstance(lower, dict):
            raise ValueError("the lower bound record is not an object")
        target = resolve(f"tt:{tt}", n)
        if length is None:
            if witness_data != [] or lower.get("status") != "inexpressible":
                raise ValueError("no length, but not an inexpressible record")
            if hclass.solve_k(target, 1).status != "inexpressible":
                raise ValueError("stored as inexpressible, but the class can express it")
            return None, ""
        if type(length) is not int or length < 1:
            raise ValueError(f"the length {length!r:.20} is not a positive integer")
        witness = hclass.witness_from_json(witness_data, n)
        if len(witness) != length:
            raise ValueError(f"the witness has {len(witness)} tokens, the row says {length}")
        table = np.asarray(target.table, dtype=np.int64)
        if not np.array_equal(np.asarray(hclass.simulate(witness, all_assignments(n)))[:, -1], table):
            raise ValueError("the witness does not compute the function")
        if lower.get("k") != length or lower.get("status") != "unsat":
            raise ValueError("the lower bound record does not refute length - 1 tokens")
        if length > 1 and hclass.solve_k(target, length - 1).status != "unsat":
            raise ValueError(f"{length - 1} tokens are not refuted: the stored length is not the least")
    except (ValueError, TypeError, KeyError, IndexError, RecursionError) as exc:
        return None, str(exc) or type(exc).__name__
    return length, ""


def _local(n: int, cls: str, todo: list[str]) -> Iterable[dict[str, Any]]:
    for tt in todo:
        yield solve_one(n, cls, tt)


def _dask(address: str) -> Callable[[int, str, list[str]], Iterable[dict[str, Any]]]:
    def run(n: int, cls: str, todo: list[str]) -> Iterable[dict[str, Any]]:
        return on_dask(address, solve_one, [n] * len(todo), [cls] * len(todo), todo)

    return run


def census(n: int, cls: str = "linear", *, db: str | Path | None = None, scheduler: str | None = None,
           progress: bool = True, max_k: int | None = None, layered: bool | None = None,
           workers: int | None = None) -> CensusTable:
    """Length complexity of all functions of n inputs, per NPN class and per function.

    ``max_k = 1`` (class ``linear``) decides only the first layer, length 1, for every
    class (:mod:`theorymodel.complexity.layer`); ``max_k = 2`` decides length 1, 2 and
    >= 3 for every class by composition (:mod:`theorymodel.complexity.composition`).
    ``layered`` (the default for class ``linear`` at n = 5) decides every class with a
    witness, its lower bounds from the composition layer
    (:mod:`theorymodel.complexity.layered`), on ``workers`` processes."""
    from theorymodel.complexity.classes import get_class
    from theorymodel.complexity.npn import MAX_CENSUS_N
    from theorymodel.errors import UsageError

    hclass = get_class(cls)
    if not hclass.npn_invariant:
        raise UsageError(f"the census groups functions by NPN class, and {cls} is not NPN-invariant "
                         "(use length on single functions)")
    if max_k is not None:
        if max_k not in (1, 2) or hclass.name != "linear":
            raise UsageError("--max-k decides the first layers: --max-k 1 (length 1) or 2 (length 1, 2 and >= 3) "
                             "with --class linear")
        if scheduler:
            raise UsageError("the layers run in one process (minutes); --scheduler is for the full census")
        from theorymodel.complexity.layer import first_layer, second_layer

        store = Store(db or default_db())
        try:
            layer = first_layer if max_k == 1 else second_layer
            return CensusTable({**layer(store.db, n, progress=progress), "db": str(store.path)})
        finally:
            store.close()
    if layered is None:
        layered = hclass.name == "linear" and n == 5
    if layered:
        if hclass.name != "linear":
            raise UsageError("the layered census is for class linear (its lower bounds come from threshold functions)")
        from theorymodel.complexity.layered import layered_census

        store = Store(db or default_db())
        try:
            return CensusTable(layered_census(store, n, workers=workers, scheduler=scheduler, progress=progress))
        finally:
            store.close()
    if n > MAX_CENSUS_N:
        raise ResourceLimitError(f"the full census stops at n = {MAX_CENSUS_N}; for n = {n} run the first layer "
                                 "with --max-k 1", limit="size-cap", details={"n": n, "cap": MAX_CENSUS_N})
    start = time.perf_counter()
    sizes = {to_tt(code, n): size for code, size in classes(n).items()}
    store = Store(db or default_db())
    try:
        done: dict[str, int | None] = {}
        rejected: list[dict[str, str]] = []
        for tt, stored in store.done(n, hclass.name).items():
            if tt not in sizes:
                rejected.append({"tt": str(tt)[:80], "reason": "not a class representative of this n"})
                continue
            length, why = check_row(hclass, n, tt, stored)
            if why:
                rejected.append({"tt": tt, "reason": why})
            else:
                done[tt] = length
        todo = [tt for tt in sizes if tt not in done]
        runner = _dask(scheduler) if scheduler else _local
        with ProgressBar(f"census n={n} {hclass.name}", len(sizes), completed=len(sizes) - len(todo),
                         enabled=progress) as bar:
            for row in runner(n, hclass.name, todo):
                store.put(n, hclass.name, row)
                done[row["tt"]] = row["length"]
                bar.advance()
    finally:
        store.close()
    by_class = Counter(done[tt] for tt in sizes)
    by_function: Counter[int | None] = Counter()
    for tt, size in sizes.items():
        by_function[done[tt]] += size
    return CensusTable({
        "n": n, "class": hclass.name, "classes": len(sizes),
        "functions": sum(sizes.values()),
        "functions_by_length": {str(k): by_function[k] for k in sorted(by_function, key=_order)},
        "classes_by_length": {str(k): by_class[k] for k in sorted(by_class, key=_order)},
        "solved_now": len(todo), "reused": len(sizes) - len(todo),
        "rejected_rows": len(rejected), "rejected": rejected[:20],
        "db": str(db or default_db()),
        "seconds": round(time.perf_counter() - start, 6),
    })


class CensusTable(dict[str, Any]):
    """The census payload (a plain dict for JSON) that renders as an HTML table in notebooks."""

    def _repr_html_(self) -> str:
        from theorymodel.display import html_table

        rows = {f"length {k}": f"{count:,} functions in {self['classes_by_length'][k]:,} NPN classes"
                for k, count in self["functions_by_length"].items()}
        return html_table(f"census n = {self['n']}, class {self['class']}: {self['functions']:,} functions",
                          rows)


def _order(k: int | None) -> int:
    return -1 if k is None else k
