"""One progress display for every slow command, always on stderr (stdout stays for the
result, and for the one JSON object under ``--json``).

- On a terminal: a rich bar with elapsed time and ETA (or, without a total, a spinner).
- Off a terminal (CI, a log file, a notebook's ``!``): one plain line at most every
  :data:`LINE_SECONDS` seconds, ``label: done/total (pct), elapsed, ETA``, from a
  background thread, so a stage that runs in C (a solver call) still reports.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import Any

LINE_SECONDS = 10.0


def _clock(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}" if seconds >= 3600 \
        else f"{seconds // 60}:{seconds % 60:02d}"


class _Lines:
    """Periodic plain progress lines on stderr."""

    def __init__(self, label: str, total: int | None, completed: int, unit: str) -> None:
        self.label, self.total, self.completed, self.unit = label, total, completed, unit
        self.first = completed
        self.start = time.monotonic()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="progress-lines", daemon=True)
        self.thread.start()

    def line(self) -> str:
        elapsed = time.monotonic() - self.start
        text = f"{self.label}: "
        if self.total:
            text += f"{self.completed:,}/{self.total:,} {self.unit}".rstrip() \
                + f" ({100 * self.completed / self.total:.0f}%), {_clock(elapsed)} elapsed"
            done = self.completed - self.first
            if done > 0:
                text += f", ETA {_clock(elapsed / done * (self.total - self.completed))}"
        else:
            text += (f"{self.completed:,} {self.unit}, " if self.unit else "running, ") + f"{_clock(elapsed)} elapsed"
        if STAGE[0]:
            text += f" (now: {STAGE[0]})"
        return text

    def _run(self) -> None:
        while not self.stop.wait(LINE_SECONDS):
            print(self.line(), file=sys.stderr, flush=True)

    def close(self) -> None:
        self.stop.set()


class ProgressBar:
    """``with ProgressBar(label, total) as bar: bar.advance(k); bar.update(done, **fields)``.

    ``fields`` are extra columns (e.g. ``loss``) declared with ``columns`` as rich format
    strings; ``total=None`` shows a spinner with the completed count.
    """

    def __init__(self, label: str, total: int | None, *, completed: int = 0, enabled: bool = True,
                 unit: str = "", columns: tuple[str, ...] = (), **fields: Any) -> None:
        self.enabled = enabled and sys.stderr.isatty()
        self.lines: _Lines | None = None
        self._quiet = not enabled or QUIET.is_set()
        self._args = (label, total, completed, unit, columns, fields)

    def __enter__(self) -> ProgressBar:
        if not self.enabled and not self._quiet:
            label, total, completed, unit, _, _ = self._args
            self.lines = _Lines(label, total, completed, unit)
        self.enabled = self.enabled and not self._quiet
        if self.enabled:
            from rich.console import Console
            from rich.progress import Progress, SpinnerColumn, TextColumn

            label, total, completed, unit, columns, fields = self._args
            if total is None:  # a spinner: with a unit it counts, without one it names the stage
                text = f"{label} {{task.completed:,}} {unit}" if unit else label
                cols = [SpinnerColumn(), TextColumn(text)]
            else:
                cols = [*Progress.get_default_columns()]
            cols += [TextColumn(c) for c in columns]
            self._bar = Progress(*cols, console=Console(stderr=True), transient=True)
            self._task = self._bar.add_task(label, total=total, completed=completed, **fields)
            self._bar.start()
        return self

    def advance(self, k: int = 1) -> None:
        if self.lines is not None:
            self.lines.completed += k
        if self.enabled:
            self._bar.advance(self._task, k)

    def update(self, completed: int, **fields: Any) -> None:
        if self.lines is not None:
            self.lines.completed = completed
        if self.enabled:
            self._bar.update(self._task, completed=completed, **fields)

    def __exit__(self, *exc: object) -> None:
        if self.lines is not None:
            self.lines.close()
        if self.enabled:
            self._bar.stop()


QUIET = threading.Event()  # set by ``--quiet``: no progress at all

#: What the slow command is doing now (a method and its stage, e.g. "z3: halting lemma"),
#: shown on every progress line so that a long wait names what it waits for.
STAGE: list[str] = [""]
#: What could be faster than the running stage (said when a time limit stops it).
HINT: list[str] = [""]


def stage(text: str, *, hint: str | None = None) -> None:
    """Name the stage now running (empty: none); ``hint`` (kept until replaced) names a
    faster option, said if a time limit stops the command."""
    STAGE[0] = text
    if hint is not None:
        HINT[0] = hint
