"""The layered census: every NPN class of n <= 5 inputs decided, with a witness for its
length and a record of how its lower bound was obtained (docs/census.md, "n = 5: every
class decided").

1. **Lower bounds without a per-class search.** The composition layer
   (:func:`~theorymodel.complexity.composition.length_two_layer`) marks every class of
   length 1 (its representative is a threshold function, from the A000609-checked list)
   and of length <= 2 (some orbit member is ``h(x, g(x))``). So each class starts from a
   proved lower bound: 1 (the answer is a generated token), 2 (not a threshold function)
   or 3 (the composition enumeration).
2. **A witness at the lower bound.** One query over all 2^n inputs
   (:func:`~theorymodel.complexity.classes.linear.find_witness`) asks for that many tokens;
   every witness is re-simulated on all inputs. Where the composition says length <= 2 the
   witness must exist (anything else is a bug and stops the run).
3. **Past the lower bound.** A class of length >= 3 with no 3-token witness gets the
   documented exact query (:func:`~theorymodel.complexity.classes.linear.solve_k`) for 3
   tokens, whose UNSAT answer is its certificate, then a witness for 4 (and so on).

Rows go to the census SQLite file (table ``length``, the same as the per-class census) as
they are decided, one transaction per batch: a killed run keeps what it stored, and a
rerun checks every stored row (witness re-simulated, lower bound against this run's
composition layer, certificates re-decided) before solving only what is missing. Batches
run in worker processes (``workers``), or on a Dask cluster (``scheduler``).
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import signal
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import numpy as np

from theorymodel.complexity.npn import from_tt, to_hex, to_tt
from theorymodel.errors import UsageError
from theorymodel.progress import ProgressBar

CLASS = "linear"
#: how a lower bound was obtained (the ``how`` of a row's lower bound, the CSV's ``lower_bound``)
FIRST_LAYER = "first-layer"  #: length >= 1: the answer is a generated token
THRESHOLD_LIST = "threshold-list"  #: length >= 2: not among the A000609-counted threshold functions
COMPOSITION = "composition"  #: length >= 3: no orbit member is h(x, g(x)) (the enumeration is the proof)
CERTIFICATE = "certificate"  #: length >= k: k - 1 tokens refuted by the exact query on all inputs
BATCH = 256  # classes per batch sent to a worker


def layer_bounds(reps: np.ndarray, orbits: np.ndarray, n: int,
                 progress: Callable[[int, int], None] | None = None) -> tuple[np.ndarray, dict[str, Any]]:
    """Each class's proved lower bound (1, 2 or 3) from the composition layer, and the
    layer's facts."""
    from theorymodel.complexity.composition import length_two_layer

    layer = length_two_layer(n, classes=(reps, orbits), progress=progress)
    lower = np.where(layer.threshold, 1, np.where(layer.at_most_two, 2, 3)).astype(np.int64)
    return lower, {"first_tokens": layer.first_tokens, "second_tokens": layer.second_tokens,
                   "layer_seconds": round(layer.seconds, 3)}


def _how(k: int) -> str:
    return {1: FIRST_LAYER, 2: THRESHOLD_LIST, 3: COMPOSITION}.get(k, CERTIFICATE)


def decide(n: int, code: int, lower: int, *, max_k: int = 8) -> dict[str, Any]:
    """One class: its length, a re-simulated witness and the lower bound's record."""
    from theorymodel.complexity.classes.linear import find_witness, solve_k
    from theorymodel.complexity.targets import Target

    start = time.perf_counter()
    tt = to_tt(code, n)
    table = np.array([int(b) for b in tt], dtype=np.uint8)
    bound: dict[str, Any] = {"k": lower, "status": "unsat", "how": _how(lower)}
    for k in range(lower, max_k + 1):
        status, witness = find_witness(table, n, k)
        if status == "sat":
            assert witness is not None
            return {"code": code, "tt": tt, "length": k, "witness": [t.to_json() for t in witness],
                    "lower_bound": bound, "seconds": time.perf_counter() - start}
        if k < 3:  # the composition layer says k tokens suffice: a refusal here is a bug
            raise AssertionError(f"the composition layer puts {tt} at length {k}, the solver finds no witness")
        refuted = solve_k(Target(f"tt:{tt}", n, table), k)
        if refuted.status != "unsat":  # pragma: no cover - the two queries disagree: a bug
            raise AssertionError(f"{tt}: no {k}-token witness, but the exact query says {refuted.status}")
        cert = refuted.certificate
        bound = {"k": k + 1, "status": "unsat", "how": CERTIFICATE, "solver": f"z3 {_z3_version()}",
                 "certificate_inputs": cert["certificate_inputs"], "symmetry_breaking": cert["symmetry_breaking"]}
    raise UsageError(f"{tt}: no witness with at most {max_k} tokens")


def _z3_version() -> str:
    import z3

    return str(z3.get_version_string())


def decide_batch(n: int, items: list[tuple[int, int]]) -> list[dict[str, Any]]:
    """A batch of (code, lower bound) pairs; a plain function of plain data (it ships to
    worker processes and Dask workers)."""
    from theorymodel.complexity.workers import SOLVER_LOCK, no_foreign_gc

    with SOLVER_LOCK, no_foreign_gc():
        return [decide(n, code, lower) for code, lower in items]


def _worker_start() -> None:
    """A worker leaves signals to the parent (which kills it) and dies with it."""
    from theorymodel.complexity.classes.child import _die_with_parent

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_DFL)
    with contextlib.suppress(ValueError):
        signal.set_wakeup_fd(-1)
    _die_with_parent()


def _decide_star(args: tuple[int, list[tuple[int, int]]]) -> list[dict[str, Any]]:
    return decide_batch(*args)


@contextlib.contextmanager
def _pool(workers: int) -> Iterator[Any]:
    ctx = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
    pool = ctx.Pool(workers, initializer=_worker_start)
    try:
        yield pool
    finally:
        pool.terminate()  # on a signal too: the workers are killed, not waited for
        pool.join()


def run_batches(n: int, batches: list[list[tuple[int, int]]], *, workers: int, scheduler: str | None
                ) -> Iterable[list[dict[str, Any]]]:
    """Decided batches as they finish: in-process (one worker), in worker processes, or on
    the Dask scheduler at ``scheduler``."""
    if scheduler:
        from theorymodel.complexity.workers import on_dask

        yield from on_dask(scheduler, decide_batch, [n] * len(batches), batches)
    elif workers <= 1 or len(batches) <= 1:
        for batch in batches:
            yield decide_batch(n, batch)
    else:
        with _pool(workers) as pool:
            yield from pool.imap_unordered(_decide_star, [(n, b) for b in batches])


def row_problem(n: int, code: int, layer: int, length: int, how: Any, witness_data: Any) -> str:
    """Why a census row is not backed ("" when it is): its witness, read strictly, has
    ``length`` tokens and computes the function on all 2^n inputs; its length is the
    composition layer's lower bound ``layer`` with the layer's reason, or past it with a
    certificate, re-decided here (``length - 1`` tokens refuted by the exact query).
    Shared by the stored rows of a rerun and by :mod:`theorymodel.complexity.census_file`."""
    from theorymodel.circuits.model import all_assignments
    from theorymodel.complexity.classes.linear import LinearClass, solve_k
    from theorymodel.complexity.targets import Target

    hclass = LinearClass()
    try:
        witness = hclass.witness_from_json(witness_data, n)
        table = np.array([int(b) for b in to_tt(code, n)], dtype=np.int64)
        if len(witness) != length:
            return f"the witness has {len(witness)} tokens, the row says {length}"
        if not np.array_equal(hclass.simulate(witness, all_assignments(n))[:, -1], table):
            return "the witness does not compute the function"
        if length < layer:
            return f"length {length} is below the composition layer's lower bound {layer}"
        if length == layer:
            return "" if how == _how(layer) else f"the lower bound is {_how(layer)}, the row says {how!r}"
        if how != CERTIFICATE:
            return f"length {length} is past the layer's {layer}: it needs a certificate"
        again = solve_k(Target(to_hex(code, n), n, table.astype(np.uint8)), length - 1)
        return "" if again.status == "unsat" else f"{length - 1} tokens are not refuted ({again.status})"
    except (ValueError, TypeError, KeyError, IndexError, RecursionError) as exc:
        return str(exc) or type(exc).__name__


def check_stored(n: int, code: int, lower: int, stored: tuple[Any, str, str]) -> str:
    """Why a stored row is not backed by this run's facts ("" when it is): its record's
    shape, then :func:`row_problem`."""
    length, witness_text, lower_text = stored
    try:
        bound, witness_data = json.loads(lower_text), json.loads(witness_text)
    except (ValueError, RecursionError) as exc:
        return str(exc) or type(exc).__name__
    if type(length) is not int or not isinstance(bound, dict):
        return "not a layered census row"
    if bound.get("k") != length or bound.get("status") != "unsat":
        return "the lower bound is not the length"
    return row_problem(n, code, lower, length, bound.get("how"), witness_data)


def layered_census(db: Any, n: int, *, workers: int | None = None, scheduler: str | None = None,
                   progress: bool = True) -> dict[str, Any]:
    """Every class of n <= 5 inputs decided (module doc); ``db``: an open
    :class:`~theorymodel.complexity.census.Store`."""
    from theorymodel.complexity.layer import stored_classes

    if not 1 <= n <= 5:
        raise UsageError("the layered census covers n = 1..5 (the composition layer's range)")
    start = time.perf_counter()
    reps, orbits, source = stored_classes(db.db, n, progress=progress, whole=n <= 4)
    with ProgressBar(f"lower bounds of n={n}: threshold functions listed, first tokens composed", None,
                     unit="steps", enabled=progress) as bar:
        lower, facts = layer_bounds(reps, orbits, n, progress=lambda done, total: bar.update(done))
    index = {int(c): i for i, c in enumerate(reps.tolist())}
    stored = db.done(n, CLASS)
    lengths = np.zeros(len(reps), dtype=np.int64)
    rejected: list[dict[str, str]] = []
    for tt, row in stored.items():
        code = from_tt(tt) if isinstance(tt, str) else -1
        i = index.get(code, -1)
        why = "not a class representative of this n" if i < 0 or len(str(tt)) != 2**n else \
            check_stored(n, code, int(lower[i]), row)
        if why:
            rejected.append({"tt": str(tt)[:80], "reason": why})
        else:
            lengths[i] = row[0]
    todo = [(int(reps[i]), int(lower[i])) for i in np.flatnonzero(lengths == 0).tolist()]
    batches = [todo[s:s + BATCH] for s in range(0, len(todo), BATCH)]
    workers = max(1, workers or os.cpu_count() or 1)
    with ProgressBar(f"census n={n} {CLASS}: a witness per class", len(reps), completed=len(reps) - len(todo),
                     enabled=progress) as bar:
        for batch in run_batches(n, batches, workers=workers, scheduler=scheduler):
            db.put_many(n, CLASS, batch)
            for row in batch:
                lengths[index[row["code"]]] = row["length"]
            bar.advance(len(batch))
    by_class = Counter(lengths.tolist())
    by_function: Counter[int] = Counter()
    for k, size in zip(lengths.tolist(), orbits.tolist(), strict=True):
        by_function[k] += size
    longest = int(lengths.max(initial=0))
    return {
        "n": n, "class": CLASS, "method": "layered: lower bounds from the composition layer, a witness per class",
        "classes": len(reps), "functions": int(orbits.sum()), "classes_table": source, **facts,
        "functions_by_length": {str(k): by_function[k] for k in sorted(by_function)},
        "classes_by_length": {str(k): by_class[k] for k in sorted(by_class)},
        "lower_bounds": {how: int(c) for how, c in Counter(_how(int(k)) if k == lower[i] else CERTIFICATE
                                                             for i, k in enumerate(lengths.tolist())).items()},
        "longest": {"length": longest, "classes": [to_hex(int(reps[i]), n)
                                                   for i in np.flatnonzero(lengths == longest)[:50].tolist()]},
        "solved_now": len(todo), "reused": len(reps) - len(todo),
        "rejected_rows": len(rejected), "rejected": rejected[:20], "workers": 0 if scheduler else workers,
        "db": str(db.path), "seconds": round(time.perf_counter() - start, 6),
    }
