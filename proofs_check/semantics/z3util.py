"""Small z3 helpers shared by the semantics modules."""

from __future__ import annotations

import atexit
import contextlib
import contextvars
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import z3


def table_lookup(keys: Sequence[z3.ExprRef], table: dict[tuple, object], default) -> z3.ExprRef:
    """``table[keys]`` as a nested If over the finitely many entries."""
    expr = default
    for key, value in table.items():
        cond = z3.And(*[k == v for k, v in zip(keys, key, strict=True)])
        expr = z3.If(cond, value, expr)
    return expr


def in_set(x: z3.ArithRef, values: Iterable[int]) -> z3.BoolRef:
    values = list(values)
    return z3.Or(*[x == v for v in values]) if values else z3.BoolVal(False)


def at_most_one(bools: Sequence[z3.BoolRef]) -> z3.BoolRef:
    if len(bools) <= 1:
        return z3.BoolVal(True)
    return z3.Sum([z3.If(b, 1, 0) for b in bools]) <= 1


def exactly_one(bools: Sequence[z3.BoolRef]) -> z3.BoolRef:
    if not bools:
        return z3.BoolVal(False)
    return z3.Sum([z3.If(b, 1, 0) for b in bools]) == 1


@atexit.register
def _leave_main_context_to_the_os() -> None:
    """At interpreter exit, do not destroy z3's main context: the process is ending and the
    OS takes its memory back. Its destructor walks every node some Python object still
    holds. After the whole test suite it was seen to run for more than ten minutes (in
    ``ast_manager::~ast_manager``) after the last test had passed."""
    ctx = z3.z3._main_ctx
    if ctx is not None:
        ctx.owner = False


def version() -> str:
    return z3.get_version_string()


def query_size(solver: z3.Solver) -> int:
    """Distinct AST nodes of the assertions (shared subterms counted once): a
    reproducible measure of a query, found without printing it."""
    seen: set[int] = set()
    todo = list(solver.assertions())
    while todo:
        e = todo.pop()
        key = e.get_id()
        if key in seen:
            continue
        seen.add(key)
        if z3.is_app(e):
            todo.extend(e.children())
    return len(seen)


_SMT2_DIR: contextvars.ContextVar[Path | None] = contextvars.ContextVar("smt2_dir", default=None)
_SMT2_COUNT: contextvars.ContextVar[int] = contextvars.ContextVar("smt2_count", default=0)


@contextlib.contextmanager
def smt2_recording(directory: str | Path | None) -> Iterator[None]:
    """While active, every query a check sends to z3 is also written to ``directory`` as
    SMT-LIB2 (``NNN-name.smt2``), so that any SMT solver can re-check it."""
    if directory is None:
        yield
        return
    path = Path(directory)
    path.mkdir(parents=True, exist_ok=True)
    token, count = _SMT2_DIR.set(path), _SMT2_COUNT.set(0)
    try:
        yield
    finally:
        _SMT2_DIR.reset(token)
        _SMT2_COUNT.reset(count)


def record_query(solver: z3.Solver, name: str) -> Path | None:
    """Write the solver's assertions as an SMT-LIB2 script (``(check-sat)`` included) when
    :func:`smt2_recording` is active; the expected answer of every query is ``unsat``."""
    directory = _SMT2_DIR.get()
    if directory is None:
        return None
    k = _SMT2_COUNT.get()
    _SMT2_COUNT.set(k + 1)
    from theorymodel.io import atomic_write

    safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in name)[:60]
    # ascii() keeps the comment one printable line: a name cannot end it and add an assertion
    return atomic_write(directory / f"{k:04d}-{safe}.smt2", f"; {name!a}\n{solver.to_smt2()}")
