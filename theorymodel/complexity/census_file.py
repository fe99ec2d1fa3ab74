"""The census result file: one CSV row per NPN class, and its checker (docs/census.md,
"The result file").

Columns: ``representative`` (the class's least truth table as 2^n / 4 hex digits, bit r =
f(r), input 0 the most significant bit of r), ``orbit`` (functions in the class),
``length``, ``lower_bound`` (how it was obtained: ``first-layer``, ``threshold-list``,
``composition`` or ``certificate``, :mod:`theorymodel.complexity.layered`) and
``witness`` (JSON, the shape ``length --json`` prints). Rows are sorted by representative;
the digest is the SHA-256 of the uncompressed CSV text.

:func:`check_file` believes nothing in the file: the class table is enumerated again,
every witness is re-simulated on all 2^n inputs, the lower bounds are derived again (the
composition layer recomputed; each certificate row's ``length - 1`` tokens refuted again
by the exact query), all in worker processes of the checking command.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import sqlite3
import time
from pathlib import Path
from typing import Any

from theorymodel.complexity.npn import hex_digits, to_hex, to_tt
from theorymodel.errors import FormatError, ResourceLimitError, UsageError

HEADER = ["representative", "orbit", "length", "lower_bound", "witness"]
MAX_TEXT = 1 << 28  # bytes of CSV text read by the checker (the n = 5 table is about 90 MB)


def export_file(db_path: str | Path, n: int, out: str | Path) -> dict[str, Any]:
    """Every class of the stored layered census of n as CSV (gzip when ``out`` ends in
    ``.gz``); refuses an incomplete census. Returns the file, rows and digest."""
    from theorymodel.complexity.layered import CLASS
    from theorymodel.io import atomic_write

    db = sqlite3.connect(str(db_path))
    try:
        classes = db.execute("SELECT rep, orbit FROM npn_classes WHERE n = ? ORDER BY rep", (n,)).fetchall()
        stored = {tt: (length, witness, lower) for tt, length, witness, lower in db.execute(
            "SELECT tt, length, witness, lower_bound FROM length WHERE n = ? AND class = ?", (n, CLASS))}
    except sqlite3.Error as exc:
        raise UsageError(f"{db_path}: not a census results file ({exc})") from None
    finally:
        db.close()
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(HEADER)
    missing = 0
    for rep, orbit in classes:
        row = stored.get(to_tt(int(rep), n))
        if row is None or row[0] is None:
            missing += 1
            continue
        length, witness, lower = row
        how = json.loads(lower).get("how", "")
        writer.writerow([to_hex(int(rep), n), orbit, length, how,
                         json.dumps(json.loads(witness), separators=(",", ":"))])
    if missing or not classes:
        raise UsageError(f"the census of n = {n} in {db_path} is not complete ({missing or 'all'} classes missing): "
                         f"run theorymodel census --n {n} --db {db_path} first")
    data = text.getvalue().encode()
    digest = hashlib.sha256(data).hexdigest()
    payload = gzip.compress(data, mtime=0) if str(out).endswith(".gz") else data
    atomic_write(Path(out), payload)
    return {"file": str(out), "rows": len(classes), "sha256": digest, "bytes": len(payload)}


def read_file(path: str | Path) -> tuple[list[list[str]], str]:
    """The file's rows (header checked) and the digest of its CSV text."""
    p = Path(path)
    try:
        raw = p.read_bytes() if p.stat().st_size <= MAX_TEXT else None
    except OSError as exc:
        raise UsageError(f"--check {path}: {exc.strerror or exc}") from None
    if raw is None:
        raise ResourceLimitError(f"--check {path}: larger than {MAX_TEXT:,} bytes", limit="size-cap")
    if raw[:2] == b"\x1f\x8b":
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(raw)) as gz:
                raw = gz.read(MAX_TEXT + 1)
        except (OSError, EOFError) as exc:
            raise FormatError(f"--check {path}: not a readable gzip file ({exc})") from None
        if len(raw) > MAX_TEXT:
            raise ResourceLimitError(f"--check {path}: more than {MAX_TEXT:,} bytes of CSV", limit="size-cap")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise FormatError(f"--check {path}: not UTF-8 text") from None
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or rows[0] != HEADER:
        raise FormatError(f"--check {path}: the header is not {','.join(HEADER)}")
    return rows[1:], hashlib.sha256(raw).hexdigest()


def _check_rows(n: int, rows: list[tuple[int, int, str, str]], lower: dict[int, int]) -> list[dict[str, str]]:
    """Worker: (code, length, how, witness JSON) rows against the re-derived lower bounds."""
    from theorymodel.complexity.layered import row_problem

    failures = []
    for code, length, how, witness_text in rows:
        try:
            why = row_problem(n, code, lower[code], length, how, json.loads(witness_text))
        except (ValueError, RecursionError) as exc:
            why = str(exc) or type(exc).__name__
        if why:
            failures.append({"representative": to_hex(code, n), "reason": why})
    return failures


def _check_star(args: tuple[int, list[tuple[int, int, str, str]], dict[int, int]]) -> list[dict[str, str]]:
    from theorymodel.complexity.workers import SOLVER_LOCK, no_foreign_gc

    with SOLVER_LOCK, no_foreign_gc():
        return _check_rows(*args)


def check_file(path: str | Path, n: int, *, workers: int | None = None, progress: bool = True) -> dict[str, Any]:
    """Re-check a census CSV of n inputs (module doc); nothing is solved or stored."""
    import os

    from theorymodel.complexity.layered import _pool, layer_bounds
    from theorymodel.complexity.npn_classes import class_table
    from theorymodel.progress import ProgressBar

    if not 1 <= n <= 5:
        raise UsageError("--check reads census files of n = 1..5")
    start = time.perf_counter()
    rows, digest = read_file(path)
    parsed: list[tuple[int, int, int, str, str]] = []
    failures: list[dict[str, str]] = []
    for i, row in enumerate(rows, 2):
        if len(row) != len(HEADER):
            raise FormatError(f"--check {path} line {i}: {len(row)} columns, not {len(HEADER)}")
        rep, orbit, length, how, witness = row
        if len(rep) != hex_digits(n) or set(rep) - set("0123456789abcdef") or not orbit.isdigit() \
                or not length.isdigit() or len(orbit) > 12 or len(length) > 3:
            raise FormatError(f"--check {path} line {i}: not a row of n = {n} (representative {rep[:20]!r})")
        parsed.append((int(rep, 16), int(orbit), int(length), how, witness))
    with ProgressBar(f"NPN classes of n={n}, enumerated again", None, enabled=progress):
        reps, orbits = class_table(n)
    table = dict(zip(reps.tolist(), orbits.tolist(), strict=True))
    listed = [p[0] for p in parsed]
    checks: dict[str, str] = {}
    if listed != sorted(table) or any(table.get(code) != orbit for code, orbit, *_ in parsed):
        extra = next((c for c, o, *_ in parsed if table.get(c) != o), None)
        failures.append({"representative": "-" if extra is None else to_hex(extra, n),
                         "reason": "the rows are not the class table (every class once, with its orbit size)"})
        checks["class table"] = "FAILED"
    else:
        checks["class table"] = f"{len(parsed):,} classes and orbit sizes equal a fresh enumeration"
    with ProgressBar(f"lower bounds of n={n}: the composition layer recomputed", None, enabled=progress):
        lower_arr, _ = layer_bounds(reps, orbits, n)
    lower = dict(zip(reps.tolist(), lower_arr.tolist(), strict=True))
    known = [(c, k, how, w) for c, _, k, how, w in parsed if c in lower]
    chunks = [(n, known[s:s + 2048], {c: lower[c] for c, *_ in known[s:s + 2048]})
              for s in range(0, len(known), 2048)]
    workers = max(1, workers or os.cpu_count() or 1)
    with ProgressBar("witnesses re-simulated, certificates re-decided", len(known), enabled=progress) as bar:
        if workers == 1 or len(chunks) <= 1:
            results = (_check_star(c) for c in chunks)
            for chunk, found in zip(chunks, results, strict=True):
                failures += found
                bar.advance(len(chunk[1]))
        else:
            with _pool(workers) as pool:
                for found in pool.imap(_check_star, chunks):
                    failures += found
                    bar.advance(2048)
    certificates = sum(1 for c, k, *_ in known if k > lower[c])
    checks["witnesses"] = f"{len(known):,} re-simulated on all {1 << n} inputs"
    checks["lower bounds"] = (f"the composition layer recomputed; {certificates:,} certificate rows re-decided "
                              "by the exact query")
    return {"file": str(path), "n": n, "rows": len(parsed), "sha256": digest, "verified": not failures,
            "checks": checks, "failures": failures[:20], "failed_rows": len(failures),
            "seconds": round(time.perf_counter() - start, 3)}
