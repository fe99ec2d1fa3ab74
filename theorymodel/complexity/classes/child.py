"""Run a solver call that holds the GIL in a forked child, so that a stop signal still ends
the command at once (docs/contract.md, "Signals").

CaDiCaL through python-sat keeps the GIL for the whole call and gives no way to interrupt
it: in-process, SIGTERM waited for the solver (measured: 11 s, and minutes on harder
queries), because neither the main thread's handler nor the stop watcher
(:mod:`theorymodel.cli.stop`) can run. In a child the parent waits on a pipe, which
releases the GIL: the signal unwinds the parent, which kills the child on the way out. The
child dies with its parent too (``PR_SET_PDEATHSIG`` on Linux), should the parent be
ended by ``os._exit``.

Where ``fork`` is missing (Windows) the call runs in-process, as before.
"""

from __future__ import annotations

import contextlib
import os
import signal
import struct
import sys
from collections.abc import Callable

#: the child's exit code when the call raised (the parent re-runs nothing: it reports)
_FAILED = 70


def _die_with_parent() -> None:
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(Exception):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)


def _read_all(fd: int) -> bytes:
    chunks: list[bytes] = []
    while True:
        chunk = os.read(fd, 1 << 20)  # blocks with the GIL released; a signal interrupts it
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def run_in_child(call: Callable[[], bytes]) -> bytes:
    """``call()``'s bytes, computed in a forked child; in-process where fork is missing.

    Raises
    ------
    RuntimeError
        When the child failed (it raised, or was killed by something other than us).
    KeyboardInterrupt
        From the parent's own signal handler: the child is killed first.
    """
    if not hasattr(os, "fork"):
        return call()
    parent = os.getpid()
    read_end, write_end = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the child: compute, write, and leave without running any cleanup
        code = _FAILED
        try:
            os.close(read_end)
            for sig in (signal.SIGTERM, signal.SIGHUP):
                signal.signal(sig, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides; it kills us
            with contextlib.suppress(ValueError):
                signal.set_wakeup_fd(-1)
            _die_with_parent()
            if os.getppid() != parent:
                os._exit(_FAILED)
            data = call()
            view = struct.pack("<Q", len(data)) + data
            while view:
                view = view[os.write(write_end, view):]
            code = 0
        finally:
            os._exit(code)
    os.close(write_end)
    try:
        data = _read_all(read_end)
        _, status = os.waitpid(pid, 0)
    except BaseException:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            os.waitpid(pid, 0)
        raise
    finally:
        os.close(read_end)
    if os.waitstatus_to_exitcode(status) != 0 or len(data) < 8:
        raise RuntimeError(f"the solver's child process failed (status {os.waitstatus_to_exitcode(status)})")
    (size,) = struct.unpack("<Q", data[:8])
    if size != len(data) - 8:
        raise RuntimeError("the solver's child process returned a truncated answer")
    return data[8:]
