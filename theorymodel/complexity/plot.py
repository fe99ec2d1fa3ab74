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
    exact = {r["n"]: r["length_complexity"] for r in series}

    def same(pts: list[tuple[int, int]]) -> str:  # a line hidden under the exact one says so
        return " (= exact at every n)" if pts and all(exact[n] == v for n, v in pts) else ""

    ax.plot(ns, list(exact.values()), "o-", markersize=5, label="exact (witness + UNSAT)", zorder=3)
    lower = [(r["n"], r["lower_bound"]["k"]) for r in series]
    ax.plot(ns, [v for _, v in lower], "v--", markersize=10, fillstyle="none",
            label="certified lower bound" + same(lower))
    names = sorted({name for r in series for name in r.get("upper_bounds", {})})
    for i, name in enumerate(names):
        pts = [(r["n"], r["upper_bounds"][name]) for r in series if name in r.get("upper_bounds", {})]
        ax.plot([p[0] for p in pts], [p[1] for p in pts], "s^D"[i % 3] + ":", markersize=13 + 3 * i,
                fillstyle="none", label=f"upper: {name}" + same(pts))
    ax.set_xlabel("n (input bits)")
    ax.set_ylabel("generated tokens")
    ax.set_title(title)
    ax.set_xticks(ns)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return save_figure(fig, path)
