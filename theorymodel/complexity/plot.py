"""Length complexity over n: exact values against construction upper bounds and certified
lower bounds (``theorymodel length FAMILY --n A..B --plot FILE.png``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from theorymodel.plotting import pyplot, save_figure


def plot_series(series: list[dict[str, Any]], path: str | Path, *, title: str) -> Path:
    """One line per quantity over n; written atomically as PNG."""
    plt = pyplot()
    from matplotlib.ticker import MaxNLocator

    ns = [r["n"] for r in series]
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(ns, [r["length_complexity"] for r in series], "o-", label="exact (witness + UNSAT)", zorder=3)
    ax.plot(ns, [r["lower_bound"]["k"] for r in series], "v--", label="certified lower bound")
    names = sorted({name for r in series for name in r.get("upper_bounds", {})})
    for name in names:
        pts = [(r["n"], r["upper_bounds"][name]) for r in series if name in r.get("upper_bounds", {})]
        ax.plot([p[0] for p in pts], [p[1] for p in pts], "^:", label=f"upper: {name}")
    ax.set_xlabel("n (input bits)")
    ax.set_ylabel("generated tokens")
    ax.set_title(title)
    ax.set_xticks(ns)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return save_figure(fig, path)
