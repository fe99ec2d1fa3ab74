"""matplotlib behind one door: an optional dependency, the Agg backend, atomic writes in
the format the file name asks for (png, svg or pdf)."""

from __future__ import annotations

import importlib.util
import io
from pathlib import Path
from typing import Any

from theorymodel.errors import UsageError
from theorymodel.io import atomic_write

PLOT_FORMATS = {".png": "png", ".svg": "svg", ".pdf": "pdf"}
NEEDS = "plots need matplotlib: pip install 'theorymodel[plots]'"


def plot_format(path: str | Path) -> str:
    """The figure format a file name asks for; anything but png, svg or pdf is refused."""
    fmt = PLOT_FORMATS.get(Path(path).suffix.lower())
    if fmt is None:
        raise UsageError(f"cannot tell the plot format of {path}: name it .png, .svg or .pdf")
    return fmt


def have_matplotlib() -> bool:
    return importlib.util.find_spec("matplotlib") is not None


def plot_target(requested: str | None, default: str | None, *, no_plot: bool = False) -> tuple[str | None, str]:
    """Where a command's plot goes, decided before any work: ``(path or None, note)``.

    An explicit ``--plot`` without matplotlib is a usage error (exit 2, nothing run); a
    default plot is skipped with a note saying what to install; ``--no-plot`` skips it.
    """
    if no_plot:
        return None, ""
    if requested:
        plot_format(requested)
        if not have_matplotlib():
            raise UsageError(NEEDS)
        return requested, ""
    if default is None:
        return None, ""
    if not have_matplotlib():
        return None, f"no plot: {NEEDS}"
    return default, ""


def pyplot() -> Any:
    """``matplotlib.pyplot`` on the Agg backend, or a usage error naming the extra."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise UsageError(NEEDS) from exc
    return plt


def save_figure(fig: Any, path: str | Path) -> Path:
    """Write a figure atomically in the format its name asks for, and close it."""
    buf = io.BytesIO()
    fig.savefig(buf, format=plot_format(path), dpi=120, bbox_inches="tight")
    pyplot().close(fig)
    return atomic_write(path, buf.getvalue())


def plot_curve(curve: list[dict[str, float]], path: str | Path, title: str) -> Path:
    """A training loss curve (log scale)."""
    fig, ax = pyplot().subplots(figsize=(6, 4))
    ax.plot([c["step"] for c in curve], [c["loss"] for c in curve], "o-", markersize=3)
    ax.set_xlabel("step")
    ax.set_ylabel("training loss")
    ax.set_yscale("log")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    return save_figure(fig, path)


def _series(ax: Any, rows: list[dict[str, Any]], x: str, y: str, group: list[str]) -> None:
    """One line per group of rows (a missing value is a gap)."""
    keys = sorted({tuple(r[g] for g in group) for r in rows}, key=str)
    for i, key in enumerate(keys):
        pts = [r for r in rows if tuple(r[g] for g in group) == key]
        # each series its own marker, dash and size, largest first: series that coincide stay visible
        ax.plot([r[x] for r in pts], [float("nan") if r[y] is None else r[y] for r in pts],
                marker="osD^vx"[i % 6], linestyle=("-", "--", ":", "-.")[i % 4],
                markersize=max(9 - 2 * i, 3), fillstyle="none" if i % 2 else "full",
                label=", ".join(f"{g}={v}" for g, v in zip(group, key, strict=True)))


def plot_rows(rows: list[dict[str, Any]], x: str, y: str, group: list[str], path: str | Path, *,
              title: str, logx: bool = False, logy: bool = False) -> Path:
    """One line per group of rows; written atomically in the format of the extension."""
    fig, ax = pyplot().subplots(figsize=(6, 4))
    _series(ax, rows, x, y, group)
    if logx:
        ax.set_xscale("log")
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
    return save_figure(fig, path)


def plot_panels(rows: list[dict[str, Any]], x: str, panels: list[tuple[str, str]], group: list[str],
                path: str | Path, *, title: str, logx: bool = False) -> Path:
    """Panels side by side, one per ``(column, heading)`` of ``panels``, each with one line
    per group of rows and the same y scale; written atomically like :func:`plot_rows`."""
    fig, axes = pyplot().subplots(1, len(panels), figsize=(5 * len(panels), 4), sharey=True, squeeze=False)
    xs = sorted({r[x] for r in rows})
    for ax, (y, heading) in zip(axes[0], panels, strict=True):
        _series(ax, rows, x, y, group)
        if logx:
            ax.set_xscale("log")
            ax.set_xticks(xs, [str(v) for v in xs])  # the measured values, not powers of ten
            ax.minorticks_off()
        ax.set_xlabel(x)
        ax.set_ylabel(y)
        ax.set_title(heading, fontsize=9)
        ax.grid(alpha=0.3)
    axes[0][-1].legend(fontsize=7)
    fig.suptitle(title, y=1.0)
    fig.tight_layout()
    return save_figure(fig, path)
