"""Shared pieces of the command line: the parser class, argument types and the output preflight."""

from __future__ import annotations

import argparse
from typing import Any

from theorymodel.errors import UsageError


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as one ``error:`` line (exit 2)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{self.prog}: {message}")


def _nonnegative_int(text: str) -> int:
    try:
        value = int(text.replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be >= 0")
    return value


def _positive_int(text: str) -> int:
    value = _nonnegative_int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be >= 1")
    return value


#: the longest time limit a command accepts (about 31 years)
MAX_SECONDS = 1e9


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} must be a positive number of seconds")
    if value > MAX_SECONDS:  # the stop watcher's select() takes no wait past the platform's time_t
        raise argparse.ArgumentTypeError(f"{text!r} is more than {MAX_SECONDS:.0e} seconds")
    return value


# -- length -----------------------------------------------------------------------------
def _n_range(text: str) -> tuple[int, int]:
    """``N`` or ``A..B`` (inclusive)."""
    lo, sep, hi = text.partition("..")
    a = _nonnegative_int(lo)
    b = _nonnegative_int(hi) if sep else a
    if b < a:
        raise argparse.ArgumentTypeError(f"{text!r}: the range is empty")
    return a, b


MAX_LENGTH_N = 24  # 2^24 truth-table rows


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}" + ("" if count == 1 else "s")


def _bounds_text(bounds: dict[str, int]) -> str:
    return ", ".join(f"{name} {_plural(value, 'token')}" for name, value in bounds.items()) or "-"


# -- experiment -------------------------------------------------------------------------
def _int_list(text: str) -> list[int]:
    try:
        values = [int(v) for v in text.split(",")]  # an empty item is an error, not skipped
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a comma-separated list of integers") from None
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: give positive integers, e.g. 25,50,100")
    return values


def _rate_list(text: str) -> list[float]:
    try:
        values = [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a comma-separated list of rates") from None
    if not values or not all(0 <= v < 1 for v in values):
        raise argparse.ArgumentTypeError(f"{text!r}: rates lie in [0, 1)")
    return values


def _table(rows: list[dict[str, Any]], cols: list[str]) -> str:
    def fmt(v: Any) -> str:
        return f"{v:.4f}" if isinstance(v, float) else str(v)

    width = [max(len(c), *(len(fmt(r[c])) for r in rows)) for c in cols]
    lines = ["  ".join(c.rjust(w) for c, w in zip(cols, width, strict=True))]
    lines += ["  ".join(fmt(r[c]).rjust(w) for c, w in zip(cols, width, strict=True)) for r in rows]
    return "\n".join(lines)


OUTPUT_FILES = ("dot", "write", "export_linearlm", "plot", "checkpoint", "picture")


OUTPUT_DIRS = ("out", "smt2", "certificate")


def preflight(args: argparse.Namespace) -> None:
    """Refuse unwritable output paths before any work starts (a proof or a training
    run is never thrown away because its output cannot be written)."""
    from theorymodel.io import check_output

    for name in OUTPUT_FILES:
        if getattr(args, name, None) is not None:
            check_output(getattr(args, name))
    for name in OUTPUT_DIRS:
        if getattr(args, name, None) is not None:
            check_output(getattr(args, name), directory=True)
    if getattr(args, "picture", None) is not None:
        from theorymodel.plotting import have_matplotlib, plot_format

        if plot_format(args.picture) != "svg" and not have_matplotlib():
            raise UsageError(f"a {plot_format(args.picture)} picture needs matplotlib: pip install "
                             "'theorymodel[plots]' (an .svg picture needs nothing)")
