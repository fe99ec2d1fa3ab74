"""The entry point: parse, call one command, print its report, map errors and signals to exit codes."""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Sequence
from typing import Any

from theorymodel.cli import stop
from theorymodel.cli.common import preflight
from theorymodel.cli.parser import build_parser
from theorymodel.cli.stop import STOPPED_BY
from theorymodel.errors import ResourceLimitError, TheoryModelError


def main(argv: Sequence[str] | None = None) -> int:
    import signal

    want_json = "--json" in (argv if argv is not None else sys.argv[1:])
    for stream in (sys.stdout, sys.stderr):  # a name with odd characters never breaks printing
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    early = list(STOPPED_BY)  # a stop signal recorded while the CLI's modules imported
    STOPPED_BY.clear()
    stop.REPORTED.clear()
    stop.TIMED_OUT.clear()
    stop.WANT_JSON[:] = [True] if want_json else []
    stop.install()
    if early:
        STOPPED_BY.extend(early)
        print("error: interrupted", file=sys.stderr)
        return 128 + early[0]
    default_hook = sys.unraisablehook

    def quiet_stop(unraisable: Any) -> None:  # a stop signal that landed in a finaliser: main reports it
        # after a stop signal, a finaliser's error is the signal's (ctypes wraps it as ArgumentError)
        if not (issubclass(unraisable.exc_type, KeyboardInterrupt) or STOPPED_BY):
            default_hook(unraisable)

    sys.unraisablehook = quiet_stop
    try:
        args = build_parser().parse_args(argv)
        from theorymodel.progress import QUIET

        (QUIET.set if getattr(args, "quiet", False) else QUIET.clear)()
        preflight(args)
        stop.set_deadline(getattr(args, "timeout", None))
        report = args.func(args)
        if STOPPED_BY:  # a stop signal whose KeyboardInterrupt a finaliser swallowed
            raise KeyboardInterrupt
    except ResourceLimitError as exc:
        if STOPPED_BY:  # a solver stopped by the signal reports "unknown": it was the signal
            print("error: interrupted", file=sys.stderr)
            return 128 + STOPPED_BY[0]
        # the whole command's --timeout ran out: its message names the stage
        limit = ResourceLimitError(stop.TIMED_OUT[0], limit="timeout") if stop.TIMED_OUT else exc
        if want_json:
            print(json.dumps({"error": str(limit), "limit": limit.limit, **limit.details}))
        print(f"error: {limit}", file=sys.stderr)
        return 3
    except TheoryModelError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 128 + (STOPPED_BY[0] if STOPPED_BY else signal.SIGINT)
    except MemoryError:
        if want_json:
            print(json.dumps({"error": "out of memory", "limit": "memory"}))
        print("error: out of memory", file=sys.stderr)
        return 3
    except RecursionError:
        print("error: input nested too deeply", file=sys.stderr)
        return 2
    except Exception as exc:  # an internal bug: still one line, with a way to see more
        if STOPPED_BY:  # the signal surfaced wrapped (ctypes.ArgumentError around KeyboardInterrupt)
            print("error: interrupted", file=sys.stderr)
            return 128 + STOPPED_BY[0]
        if "caught keyboard interrupt" in str(exc).lower():  # python-sat's own SIGINT handler, during a solve
            print("error: interrupted", file=sys.stderr)
            return 128 + signal.SIGINT
        if stop.TIMED_OUT:  # z3 interrupted at the deadline raises from a push or a build: the limit
            if want_json:
                print(json.dumps({"error": stop.TIMED_OUT[0], "limit": "timeout"}))
            print(f"error: {stop.TIMED_OUT[0]}", file=sys.stderr)
            return 3
        if os.environ.get("THEORYMODEL_DEBUG"):
            raise
        print(f"error: internal error {type(exc).__name__}: {exc} "
              "(set THEORYMODEL_DEBUG=1 for the traceback)", file=sys.stderr)
        return 70
    finally:
        stop.set_deadline(None)
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
    sys.stderr.flush()
    if stop.HARD_STOP:  # printed in full: a stop signal from here on keeps this code (the console script)
        stop.REPORTED.append(report.exit_code)
    return report.exit_code


def entry() -> None:
    """The console script: :func:`main`, then exit at once (``os._exit``) with its code.
    Every output is already complete or removed by then (atomic writes)."""
    stop.HARD_STOP.append(True)
    code = main()
    # no interpreter teardown: it restores the default signal handlers first, so a signal
    # in its half second would kill a process whose report is already printed (and z3's
    # finalisers on an interrupted context print past our one error line)
    with contextlib.suppress(Exception):
        sys.stdout.flush()
        sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    entry()
