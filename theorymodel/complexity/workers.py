"""Running the census's searches apart from the results file: one z3 search at a time per
process, no cyclic garbage collection in another thread meanwhile, and a Dask cluster
(shared by the per-class census, the sample and the layered census).
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from theorymodel.errors import UsageError

# z3's default context is shared by the threads of a process and is not thread-safe: one
# search at a time per process (a Dask worker scales out with processes, not threads).
SOLVER_LOCK = threading.RLock()  # re-entrant: a batch holds it around its classes


@contextlib.contextmanager
def no_foreign_gc(*, collect: bool = True) -> Iterator[None]:
    """No cyclic garbage collection in another thread while z3 runs here.

    A Dask worker solves in a pool thread while its event loop allocates in another; a
    cyclic collection there would free this thread's z3 objects concurrently with the
    solver (z3 then fails with "unreachable", seen on a 2-process LocalCluster). The
    collection is deferred and done here, under the solver lock, once per outermost use
    (a batch wraps its classes in one; a single class only pauses collection, since a full
    collection costs more than the solve)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:  # the outermost: collect the z3 garbage here, then let others collect again
            if collect:
                gc.collect()
            gc.enable()


def on_dask(address: str, func: Callable[..., Any], *columns: list[Any]) -> Iterable[Any]:
    """``func`` over the argument columns on the Dask scheduler at ``address``, results
    as they finish (the scheduler is probed first, so a dead address fails fast)."""
    try:
        from distributed import Client, as_completed
    except ImportError as exc:
        raise UsageError("--scheduler needs dask distributed: pip install 'theorymodel[distributed]'") from exc
    _probe(address)
    try:
        client = Client(address, timeout="20s")
    except (OSError, ValueError, TimeoutError) as exc:
        raise UsageError(f"cannot reach the Dask scheduler at {address!r}: {exc}") from None
    with client:
        for fut in as_completed(client.map(func, *columns, pure=False)):
            yield fut.result()


PROBE_SECONDS = 3.0


def _probe(address: str) -> None:
    """Fail fast on a scheduler nobody listens at (Dask itself retries for its whole timeout)."""
    import socket
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(address if "://" in address else f"tcp://{address}")
        if parts.scheme not in ("tcp", "tls"):
            return  # another transport (inproc://, ucx://): Dask's own connect decides
        host, port = parts.hostname, parts.port
    except ValueError:
        host, port = None, None
    if not host or port is None:
        raise UsageError(f"--scheduler {address!r} is not tcp://HOST:PORT")
    try:
        with socket.create_connection((host, port), timeout=PROBE_SECONDS):
            pass
    except OSError as exc:
        raise UsageError(f"cannot reach the Dask scheduler at {address!r}: {exc.strerror or exc}") from None


