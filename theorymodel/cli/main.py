"""The entry point: parse, call one command, print its report, map errors and signals to exit codes."""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Sequence
from typing import Any

from theorymodel.cli.common import preflight
from theorymodel.cli.parser import build_parser
from theorymodel.errors import ResourceLimitError, TheoryModelError

_STOPPED_BY: list[int] = []


STOP_GRACE_SECONDS = 5.0


def _on_signal(signum: int, frame: object) -> None:
    _STOPPED_BY.append(signum)
    raise KeyboardInterrupt  # unwinds through every writer's cleanup of its temp file


def _stop_solvers_on_signals() -> None:
    """A signal arrives while z3 runs in C, where no Python handler can run until it
    returns. Python's C-level handler writes the signal's number to a wake-up pipe at
    once; a watcher thread then interrupts z3 (thread-safe), z3 returns, and the Python
    handler raises. SAT calls run in conflict-budgeted slices and need no help."""
    import signal
    import threading

    main_thread = threading.main_thread()
    read_end, write_end = os.pipe()
    os.set_blocking(write_end, False)
    signal.set_wakeup_fd(write_end, warn_on_full_buffer=False)

    def watch() -> None:
        while True:
            data = os.read(read_end, 64)
            if not data:
                return
            z3 = sys.modules.get("z3")
            if z3 is not None:
                with contextlib.suppress(Exception):
                    z3.main_ctx().interrupt()
            # A KeyboardInterrupt raised inside a finaliser (``__del__``) is swallowed by
            # Python. The main thread then learns of the signal when the command returns
            # (see main); if it is still busy after a grace period, end the process here.
            main_thread.join(STOP_GRACE_SECONDS)
            if main_thread.is_alive() and _STOPPED_BY:
                from theorymodel.io import remove_pending_temp_files

                remove_pending_temp_files()
                print("error: interrupted", file=sys.stderr, flush=True)
                os._exit(128 + _STOPPED_BY[0])

    threading.Thread(target=watch, name="stop-solvers", daemon=True).start()


def main(argv: Sequence[str] | None = None) -> int:
    import signal

    want_json = "--json" in (argv if argv is not None else sys.argv[1:])
    for stream in (sys.stdout, sys.stderr):  # a name with odd characters never breaks printing
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    with contextlib.suppress(ValueError, AttributeError):  # not the main thread, or no such signal here
        signal.signal(signal.SIGTERM, _on_signal)
        signal.signal(signal.SIGHUP, _on_signal)
        signal.signal(signal.SIGINT, _on_signal)
        _stop_solvers_on_signals()
    default_hook = sys.unraisablehook

    def quiet_stop(unraisable: Any) -> None:  # a stop signal that landed in a finaliser: main reports it
        # after a stop signal, a finaliser's error is the signal's (ctypes wraps it as ArgumentError)
        if not (issubclass(unraisable.exc_type, KeyboardInterrupt) or _STOPPED_BY):
            default_hook(unraisable)

    sys.unraisablehook = quiet_stop
    try:
        args = build_parser().parse_args(argv)
        from theorymodel.progress import QUIET

        (QUIET.set if getattr(args, "quiet", False) else QUIET.clear)()
        preflight(args)
        report = args.func(args)
        if _STOPPED_BY:  # a stop signal whose KeyboardInterrupt a finaliser swallowed
            raise KeyboardInterrupt
    except ResourceLimitError as exc:
        if _STOPPED_BY:  # a solver stopped by the signal reports "unknown": it was the signal
            print("error: interrupted", file=sys.stderr)
            return 128 + _STOPPED_BY[0]
        if want_json:
            print(json.dumps({"error": str(exc), "limit": exc.limit, **exc.details}))
        print(f"error: {exc}", file=sys.stderr)
        return 3
    except TheoryModelError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 128 + (_STOPPED_BY[0] if _STOPPED_BY else signal.SIGINT)
    except MemoryError:
        if want_json:
            print(json.dumps({"error": "out of memory", "limit": "memory"}))
        print("error: out of memory", file=sys.stderr)
        return 3
    except RecursionError:
        print("error: input nested too deeply", file=sys.stderr)
        return 2
    except Exception as exc:  # an internal bug: still one line, with a way to see more
        if _STOPPED_BY:  # the signal surfaced wrapped (ctypes.ArgumentError around KeyboardInterrupt)
            print("error: interrupted", file=sys.stderr)
            return 128 + _STOPPED_BY[0]
        if os.environ.get("THEORYMODEL_DEBUG"):
            raise
        print(f"error: internal error {type(exc).__name__}: {exc} "
              "(set THEORYMODEL_DEBUG=1 for the traceback)", file=sys.stderr)
        return 70
    try:
        if args.json:
            print(json.dumps(report.payload))
        elif report.text:
            written = report.payload.get("written") or []
            extra = [f"wrote {w}" for w in written if isinstance(w, str) and f"wrote {w}" not in report.text]
            print("\n".join([report.text, *extra]))
        sys.stdout.flush()
    except BrokenPipeError:  # the reader went away (| head): not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    if report.exit_code and report.message:
        print(f"error: {report.message}", file=sys.stderr)
    return report.exit_code


def entry() -> None:
    """The console script: :func:`main`, then exit. After a stop signal the process ends
    at once (``os._exit``): the interpreter's teardown would run z3's finalisers on an
    interrupted context, whose errors Python prints past our one ``error:`` line. Every
    output is already complete or removed by then (atomic writes)."""
    code = main()
    if _STOPPED_BY:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":
    entry()
