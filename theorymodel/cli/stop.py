"""How a command stops: SIGINT, SIGTERM and SIGHUP, and ``--timeout`` as a hard limit.

Contract (docs/contract.md, "Signals"): a stop signal ends every command within about a
second with one ``error: interrupted`` line and exit ``128 + signal`` (130 for SIGINT, 143
for SIGTERM); a verdict already printed in full wins (its own exit code, 0 or 1); a
``--timeout`` is overshot by at most :data:`GRACE_SECONDS` plus start-up.

How, whatever runs when the signal lands:

- Python's own C-level handler writes the signal's number to a wake-up pipe at once, even
  while the main thread is inside C (a z3 query, a SAT call, a numpy loop).
- A watcher thread reads the pipe (or wakes at the deadline), interrupts z3 (thread-safe),
  and gives the main thread :data:`GRACE_SECONDS` to unwind through its cleanups (the
  Python handler raises ``KeyboardInterrupt`` there, which main reports). If the main
  thread is still busy, the watcher removes pending temp files, prints the line and ends
  the process with ``os._exit``.
- z3's own Ctrl-C handling is switched off as z3 is imported (:func:`_z3_without_ctrl_c`):
  left on, z3 swallows SIGINT during a query and returns ``unknown``, which would read as
  "the solver ran out of time".
"""

from __future__ import annotations

import contextlib
import importlib.abc
import importlib.util
import os
import select
import sys
import threading
import time
from typing import Any

#: seconds the main thread gets to unwind after a stop signal or the deadline
GRACE_SECONDS = 0.5

STOPPED_BY: list[int] = []  #: the stop signals received, in order
REPORTED: list[int] = []  #: the exit code of a report already printed in full
_DEADLINE: list[float] = []  #: time.monotonic() by which the command must have ended
_LIMIT: list[float] = []  #: the --timeout in seconds, for the message
#: set by the console script: the watcher may end the process. In-process callers (tests,
#: notebooks) keep their process: there a signal or the deadline only unwinds.
HARD_STOP: list[bool] = []
_WAKE: list[int] = []  #: the write end of the wake-up pipe
#: the message of a --timeout that ran out (the watcher interrupted z3: whatever z3 raises
#: then, "push canceled" or "canceled", is this limit, exit 3)
TIMED_OUT: list[str] = []
WANT_JSON: list[bool] = []  #: --json: a forced exit 3 still prints its one JSON object


def on_signal(signum: int, frame: object) -> None:
    """The Python-level handler: unwind (writers remove their temp files on the way)."""
    STOPPED_BY.append(signum)
    if not REPORTED:  # a verdict printed in full wins: let the command end normally
        raise KeyboardInterrupt


def _record(signum: int, frame: object) -> None:
    STOPPED_BY.append(signum)


def record_early() -> None:
    """While the CLI's modules import (before :func:`install`), only record a stop signal;
    main reports it as soon as it starts. Only for the console script and ``python -m
    theorymodel``: a program that imports the package keeps its own handlers."""
    import signal

    argv0 = sys.argv[0] if sys.argv else ""
    if not (os.path.basename(argv0) == "theorymodel" or argv0.endswith(os.path.join("theorymodel", "__main__.py"))):
        return
    if threading.current_thread() is not threading.main_thread():
        return
    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        with contextlib.suppress(ValueError, AttributeError, OSError):
            signal.signal(sig, _record)


def set_deadline(seconds: float | None) -> None:
    """``--timeout``: the whole command ends by ``seconds`` from now plus the grace (only
    when :data:`HARD_STOP` is set: the console script, never an in-process caller)."""
    _DEADLINE.clear()
    _LIMIT.clear()
    if seconds is not None and HARD_STOP:
        _DEADLINE.append(time.monotonic() + seconds)
        _LIMIT.append(seconds)
    if _WAKE:  # the watcher re-reads the deadline (a 0 byte is no signal)
        with contextlib.suppress(OSError):
            os.write(_WAKE[0], b"\0")


def _interrupt_z3() -> None:
    z3 = sys.modules.get("z3")
    if z3 is not None:
        with contextlib.suppress(Exception):
            z3.main_ctx().interrupt()


def timeout_message() -> str:
    """The --timeout limit's message: the stage it stopped in and what could be faster."""
    progress = sys.modules.get("theorymodel.progress")
    stage, hint = (progress.STAGE[0], progress.HINT[0]) if progress else ("", "")
    limit = _LIMIT[0] if _LIMIT else 0.0
    return (f"the time limit of {limit:g} s (--timeout) was spent" + (f" during {stage}" if stage else "")
            + (f"; {hint}" if hint else ""))


def _end_now(code: int, message: str) -> None:
    """End the process at once: a printed report keeps its code; else one error line.
    Runs on the watcher thread, which must not import (the main thread may hold an import
    lock): :func:`install` imported what this uses."""
    remove_pending_temp_files = sys.modules["theorymodel.io"].remove_pending_temp_files

    with contextlib.suppress(Exception):
        sys.stdout.flush()
    if REPORTED:
        os._exit(REPORTED[0])
    remove_pending_temp_files()
    if code == 3 and WANT_JSON:
        import json

        print(json.dumps({"error": message, "limit": "timeout"}), flush=True)
    print(f"error: {message}", file=sys.stderr, flush=True)
    os._exit(code)


class _Z3Hook(importlib.abc.MetaPathFinder):
    """Switch off z3's Ctrl-C handler as z3 is imported (see the module doc)."""

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        if fullname != "z3":
            return None
        with contextlib.suppress(ValueError):
            sys.meta_path.remove(self)
        spec = importlib.util.find_spec("z3")
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        load = spec.loader.exec_module

        def exec_module(module: Any) -> None:
            load(module)
            with contextlib.suppress(Exception):
                module.set_param("ctrl_c", False)

        spec.loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


def _z3_without_ctrl_c() -> None:
    z3 = sys.modules.get("z3")
    if z3 is not None:
        with contextlib.suppress(Exception):
            z3.set_param("ctrl_c", False)
    elif not any(isinstance(f, _Z3Hook) for f in sys.meta_path):
        sys.meta_path.insert(0, _Z3Hook())


def install() -> None:
    """Install the handlers and the watcher (main thread only; elsewhere a no-op)."""
    import signal

    if threading.current_thread() is not threading.main_thread():
        return
    import theorymodel.io
    import theorymodel.progress  # noqa: F401  (the watcher imports nothing: see _end_now)

    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        with contextlib.suppress(ValueError, AttributeError, OSError):
            signal.signal(sig, on_signal)
    _z3_without_ctrl_c()
    if any(t.name == "stop-watcher" for t in threading.enumerate()):
        return  # in-process callers (tests) call main many times: one watcher is enough
    read_end, write_end = os.pipe()
    os.set_blocking(write_end, False)
    try:
        signal.set_wakeup_fd(write_end, warn_on_full_buffer=False)
    except ValueError:
        return
    _WAKE.append(write_end)
    main_thread = threading.main_thread()

    def watch() -> None:
        while True:
            wait = None if not _DEADLINE else max(0.0, _DEADLINE[0] - time.monotonic())
            ready, _, _ = select.select([read_end], [], [], wait)
            if ready:
                data = os.read(read_end, 64).replace(b"\0", b"")
                if not data:
                    continue
                _interrupt_z3()
                main_thread.join(GRACE_SECONDS)
                if main_thread.is_alive() and HARD_STOP:
                    _end_now(128 + data[-1], "interrupted")
            elif _DEADLINE and time.monotonic() >= _DEADLINE[0] and HARD_STOP:
                TIMED_OUT.append(timeout_message())
                _DEADLINE.clear()
                _interrupt_z3()
                main_thread.join(GRACE_SECONDS)
                if main_thread.is_alive():
                    _end_now(3, TIMED_OUT[0])

    threading.Thread(target=watch, name="stop-watcher", daemon=True).start()
