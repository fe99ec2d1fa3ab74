"""One progress display for every slow command: a rich bar (or, without a total, a
spinner) on stderr, shown only when stderr is a terminal, so ``--json`` output and logs
stay clean."""

from __future__ import annotations

import sys
from typing import Any


class ProgressBar:
    """``with ProgressBar(label, total) as bar: bar.advance(k); bar.update(done, **fields)``.

    ``fields`` are extra columns (e.g. ``loss``) declared with ``columns`` as rich format
    strings; ``total=None`` shows a spinner with the completed count.
    """

    def __init__(self, label: str, total: int | None, *, completed: int = 0, enabled: bool = True,
                 unit: str = "", columns: tuple[str, ...] = (), **fields: Any) -> None:
        self.enabled = enabled and sys.stderr.isatty()
        self._args = (label, total, completed, unit, columns, fields)

    def __enter__(self) -> ProgressBar:
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
        if self.enabled:
            self._bar.advance(self._task, k)

    def update(self, completed: int, **fields: Any) -> None:
        if self.enabled:
            self._bar.update(self._task, completed=completed, **fields)

    def __exit__(self, *exc: object) -> None:
        if self.enabled:
            self._bar.stop()
