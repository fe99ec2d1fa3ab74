"""``census --sample K``: the length-complexity distribution of n-input functions,
estimated from K NPN classes drawn at random, and the cost of the whole census.

- **Draw.** K of the N class representatives, uniformly without replacement
  (``numpy.random.default_rng(seed)``), from the stored class table
  (:func:`theorymodel.complexity.layer.stored_classes`).
- **Solve.** Each class exactly (:func:`theorymodel.complexity.census.solve_one`), in
  batches, in-process or on a Dask cluster (``--scheduler``). Rows go into the SQLite store
  as they arrive; a rerun reads them back, checked (witness re-simulated, lower bound
  re-decided: :func:`~theorymodel.complexity.census.check_row`), and solves the rest. A
  class that reaches ``class_timeout`` is stored as an interval
  (``best_lower_bound``, ``best_upper_bound``) and reported apart, never dropped.
- **Estimate.** The number of *functions* of length L is estimated by weighting each class
  by its orbit size: ``N * mean(orbit_i [L_i = L])``, with a 95% normal interval whose
  variance carries the finite-population correction ``1 - K/N``.
- **Project.** The measured per-class times give the CPU-hours of all N classes and the
  wall time on 1, 2, 16 and 64 workers (ideal scaling from the measured mean; the run's
  own wall time and worker count are reported beside it).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from theorymodel.complexity.census import Store, check_row, default_db, solve_one
from theorymodel.complexity.layer import store_classes, stored_classes
from theorymodel.complexity.npn import to_tt
from theorymodel.complexity.npn_classes import class_table, rows_are_classes
from theorymodel.complexity.workers import SOLVER_LOCK, no_foreign_gc, on_dask
from theorymodel.errors import ResourceLimitError, UsageError
from theorymodel.progress import ProgressBar

INTERVAL_SCHEMA = """CREATE TABLE IF NOT EXISTS interval (
    n INTEGER NOT NULL, class TEXT NOT NULL, tt TEXT NOT NULL, best_lower_bound INTEGER,
    best_upper_bound INTEGER, timeout REAL NOT NULL, seconds REAL NOT NULL, PRIMARY KEY (n, class, tt))"""
BATCH = 8  # classes per task sent to a worker
Z = 1.959963984540054  # the 97.5% normal quantile


def solve_batch(n: int, cls: str, tts: list[str], timeout: float | None) -> list[dict[str, Any]]:
    """Solve a batch of classes (plain data in and out, so it ships to Dask workers). A
    class that reaches ``timeout`` comes back as an interval."""
    rows: list[dict[str, Any]] = []
    with SOLVER_LOCK, no_foreign_gc():  # one deferred collection per batch, not per class
        return _solve_each(n, cls, tts, timeout, rows)


def _solve_each(n: int, cls: str, tts: list[str], timeout: float | None, rows: list[dict[str, Any]]
                ) -> list[dict[str, Any]]:
    for tt in tts:
        start = time.perf_counter()
        try:
            rows.append(solve_one(n, cls, tt, timeout=timeout))
        except ResourceLimitError as exc:
            rows.append({"tt": tt, "interval": [exc.details.get("best_lower_bound"),
                                                exc.details.get("best_upper_bound")],
                         "seconds": time.perf_counter() - start})
    return rows


def _local(n: int, cls: str, batches: list[list[str]], timeout: float | None) -> Iterable[list[dict[str, Any]]]:
    for batch in batches:
        yield solve_batch(n, cls, batch, timeout)


def _on_dask(address: str) -> Callable[..., Iterable[list[dict[str, Any]]]]:
    def run(n: int, cls: str, batches: list[list[str]], timeout: float | None) -> Iterable[list[dict[str, Any]]]:
        k = len(batches)
        return on_dask(address, solve_batch, [n] * k, [cls] * k, batches, [timeout] * k)

    return run


def _workers(address: str | None) -> int:
    if address is None:
        return 1
    from distributed import Client

    with Client(address, timeout="20s") as client:
        return sum(int(w.get("nthreads", 1)) for w in client.scheduler_info()["workers"].values())


def estimate(values: dict[int, int | None], orbits: dict[int, int], intervals: set[int], N: int
             ) -> dict[str, Any]:
    """Per length: the estimated number of functions, its 95% interval, and the sampled
    classes; classes stopped at the time limit are counted under ``"unresolved"``."""
    K = len(orbits)
    keys = sorted({str(v) for v in values.values()} | ({"unresolved"} if intervals else set()),
                  key=lambda s: (s == "unresolved", s == "None", int(s) if s.isdigit() else 0))
    out = {}
    fpc = 1 - K / N if N else 0.0
    for key in keys:
        y = np.array([orbits[i] if (i in intervals and key == "unresolved")
                      or (i not in intervals and str(values.get(i)) == key) else 0 for i in orbits], dtype=float)
        total = N * y.mean() if K else 0.0
        half = Z * N * math.sqrt(fpc * y.var(ddof=1) / K) if K > 1 else float("inf")
        out[key] = {"functions": round(total), "low": max(0, round(total - half)), "high": round(total + half),
                    "sampled_classes": int((y > 0).sum())}
    return out


def sample_census(n: int, cls: str = "linear", *, k: int, seed: int = 0, db: str | None = None,
                  scheduler: str | None = None, class_timeout: float | None = None,
                  progress: bool = True) -> dict[str, Any]:
    """K random classes of n inputs solved, the distribution estimated (module doc)."""
    from theorymodel.complexity.classes import get_class

    hclass = get_class(cls)
    if not hclass.npn_invariant:
        raise UsageError(f"the census groups functions by NPN class, and {cls} is not NPN-invariant")
    start = time.perf_counter()
    store = Store(db or default_db())
    try:
        store.db.execute(INTERVAL_SCHEMA)
        reps, orbit_sizes, source = stored_classes(store.db, n, progress=progress, whole=False)
        N = len(reps)
        if k < 1 or k > N:
            raise UsageError(f"--sample takes 1 to {N:,} classes for n = {n}")
        picked = np.sort(np.random.default_rng(seed).choice(N, size=k, replace=False))
        if source == "stored" and not rows_are_classes(reps[picked], orbit_sizes[picked], n):
            # a drawn row is not its class (brute force over every NPN transform): enumerate again
            reps, orbit_sizes = class_table(n)
            store_classes(store.db, n, reps, orbit_sizes)
        tt_of = {int(i): to_tt(int(reps[i]), n) for i in picked}
        index = {tt: i for i, tt in tt_of.items()}
        orbits = {i: int(orbit_sizes[i]) for i in tt_of}
        values: dict[int, int | None] = {}
        seconds: dict[int, float] = {}
        intervals: dict[int, list[Any]] = {}
        rejected = 0
        with ProgressBar(f"checking stored rows (n={n})", None, enabled=progress):
            stored = store.done(n, hclass.name)
            for tt, i in index.items():
                if tt in stored:
                    length, why = check_row(hclass, n, tt, stored[tt])
                    if why:
                        rejected += 1
                    else:
                        values[i] = length
                        seconds[i] = float(store.db.execute(
                            "SELECT seconds FROM length WHERE n = ? AND class = ? AND tt = ?",
                            (n, hclass.name, tt)).fetchone()[0])
            for tt, lo, hi, limit, secs in store.db.execute(
                    "SELECT tt, best_lower_bound, best_upper_bound, timeout, seconds FROM interval "
                    "WHERE n = ? AND class = ?", (n, hclass.name)).fetchall():
                j = index.get(tt)
                if j is not None and j not in values and class_timeout is not None and limit >= class_timeout:
                    intervals[j] = [lo, hi]
                    seconds[j] = secs
        todo = [tt for tt, i in index.items() if i not in values and i not in intervals]
        reused = k - len(todo)
        batches = [todo[j:j + BATCH] for j in range(0, len(todo), BATCH)]
        runner = _on_dask(scheduler) if scheduler else _local
        run_start = time.perf_counter()
        with ProgressBar(f"census sample n={n} {hclass.name}", k, completed=reused, enabled=progress,
                         unit="classes") as bar:
            for rows in runner(n, hclass.name, batches, class_timeout):
                for row in rows:
                    i = index[row["tt"]]
                    seconds[i] = float(row["seconds"])
                    if "interval" in row:
                        intervals[i] = row["interval"]
                        store.db.execute("INSERT OR REPLACE INTO interval VALUES (?, ?, ?, ?, ?, ?, ?)",
                                         (n, hclass.name, row["tt"], row["interval"][0], row["interval"][1],
                                          class_timeout, row["seconds"]))
                    else:
                        values[i] = row["length"]
                        store.put(n, hclass.name, row)
                bar.advance(len(rows))
        run_wall = time.perf_counter() - run_start
    finally:
        store.close()
    times = np.array([seconds[i] for i in tt_of], dtype=float)
    mean = float(times.mean())
    cpu_hours = N * mean / 3600
    workers = _workers(scheduler) if scheduler and todo else 1
    return {
        "n": n, "class": hclass.name, "classes": N, "functions": int(orbit_sizes.sum()), "sample": k, "seed": seed,
        "estimate": estimate(values, orbits, set(intervals), N),
        "classes_by_length": {str(v): sum(1 for x in values.values() if x == v)
                              for v in sorted({v for v in values.values() if v is not None})},
        "unresolved": [{"tt": tt_of[i], "best_lower_bound": lo, "best_upper_bound": hi}
                       for i, (lo, hi) in sorted(intervals.items())],
        "class_seconds": {"median": round(float(np.median(times)), 4), "mean": round(mean, 4),
                          "p90": round(float(np.quantile(times, 0.9)), 4), "max": round(float(times.max()), 4)},
        "projection": {"cpu_hours": round(cpu_hours, 4),
                       "wall_hours": {str(w): round(cpu_hours / w, 4) for w in (1, 2, 16, 64)},
                       "assumes": "every worker solves classes at the measured mean rate"},
        "run": {"solved_now": len(todo), "reused": reused, "rejected_rows": rejected, "workers": workers,
                "wall_seconds": round(run_wall, 3), "scheduler": scheduler},
        "db": str(db or default_db()),
        "seconds": round(time.perf_counter() - start, 3),
    }
